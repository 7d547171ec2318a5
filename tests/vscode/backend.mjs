// The runtrail backend the VS Code e2e tests seed and stop: the bundled CLI on a free port and its own data folder.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { uuidv7 } from 'uuidv7';
import { ROOT } from '../../scripts/lib/setup.mjs';

const CLI = join(ROOT, 'packages', 'cli', 'dist', 'runtrail.mjs');

/** Starts `runtrail serve --json` on `port` (0: any) and resolves { url, stop() } once it listens. */
export async function startBackend({ dataDir, token, port = 0 }) {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port), '--data', dataDir, '--json'], {
    env: { ...process.env, RUNTRAIL_TOKEN: token },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    void exited.then((code) => reject(new Error(`the backend exited with ${code} before listening`)));
  });
  const { url } = JSON.parse(line);
  return {
    url,
    port: Number(new URL(url).port),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * A REST client of the backend: `call('POST', '/api/v1/runs', body)` → parsed JSON, throwing on 4xx/5xx. A
 * Uint8Array body is sent as bytes (blob uploads), anything else as JSON.
 */
export function restClient(url, token) {
  return async function call(method, path, body) {
    const bytes = body instanceof Uint8Array;
    const res = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': bytes ? 'application/octet-stream' : 'application/json' },
      body: body === undefined ? undefined : bytes ? body : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

/** Creates a finished run with params and a metric series; resolves its id. */
export async function createRun(call, experimentId, { name, params, metrics, status = 'finished' }) {
  const id = uuidv7();
  const start = Date.now() - 60_000;
  await call('POST', '/api/v1/runs', { id, experimentId, name, startTime: start });
  const points = Object.entries(metrics).flatMap(([key, values]) =>
    values.map((value, step) => ({ key, value, step, timestamp: start + step * 1000 })),
  );
  const paramList = Object.entries(params).map(([key, value]) => ({ key, value }));
  await call('POST', `/api/v1/runs/${id}/log-batch`, { params: paramList, metrics: points });
  if (status !== 'running') await call('POST', `/api/v1/runs/${id}/finish`, { status, endTime: start + 42_000 });
  return id;
}

/** Uploads `content` as a blob and attaches it to a run as the artifact `path`. */
export async function attachArtifact(call, runId, path, content) {
  const bytes = new TextEncoder().encode(content);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await call('PUT', `/api/v1/blobs/${sha256}`, bytes);
  await call('POST', `/api/v1/runs/${runId}/artifacts`, { artifacts: [{ path, size: bytes.length, sha256, blob: { sha256, size: bytes.length } }] });
}

/** The experiment, runs and registered model every e2e test starts from. */
export async function seed(call) {
  const experiment = await call('POST', '/api/v1/experiments', { name: 'e2e-experiment', kind: 'named' });
  const baseline = await createRun(call, experiment.id, {
    name: 'baseline',
    params: { lr: 0.01, optimizer: 'adam', epochs: 3 },
    metrics: { loss: [0.9, 0.6, 0.45, 0.4, 0.38], accuracy: [0.6, 0.72, 0.8, 0.83, 0.85] },
  });
  const tuned = await createRun(call, experiment.id, {
    name: 'tuned',
    params: { lr: 0.001, optimizer: 'adam', epochs: 5 },
    metrics: { loss: [0.8, 0.5, 0.3, 0.25, 0.2], accuracy: [0.65, 0.78, 0.86, 0.9, 0.92] },
  });
  // Both runs saved a model folder; the registry has it twice (v1 from baseline, v2 from tuned, alias champion → v2).
  for (const [runId, weights] of [[baseline, 'baseline-weights'], [tuned, 'tuned-weights']]) {
    await attachArtifact(call, runId, 'model/MLmodel', 'flavors:\n  python_function: {}\n');
    await attachArtifact(call, runId, 'model/model.pkl', weights);
  }
  // tuned also ran two cells and touched a DataFrame: the lineage of its version shows them.
  const startedAt = Date.now() - 50_000;
  await call('POST', `/api/v1/runs/${tuned}/cells`, {
    executions: [
      { id: uuidv7(), cellId: 'load-data', executionCount: 1, source: "df = pd.read_csv('churn.csv')", sourceHash: 'e2e0load', startedAt, durationMs: 120, status: 'ok' },
      { id: uuidv7(), cellId: 'fit-model', executionCount: 2, source: 'model = fit(df, lr=lr)\nsave(model)', sourceHash: 'e2e00fit', startedAt: startedAt + 1000, durationMs: 900, status: 'ok' },
    ],
  });
  await call('POST', `/api/v1/runs/${tuned}/snapshots`, {
    snapshots: [{ id: uuidv7(), name: 'df', kind: 'pandas', fingerprint: 'e2e'.padEnd(32, '0'), shape: [1000, 12], capturedAt: startedAt + 500 }],
  });
  const model = 'churn-classifier';
  await call('POST', '/api/v1/models', { name: model, description: 'Predicts churn (e2e seed)' });
  await call('POST', `/api/v1/models/${model}/versions`, { runId: baseline, path: 'model' });
  await call('POST', `/api/v1/models/${model}/versions`, { runId: tuned, path: 'model' });
  await call('PUT', `/api/v1/models/${model}/aliases/champion`, { version: 2 });
  return { experimentId: experiment.id, baseline, tuned, model };
}

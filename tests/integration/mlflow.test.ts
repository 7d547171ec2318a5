/**
 * The real MLflow client (mlflow-skinny from the project venv) against the bundled backend on a random port:
 * each Python scenario under ./mlflow asserts its own round trips through MLflow's API, then this file checks
 * that what it logged is in runtrail's own API (/api/v1) and in the experiment's synced doc, where both
 * extensions read it.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { SyncClient, createExperimentDoc, getRunMap, readRun } from '@runtrail/core/sync';
import { CLI, REPO, startBackend, tempDataDir, type BackendProcess } from './harness';

const PYTHON = join(REPO, '.venv', 'bin', 'python');
const SCENARIOS = join(REPO, 'tests', 'integration', 'mlflow');

let backend: BackendProcess;
let data: ReturnType<typeof tempDataDir>;

/** Runs one scenario script with the MLflow client pointed at the backend; resolves with its JSON line. */
function scenario<T>(file: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [join(SCENARIOS, file)], {
      env: {
        ...process.env,
        MLFLOW_TRACKING_URI: backend.url,
        MLFLOW_TRACKING_TOKEN: backend.token,
        // No telemetry, no git lookups, no retries that would hide a failing request behind minutes of backoff.
        MLFLOW_DISABLE_TELEMETRY: 'true',
        DO_NOT_TRACK: 'true',
        GIT_PYTHON_REFRESH: 'quiet',
        MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0',
        PYTHONWARNINGS: 'ignore',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${file} exited with ${code}:\n${err.slice(-4000)}\n${out.slice(-1000)}`));
      const line = out.trim().split('\n').findLast((l) => l.startsWith('{'));
      if (!line) return reject(new Error(`${file} printed no JSON result:\n${out}`));
      resolve(JSON.parse(line) as T);
    });
  });
}

/** Runs the bundled `runtrail` command against the backend. */
function runtrail(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, RUNTRAIL_URL: backend.url, RUNTRAIL_TOKEN: backend.token } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

// Tests read whatever fields they assert on.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function api(path: string, init: RequestInit = {}): Promise<{ status: number; json: any; bytes: Uint8Array }> {
  const res = await fetch(backend.url + path, { ...init, headers: { authorization: `Bearer ${backend.token}`, ...init.headers } });
  const bytes = new Uint8Array(await res.arrayBuffer());
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    json = undefined;
  }
  return { status: res.status, json, bytes };
}

/** Syncs the experiment's doc over the WebSocket, as the extensions do, and reads one run from it. */
async function runFromSyncedDoc(experimentId: string, runId: string) {
  const doc = createExperimentDoc();
  const client = new SyncClient({
    doc,
    url: `${backend.url.replace(/^http/, 'ws')}/api/v1/sync/${experimentId}?token=${backend.token}`,
    createSocket: (target) => new WebSocket(target),
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sync of ${experimentId} did not finish`)), 10_000);
      const stop = client.onStatus((status) => {
        if (status !== 'synced') return;
        clearTimeout(timer);
        stop();
        resolve();
      });
      if (client.status === 'synced') resolve();
    });
    const map = getRunMap(doc, runId);
    return map ? readRun(map) : null;
  } finally {
    client.dispose();
    doc.destroy();
  }
}

beforeAll(async () => {
  if (!existsSync(PYTHON)) throw new Error(`no project venv at ${PYTHON}: run npm test (or npm start) once to create it`);
  data = tempDataDir();
  backend = await startBackend(data.dir, 'mlflow-it-token');
});

afterAll(async () => {
  await backend?.stop();
  data?.remove();
});

describe('the real MLflow client against runtrail', () => {
  it('round-trips experiments, runs, params, metric history, tags, datasets, artifacts and search; runtrail sees it all', async () => {
    const result = await scenario<{ experimentId: string; runIds: string[]; manualRunId: string; parentRunId: string; childRunId: string }>('tracking.py');
    const [first] = result.runIds;

    const experiment = await api(`/api/v1/experiments/${result.experimentId}`);
    expect(experiment.json).toMatchObject({ name: 'it-tracking', kind: 'named', lifecycle: 'active', tags: [{ key: 'team', value: 'ml' }] });

    const run = (await api(`/api/v1/runs/${first}`)).json;
    expect(run).toMatchObject({ experimentId: result.experimentId, name: 'run-0', status: 'finished' });
    expect(run.params).toEqual(
      expect.arrayContaining([{ key: 'lr', value: '0.1', origin: 'mlflow' }, { key: 'opt', value: 'adam', origin: 'mlflow' }]),
    );
    expect(run.metrics.find((m: { key: string }) => m.key === 'loss')).toMatchObject({ last: 0.2, min: 0.2, max: 1, count: 5, step: 4 });
    expect(run.tags).toEqual(expect.arrayContaining([{ key: 'variant', value: 'v0' }, { key: 'mlflow.runName', value: 'run-0' }]));
    expect(run.tags.map((t: { key: string }) => t.key)).not.toContain('drop');
    expect(run.snapshots).toHaveLength(1);
    expect(run.snapshots[0]).toMatchObject({ name: 'train-frame', kind: 'dataset', shape: [3] });
    expect(run.snapshots[0].dataset.tags).toEqual([{ key: 'mlflow.data.context', value: 'training' }]);
    expect(run.artifacts.map((a: { path: string }) => a.path).sort()).toEqual(['config/settings.json', 'model/MLmodel', 'model/weights.bin', 'notes.txt']);

    const notes = run.artifacts.find((a: { path: string }) => a.path === 'notes.txt');
    expect(new TextDecoder().decode((await api(`/api/v1/blobs/${notes.sha256}`)).bytes)).toBe('hello from mlflow');

    const history = await api(`/api/v1/runs/${first}/metric-history?key=loss`);
    expect(history.json.points.map((p: { step: number }) => p.step)).toEqual([0, 1, 2, 3, 4]);

    const search = await api('/api/v1/runs/search', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ experimentIds: [result.experimentId], filter: [{ field: 'params.opt', op: '=', value: 'adam' }], orderBy: [{ field: 'metrics.acc', direction: 'desc' }] }),
    });
    expect(search.json.runs.map((r: { id: string }) => r.id)).toEqual([result.runIds[2], first]);

    expect((await api(`/api/v1/runs/${result.childRunId}`)).json.parentRunId).toBe(result.parentRunId);
    const manual = (await api(`/api/v1/runs/${result.manualRunId}`)).json;
    expect(manual).toMatchObject({ name: 'manual-renamed', status: 'failed' });

    // The same run, read from the experiment's doc over the sync socket (what JupyterLab and VS Code show).
    const synced = await runFromSyncedDoc(result.experimentId, first!);
    expect(synced).toMatchObject({ name: 'run-0', status: 'finished' });
    expect(synced!.params.map((p) => p.key).sort()).toEqual(['lr', 'opt']);
    expect(synced!.artifacts).toHaveLength(4);
  });

  it('lands mlflow.sklearn.autolog() params, metrics, dataset, artifacts and model in runtrail', async () => {
    const result = await scenario<{ runId: string; params: Record<string, string>; metrics: Record<string, number> }>('autolog.py');
    const run = (await api(`/api/v1/runs/${result.runId}`)).json;
    expect(run.status).toBe('finished');
    const params = Object.fromEntries(run.params.map((p: { key: string; value: unknown }) => [p.key, p.value]));
    expect(params).toEqual(result.params);
    expect(params).toMatchObject({ C: '0.5', max_iter: '200', solver: 'lbfgs' });
    const metrics = Object.fromEntries(run.metrics.map((m: { key: string; last: number }) => [m.key, m.last]));
    expect(metrics).toEqual(result.metrics);
    expect(metrics.training_accuracy_score).toBeGreaterThan(0.8);
    expect(run.tags).toEqual(expect.arrayContaining([{ key: 'estimator_name', value: 'LogisticRegression' }]));
    expect(run.snapshots.map((s: { kind: string }) => s.kind)).toEqual(['dataset']);
    const html = run.artifacts.find((a: { path: string }) => a.path === 'estimator.html');
    expect(new TextDecoder().decode((await api(`/api/v1/blobs/${html.sha256}`)).bytes)).toContain('LogisticRegression');
    // The autologged model's files are run artifacts, and the version registered from them has its lineage.
    expect(run.artifacts.map((a: { path: string }) => a.path)).toEqual(expect.arrayContaining(['model/MLmodel']));
    const lineage = (await api('/api/v1/models/iris-autolog/versions/1/lineage')).json;
    expect(lineage.version).toMatchObject({ runId: result.runId, source: 'model' });
    expect(lineage.snapshots.map((s: { kind: string }) => s.kind)).toEqual(['dataset']);
  });

  it('round-trips registered models, versions, aliases and stages; the registry API has lineage and the audit log', async () => {
    const result = await scenario<{ model: string; runIds: string[] }>('registry.py');
    const model = (await api(`/api/v1/models/${result.model}`)).json;
    expect(model).toMatchObject({ name: 'it-classifier', description: 'second', tags: [{ key: 'stage', value: 'beta' }], latestVersion: 4 });
    expect(model.aliases).toEqual([{ alias: 'champion', version: 2 }]);

    const versions = (await api(`/api/v1/models/${result.model}/versions`)).json.versions;
    expect(versions.map((v: { version: number }) => v.version)).toEqual([4, 2, 1]);
    const v1 = versions.find((v: { version: number }) => v.version === 1);
    expect(v1).toMatchObject({ runId: result.runIds[0], source: 'model', stage: 'Archived', description: 'the baseline' });
    expect(v1.artifacts.map((a: { path: string }) => a.path).sort()).toEqual(['model/MLmodel', 'model/model.pkl']);

    const lineage = (await api(`/api/v1/models/${result.model}/versions/2/lineage`)).json;
    expect(lineage.run).toMatchObject({ id: result.runIds[1], params: [{ key: 'depth', value: '4', origin: 'mlflow' }] });
    expect(lineage.version.aliases).toEqual(['champion']);

    const audit = (await api(`/api/v1/models/${result.model}/audit`)).json.entries as { action: string; target: string; from: string | null; to: string | null; actor: string }[];
    const changes = audit.filter((e) => e.action.startsWith('alias.') || e.action === 'stage.transition').map((e) => [e.action, e.target, e.from, e.to]);
    expect(changes).toEqual([
      ['alias.set', 'alias:champion', null, '1'],
      ['alias.set', 'alias:champion', '1', '2'],
      ['alias.set', 'alias:challenger', null, '1'],
      ['alias.delete', 'alias:challenger', '1', null],
      ['stage.transition', 'version:1', 'None', 'Production'],
      ['stage.transition', 'version:1', 'Production', 'Archived'],
      ['stage.transition', 'version:2', 'None', 'Production'],
    ]);
    expect(audit.every((e) => e.actor === 'local')).toBe(true);
    expect((await api('/api/v1/models/it-scratch')).status).toBe(404);
    expect((await api('/api/v1/models/it-scratch/audit')).json.entries.map((e: { action: string }) => e.action)).toEqual(['model.create', 'version.create', 'model.delete']);
  });

  it('shows and changes the same registry from the runtrail CLI (models list|show|register|alias|stage|lineage|delete)', async () => {
    const [runA] = (await scenario<{ runIds: string[] }>('registry-runs.py')).runIds;
    const list = await runtrail('models', 'list');
    expect(list.stdout).toMatch(/it-classifier\s+4\s+champion=v2/);
    const shown = JSON.parse((await runtrail('models', 'show', 'it-classifier', '--json')).stdout);
    expect(shown.versions.map((v: { version: number }) => v.version)).toEqual([4, 2, 1]);

    const registered = await runtrail('models', 'register', 'cli-model', '--run', runA!, '--path', 'model', '--tag', 'via=cli');
    expect(registered.stdout.trim()).toBe(`registered cli-model version 1 from run ${runA} (model, 2 files)`);
    expect((await runtrail('models', 'alias', 'cli-model', 'champion', '1')).stdout.trim()).toBe('cli-model@champion -> version 1');
    expect((await runtrail('models', 'stage', 'cli-model', '1', 'staging')).stdout.trim()).toBe('cli-model version 1 is now Staging');
    const lineage = await runtrail('models', 'lineage', 'cli-model', '1');
    expect(lineage.stdout).toContain(`cli-model version 1 <- run ${runA}`);
    const text = (await runtrail('models', 'show', 'cli-model')).stdout;
    expect(text).toMatch(/alias:champion\s+-\s+1/);
    expect(text).toMatch(/version:1\s+None\s+Staging/);

    const refused = await runtrail('models', 'delete', 'cli-model');
    expect([refused.code, refused.stderr.trim()]).toEqual([2, 'runtrail: error: deleting cli-model is permanent: add --yes to confirm']);
    expect((await runtrail('models', 'delete', 'cli-model', '--yes')).stdout.trim()).toBe('deleted cli-model');
    const gone = await runtrail('models', 'show', 'cli-model');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain("registered model 'cli-model' does not exist");
  });
});

describe('auth on the MLflow API', () => {
  it('refuses the MLflow client without the token, in MLflow error shape', async () => {
    const res = await fetch(`${backend.url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=x`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error_code: 'UNAUTHENTICATED' });
  });
});

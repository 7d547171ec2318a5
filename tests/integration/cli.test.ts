/** The `runtrail` command against a real backend process: list, show, compare, errors, clean shutdown. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuntrailClient } from '@runtrail/core/client';
import { CLI, startBackend, tempDataDir, type BackendProcess } from './harness';

const exec = promisify(execFile);
let backend: BackendProcess;
const data = tempDataDir();

async function runtrail(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [CLI, ...args], {
      env: { ...process.env, RUNTRAIL_URL: backend.url, RUNTRAIL_TOKEN: backend.token },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const cell = (id: string, cellId: string, source: string) => ({
  id, cellId, executionCount: 1, source, sourceHash: `h${source.length}abcdefg`, startedAt: 1, durationMs: 2, status: 'ok' as const,
});

beforeAll(async () => {
  backend = await startBackend(data.dir);
  const c = new RuntrailClient({ baseUrl: backend.url, token: backend.token });
  await c.call('createExperiment', { body: { id: 'exp', name: 'churn.ipynb' } });
  for (const [i, lr] of [0.1, 0.01].entries()) {
    const runId = `run-${i}`;
    await c.call('createRun', { body: { id: runId, experimentId: 'exp', name: `churn #${i + 1}`, startTime: 1000 + i } });
    await c.call('logBatch', {
      params: { runId },
      body: { params: [{ key: 'lr', value: lr }, { key: 'opt', value: 'adam' }], metrics: [{ key: 'acc', value: 0.8 + i / 10, step: 0, timestamp: 1 }] },
    });
    await c.call('appendCells', { params: { runId }, body: { executions: [cell(`${runId}-a`, 'load', 'df = load()'), cell(`${runId}-b`, 'train', `fit(lr=${lr})`)] } });
    await c.call('finishRun', { params: { runId }, body: { status: 'finished', endTime: 5000 } });
  }
});
afterAll(async () => {
  await backend?.stop();
  data.remove();
});

describe('runtrail CLI', () => {
  it('lists runs as a table and as JSON, filtered and sorted', async () => {
    const text = await runtrail('runs', 'list');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/run-1\s+churn #2\s+finished/);
    const json = await runtrail('runs', 'list', '--json', '--filter', 'params.lr < 0.05', '--order', 'metrics.acc:asc');
    expect(JSON.parse(json.stdout).runs.map((r: { id: string }) => r.id)).toEqual(['run-1']);
  });

  it('shows one run', async () => {
    const text = await runtrail('runs', 'show', 'run-0');
    expect(text.stdout).toContain('lr');
    expect(text.stdout).toContain('acc');
    const json = await runtrail('runs', 'show', 'run-0', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ id: 'run-0', status: 'finished', cellCount: 2 });
  });

  it('compares two runs: the changed param and the changed cell', async () => {
    const json = await runtrail('runs', 'compare', 'run-0', 'run-1', '--json');
    expect(json.code).toBe(0);
    const diff = JSON.parse(json.stdout);
    const changedParams = diff.params.filter((p: { status: string }) => p.status === 'changed').map((p: { key: string }) => p.key);
    expect(changedParams).toEqual(['lr']);
    const changedCells = diff.code.filter((c: { status: string }) => c.status === 'changed').map((c: { cellId: string }) => c.cellId);
    expect(changedCells).toEqual(['train']);
    const text = await runtrail('runs', 'compare', 'run-0', 'run-1');
    expect(text.stdout).toMatch(/lr/);
    expect(text.stdout).toMatch(/fit\(lr=0\.01\)/);
  });

  it('reports an error as one line with a non-zero exit code', async () => {
    const missing = await runtrail('runs', 'show', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain("run 'nope' does not exist");
    const badFilter = await runtrail('runs', 'list', '--filter', 'metrics.acc >');
    expect(badFilter.code).toBe(2);
    expect(badFilter.stderr.trim()).toMatch(/^runtrail: error: --filter: expected a value/);
    const down = await exec(process.execPath, [CLI, 'runs', 'list', '--url', 'http://127.0.0.1:9', '--token', 't']).catch((e) => e);
    expect(down.code).toBe(1);
    expect(down.stderr.trim()).toMatch(/^runtrail: error: cannot reach http:\/\/127\.0\.0\.1:9/);
    const noAuth = await runtrail('runs', 'list', '--token', 'wrong');
    expect(noAuth.stderr.trim()).toMatch(/missing or wrong bearer token .*401/);
  });

  it('shuts down cleanly on SIGTERM and serves the same data after a restart', async () => {
    expect(await backend.stop('SIGTERM')).toBe(0);
    expect(backend.stderr()).toContain('SIGTERM received, shutting down');
    backend = await startBackend(data.dir);
    const json = await runtrail('runs', 'list', '--json');
    expect(JSON.parse(json.stdout).runs).toHaveLength(2);
  });
});

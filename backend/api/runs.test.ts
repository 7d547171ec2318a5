import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Run, RunPage } from '@runtrail/core/schema';
import { createTestApp } from '../test-app';

let t: ReturnType<typeof createTestApp>;
beforeEach(() => (t = createTestApp()));
afterEach(async () => {
  expect(t.errors).toEqual([]);
  await t.close();
});

async function experimentWithRun(runId = 'run-1') {
  const exp = await t.call('POST', '/api/v1/experiments', { id: 'exp-1', name: 'churn.ipynb', kind: 'notebook', notebookPath: 'churn.ipynb' });
  expect(exp.status).toBe(201);
  const run = await t.call('POST', '/api/v1/runs', { id: runId, experimentId: 'exp-1', name: 'churn #1' });
  expect(run.status).toBe(201);
  return run.json;
}

const cell = (id: string, source: string) => ({
  id, cellId: `c-${id}`, executionCount: 1, source, sourceHash: 'abcdef0123', startedAt: 1, durationMs: 3, status: 'ok',
});

describe('runs API', () => {
  it('creates a run idempotently and reads it back', async () => {
    const created = await experimentWithRun();
    expect(Run.parse(created).status).toBe('running');
    const again = await t.call('POST', '/api/v1/runs', { id: 'run-1', experimentId: 'exp-1', name: 'churn #1' });
    expect(again.status).toBe(200);
    const got = await t.call('GET', '/api/v1/runs/run-1');
    expect(got.json).toMatchObject({ id: 'run-1', experimentId: 'exp-1', name: 'churn #1' });
  });

  it('logs a batch atomically and ignores retried metric points', async () => {
    await experimentWithRun();
    const batch = {
      params: [{ key: 'lr', value: 0.1 }, { key: 'layers', value: [64, 32] }],
      metrics: [0, 1, 2].map((step) => ({ key: 'loss', value: 1 / (step + 1), step, timestamp: 10 + step })),
      tags: [{ key: 'owner', value: 'ana' }],
    };
    const first = await t.call('POST', '/api/v1/runs/run-1/log-batch', batch);
    expect(first.json).toEqual({ accepted: 6, duplicates: 0 });
    const retry = await t.call('POST', '/api/v1/runs/run-1/log-batch', batch);
    expect(retry.json).toEqual({ accepted: 1, duplicates: 5 });
    const history = await t.call('GET', '/api/v1/runs/run-1/metric-history?key=loss');
    expect(history.json.points.map((p: { step: number }) => p.step)).toEqual([0, 1, 2]);
    const run = Run.parse((await t.call('GET', '/api/v1/runs/run-1')).json);
    expect(run.metrics).toEqual([{ key: 'loss', last: 1 / 3, min: 1 / 3, max: 1, step: 2, timestamp: 12, count: 3 }]);
    expect(run.params.map((p) => p.key).sort()).toEqual(['layers', 'lr']);
  });

  it('rejects a changed param without writing any part of the batch', async () => {
    await experimentWithRun();
    await t.call('POST', '/api/v1/runs/run-1/log-batch', { params: [{ key: 'lr', value: 0.1 }] });
    const bad = await t.call('POST', '/api/v1/runs/run-1/log-batch', {
      params: [{ key: 'lr', value: 0.2 }],
      metrics: [{ key: 'acc', value: 0.9, step: 0, timestamp: 1 }],
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'INVALID_PARAMETER_VALUE', path: 'body.params.0.value' });
    expect((await t.call('GET', '/api/v1/runs/run-1/metric-history?key=acc')).json.points).toEqual([]);
    const run = Run.parse((await t.call('GET', '/api/v1/runs/run-1')).json);
    expect(run.metrics).toEqual([]);
  });

  it('appends cell executions once and lists them in order', async () => {
    await experimentWithRun();
    const r1 = await t.call('POST', '/api/v1/runs/run-1/cells', { executions: [cell('e1', 'x = 1'), cell('e2', 'y = x')] });
    expect(r1.json).toEqual({ accepted: 2, duplicates: 0 });
    const r2 = await t.call('POST', '/api/v1/runs/run-1/cells', { executions: [cell('e2', 'y = x'), cell('e3', 'print(y)')] });
    expect(r2.json).toEqual({ accepted: 1, duplicates: 1 });
    const list = await t.call('GET', '/api/v1/runs/run-1/cells');
    expect(list.json.executions.map((e: { id: string }) => e.id)).toEqual(['e1', 'e2', 'e3']);
    expect((await t.call('GET', '/api/v1/runs/run-1')).json.cellCount).toBe(3);
  });

  it('finishes a run', async () => {
    await experimentWithRun();
    const done = await t.call('POST', '/api/v1/runs/run-1/finish', { status: 'failed', endTime: 99 });
    expect(done.json).toMatchObject({ status: 'failed', endTime: 99 });
  });

  it('searches with filters on params, metrics and tags, sorts, and pages with a cursor', async () => {
    await t.call('POST', '/api/v1/experiments', { id: 'exp-1', name: 'sweep' });
    for (let i = 0; i < 7; i++) {
      await t.call('POST', '/api/v1/runs', { id: `r${i}`, experimentId: 'exp-1', startTime: 1000 + i });
      await t.call('POST', `/api/v1/runs/r${i}/log-batch`, {
        params: [{ key: 'lr', value: i / 10 }, { key: 'opt', value: i % 2 ? 'adam' : 'sgd' }],
        metrics: [{ key: 'acc', value: 0.5 + i / 20, step: 0, timestamp: 1 }],
        tags: [{ key: 'team', value: i < 4 ? 'a' : 'b' }],
      });
    }
    const search = (body: object) => t.call('POST', '/api/v1/runs/search', body);
    const adam = await search({ filter: [{ field: 'params.opt', op: '=', value: 'adam' }, { field: 'metrics.acc', op: '>', value: 0.6 }] });
    expect(RunPage.parse(adam.json).runs.map((r) => r.id).sort()).toEqual(['r3', 'r5']);
    const sorted = await search({ orderBy: [{ field: 'metrics.acc', direction: 'asc' }], pageSize: 3 });
    expect(sorted.json.runs.map((r: { id: string }) => r.id)).toEqual(['r0', 'r1', 'r2']);
    const next = await search({ orderBy: [{ field: 'metrics.acc', direction: 'asc' }], pageSize: 3, cursor: sorted.json.nextCursor });
    expect(next.json.runs.map((r: { id: string }) => r.id)).toEqual(['r3', 'r4', 'r5']);
    const byTag = await search({ filter: [{ field: 'tags.team', op: 'in', value: ['b'] }, { field: 'params.lr', op: '<=', value: 0.5 }] });
    expect(byTag.json.runs.map((r: { id: string }) => r.id)).toEqual(['r5', 'r4']);
    const foreign = await search({ pageSize: 3, cursor: sorted.json.nextCursor });
    expect(foreign.status).toBe(400);
    expect(foreign.json.error.path).toBe('cursor');
  });

  it('stores blobs verified by sha256 and attaches them as artifacts', async () => {
    await experimentWithRun();
    const bytes = new TextEncoder().encode('model weights');
    const sha = createHash('sha256').update(bytes).digest('hex');
    const wrong = await t.call('PUT', `/api/v1/blobs/${'0'.repeat(64)}`, bytes);
    expect(wrong.status).toBe(422);
    expect((await t.call('HEAD', `/api/v1/blobs/${sha}`)).status).toBe(404);
    const artifact = { path: 'model.bin', size: bytes.length, sha256: sha, blob: { sha256: sha, size: bytes.length } };
    const early = await t.call('POST', '/api/v1/runs/run-1/artifacts', { artifacts: [artifact] });
    expect(early.status).toBe(409);
    expect((await t.call('PUT', `/api/v1/blobs/${sha}`, bytes)).status).toBe(201);
    expect((await t.call('PUT', `/api/v1/blobs/${sha}`, bytes)).status).toBe(200);
    expect((await t.call('GET', `/api/v1/blobs/${sha}`)).text).toBe('model weights');
    expect((await t.call('POST', '/api/v1/runs/run-1/artifacts', { artifacts: [artifact] })).json).toEqual({ accepted: 1, duplicates: 0 });
    expect((await t.call('GET', '/api/v1/runs/run-1')).json.artifacts).toEqual([artifact]);
  });
});

describe('params', () => {
  it('lets captured params follow the notebook but keeps explicit ones immutable', async () => {
    await experimentWithRun();
    const log = (params: object[]) => t.call('POST', '/api/v1/runs/run-1/log-batch', { params });
    expect((await log([{ key: 'lr', value: 0.1, origin: 'literal-assignment' }])).status).toBe(200);
    expect((await log([{ key: 'lr', value: 0.2, origin: 'literal-assignment' }])).status).toBe(200);
    expect((await log([{ key: 'seed', value: 1 }])).status).toBe(200);
    const bad = await log([{ key: 'seed', value: 2, origin: 'literal-assignment' }]);
    expect(bad.status).toBe(400);
    const run = Run.parse((await t.call('GET', '/api/v1/runs/run-1')).json);
    expect(Object.fromEntries(run.params.map((p) => [p.key, p.value]))).toEqual({ lr: 0.2, seed: 1 });
  });

  it('never stores a secret-looking param value, even from a client that did not redact', async () => {
    await experimentWithRun();
    await t.call('POST', '/api/v1/runs/run-1/log-batch', {
      params: [{ key: 'db_password', value: 'hunter2' }, { key: 'url', value: 'postgres://ana:s3cret@db:5432/x' }, { key: 'lr', value: 0.1 }],
    });
    const run = Run.parse((await t.call('GET', '/api/v1/runs/run-1')).json);
    const text = JSON.stringify(run);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('s3cret');
    expect(run.params.find((p) => p.key === 'lr')?.value).toBe(0.1);
  });

  it('redacts secrets in cell sources before storing them', async () => {
    await experimentWithRun();
    await t.call('POST', '/api/v1/runs/run-1/cells', { executions: [cell('e1', 'key = "AKIAIOSFODNN7EXAMPLE"\nx = 1')] });
    const [stored] = (await t.call('GET', '/api/v1/runs/run-1/cells')).json.executions;
    expect(stored.source).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(stored.source).toContain('x = 1');
  });
});

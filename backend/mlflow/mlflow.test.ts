import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getRunMap, readRun } from '@runtrail/core/sync';
import { createTestApp } from '../test-app';

let t: ReturnType<typeof createTestApp>;
const M = '/api/2.0/mlflow';

async function createRun(experimentName = 'exp'): Promise<{ experimentId: string; runId: string }> {
  const exp = await t.call('POST', `${M}/experiments/create`, { name: experimentName });
  const run = await t.call('POST', `${M}/runs/create`, { experiment_id: exp.json.experiment_id, start_time: 5 });
  return { experimentId: exp.json.experiment_id, runId: run.json.run.info.run_id };
}

beforeEach(() => {
  t = createTestApp();
});
afterEach(async () => {
  expect(t.errors).toEqual([]);
  await t.close();
});

describe("MLflow's error codes and statuses", () => {
  it('answers a missing experiment or run with 404 RESOURCE_DOES_NOT_EXIST', async () => {
    const exp = await t.call('GET', `${M}/experiments/get?experiment_id=nope`);
    expect(exp.status).toBe(404);
    expect(exp.json).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: expect.stringContaining('nope') });
    const run = await t.call('POST', `${M}/runs/log-batch`, { run_id: 'missing', metrics: [] });
    expect(run.status).toBe(404);
    expect(run.json.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('answers a duplicate experiment name with 400 RESOURCE_ALREADY_EXISTS', async () => {
    await t.call('POST', `${M}/experiments/create`, { name: 'same' });
    const again = await t.call('POST', `${M}/experiments/create`, { name: 'same' });
    expect(again.status).toBe(400);
    expect(again.json.error_code).toBe('RESOURCE_ALREADY_EXISTS');
  });

  it('lets exactly one of several concurrent creates of a name succeed', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => t.call('POST', `${M}/experiments/create`, { name: 'race' })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400]);
    const search = await t.call('POST', `${M}/experiments/search`, { filter: "name = 'race'" });
    expect(search.json.experiments).toHaveLength(1);
  });

  it('needs the bearer token, answers malformed JSON and unknown endpoints in MLflow shape', async () => {
    const anonymous = await t.app.request(`${M}/experiments/search`, { method: 'POST', body: '{}' });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error_code: 'UNAUTHENTICATED' });
    const malformed = await t.call('POST', `${M}/runs/log-batch`, '{"run_id": ');
    expect(malformed.status).toBe(400);
    expect(malformed.json.error_code).toBe('MALFORMED_REQUEST');
    const unknown = await t.call('POST', `${M}/runs/teleport`, {});
    expect(unknown.status).toBe(404);
    expect(unknown.json.error_code).toBe('ENDPOINT_NOT_FOUND');
  });

  it.each([
    ['1001 metrics', { metrics: Array.from({ length: 1001 }, (_, i) => ({ key: 'm', value: i, timestamp: 1, step: i })) }, 'metrics'],
    ['101 params', { params: Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: 'v' })) }, 'params'],
    ['101 tags', { tags: Array.from({ length: 101 }, (_, i) => ({ key: `t${i}`, value: 'v' })) }, 'tags'],
    ['more than 1000 entities in all', {
      metrics: Array.from({ length: 1000 }, (_, i) => ({ key: 'm', value: i, timestamp: 1, step: i })),
      params: [{ key: 'p', value: 'v' }],
    }, 'at most 1000'],
    ['a 251-character key', { params: [{ key: 'k'.repeat(251), value: 'v' }] }, 'params.0.key'],
    ['a 6001-character param value', { params: [{ key: 'k', value: 'v'.repeat(6001) }] }, 'params.0.value'],
    ['an 8001-character tag value', { tags: [{ key: 'k', value: 'v'.repeat(8001) }] }, 'tags.0.value'],
    ['a key with a newline', { metrics: [{ key: 'a\nb', value: 1, timestamp: 1 }] }, 'metrics.0.key'],
    ['a 501-character run name tag', { tags: [{ key: 'mlflow.runName', value: 'n'.repeat(501) }] }, 'at most 500'],
    ['a negative step', { metrics: [{ key: 'm', value: 1, timestamp: 1, step: -1 }] }, 'metrics.0.step'],
    ['an out-of-range timestamp', { metrics: [{ key: 'm', value: 1, timestamp: '9999999999999999999' }] }, 'metrics.0.timestamp'],
    ['a metric value that is not a number', { metrics: [{ key: 'm', value: 'high', timestamp: 1 }] }, 'metrics.0.value'],
  ])('log-batch with %s is 400 INVALID_PARAMETER_VALUE naming the field, and writes nothing', async (_name, body, mention) => {
    const { runId } = await createRun();
    const res = await t.call('POST', `${M}/runs/log-batch`, { run_id: runId, ...body });
    expect(res.status).toBe(400);
    expect(res.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(res.json.message).toContain(mention);
    const run = await t.call('GET', `/api/v1/runs/${runId}`);
    expect(run.json.metrics).toEqual([]);
    expect(run.json.params).toEqual([]);
  });

  it('takes a 6000-character param value (MLflow counts characters) and keeps the run searchable', async () => {
    const { runId } = await createRun();
    const res = await t.call('POST', `${M}/runs/log-parameter`, { run_id: runId, key: 'long', value: 'v'.repeat(6000) });
    expect(res.status).toBe(200);
    const found = await t.call('POST', '/api/v1/runs/search', { filter: [{ field: 'params.long', op: 'like', value: 'vvv%' }] });
    expect(found.json.runs.map((r: { id: string }) => r.id)).toEqual([runId]);
  });

  it('refuses a changed param value and writes nothing of that batch', async () => {
    const { runId } = await createRun();
    await t.call('POST', `${M}/runs/log-parameter`, { run_id: runId, key: 'lr', value: '0.1' });
    const res = await t.call('POST', `${M}/runs/log-batch`, {
      run_id: runId,
      params: [{ key: 'lr', value: '0.2' }],
      metrics: [{ key: 'loss', value: 1, timestamp: 1, step: 0 }],
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining("key='lr'") });
    expect((await t.call('GET', `/api/v1/runs/${runId}/metric-history?key=loss`)).json.points).toEqual([]);
    // The same value again is fine (idempotent retry).
    expect((await t.call('POST', `${M}/runs/log-parameter`, { run_id: runId, key: 'lr', value: '0.1' })).status).toBe(200);
  });

  it('refuses writes to a deleted run until it is restored', async () => {
    const { runId } = await createRun();
    await t.call('POST', `${M}/runs/delete`, { run_id: runId });
    const refused = await t.call('POST', `${M}/runs/set-tag`, { run_id: runId, key: 'k', value: 'v' });
    expect(refused.status).toBe(400);
    expect(refused.json.message).toContain("'active' state");
    await t.call('POST', `${M}/runs/restore`, { run_id: runId });
    expect((await t.call('POST', `${M}/runs/set-tag`, { run_id: runId, key: 'k', value: 'v' })).status).toBe(200);
  });

  it('answers bad search input with 400: filter syntax, max_results, page token, order_by', async () => {
    const { experimentId } = await createRun();
    for (const body of [
      { experiment_ids: [experimentId], filter: 'metrics.acc >>> 1' },
      { experiment_ids: [experimentId], max_results: 0 },
      { experiment_ids: [experimentId], max_results: 50_001 },
      { experiment_ids: [experimentId], page_token: 'garbage!' },
      { experiment_ids: [experimentId], order_by: ['colour DESC'] },
    ]) {
      const res = await t.call('POST', `${M}/runs/search`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    }
  });

  it('answers registry misuse in MLflow codes', async () => {
    const { runId } = await createRun();
    expect((await t.call('GET', `${M}/registered-models/get?name=nope`)).json.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    await t.call('POST', `${M}/registered-models/create`, { name: 'm' });
    const dup = await t.call('POST', `${M}/registered-models/create`, { name: 'm' });
    expect([dup.status, dup.json.error_code]).toEqual([400, 'RESOURCE_ALREADY_EXISTS']);
    const noArtifact = await t.call('POST', `${M}/model-versions/create`, { name: 'm', source: `runs:/${runId}/model`, run_id: runId });
    expect([noArtifact.status, noArtifact.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    const foreign = await t.call('POST', `${M}/model-versions/create`, { name: 'm', source: 's3://bucket/model' });
    expect(foreign.json.message).toContain('run artifacts');
    const stage = await t.call('POST', `${M}/model-versions/transition-stage`, { name: 'm', version: '1', stage: 'Production' });
    expect(stage.json.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    const alias = await t.call('POST', `${M}/registered-models/alias`, { name: 'm', alias: 'latest', version: '1' });
    expect(alias.status).toBe(404);
  });
});

describe('MLflow writes go through the experiment doc', () => {
  it('a run logged over MLflow is in the Y.Doc, in the search index and in the Default experiment when none is named', async () => {
    const created = await t.call('POST', `${M}/runs/create`, { run_name: 'r', tags: [{ key: 'mlflow.user', value: 'ana' }] });
    const runId = created.json.run.info.run_id as string;
    expect(created.json.run.info).toMatchObject({ experiment_id: '0', run_name: 'r', user_id: 'ana', status: 'RUNNING', lifecycle_stage: 'active' });
    await t.call('POST', `${M}/runs/log-metric`, { run_id: runId, key: 'acc', value: 0.9, timestamp: 1, step: 2 });
    await t.call('POST', `${M}/runs/update`, { run_id: runId, status: 'FINISHED', end_time: 9 });
    const fromDoc = await t.docs.read('0', (doc) => readRun(getRunMap(doc, runId)!));
    expect(fromDoc).toMatchObject({ name: 'r', status: 'finished', endTime: 9, metrics: [{ key: 'acc', last: 0.9, step: 2 }] });
    const search = await t.call('POST', '/api/v1/runs/search', { filter: [{ field: 'metrics.acc', op: '>', value: 0.5 }] });
    expect(search.json.runs.map((r: { id: string }) => r.id)).toEqual([runId]);
    const exp = await t.call('GET', `${M}/experiments/get-by-name?experiment_name=Default`);
    expect(exp.json.experiment).toMatchObject({ experiment_id: '0', name: 'Default', artifact_location: 'mlflow-artifacts:/0' });
  });

  it('metric history pages with max_results and page_token', async () => {
    const { runId } = await createRun();
    const metrics = Array.from({ length: 5 }, (_, i) => ({ key: 'loss', value: 1 / (i + 1), timestamp: 1, step: i }));
    await t.call('POST', `${M}/runs/log-batch`, { run_id: runId, metrics });
    const first = await t.call('GET', `${M}/metrics/get-history?run_id=${runId}&metric_key=loss&max_results=3`);
    expect(first.json.metrics.map((m: { step: number }) => m.step)).toEqual([0, 1, 2]);
    const rest = await t.call('GET', `${M}/metrics/get-history?run_id=${runId}&metric_key=loss&max_results=3&page_token=${first.json.next_page_token}`);
    expect(rest.json.metrics.map((m: { step: number }) => m.step)).toEqual([3, 4]);
    expect(rest.json.next_page_token).toBeUndefined();
  });
});

describe('the mlflow-artifacts proxy', () => {
  it('uploads into the blob store, attaches to the run, lists and downloads', async () => {
    const { experimentId, runId } = await createRun();
    const root = `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts`;
    const bytes = new TextEncoder().encode('weights');
    expect((await t.call('PUT', `${root}/model/w.bin`, bytes)).status).toBe(200);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const run = await t.call('GET', `/api/v1/runs/${runId}`);
    expect(run.json.artifacts).toEqual([{ path: 'model/w.bin', size: 7, sha256, blob: { sha256, size: 7 } }]);
    const listed = await t.call('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${experimentId}/${runId}/artifacts/model`);
    expect(listed.json.files).toEqual([{ path: 'w.bin', is_dir: false, file_size: 7 }]);
    const tracking = await t.call('GET', `${M}/artifacts/list?run_id=${runId}`);
    expect(tracking.json).toEqual({ root_uri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`, files: [{ path: 'model', is_dir: true }] });
    expect((await t.call('GET', `${root}/model/w.bin`)).text).toBe('weights');
  });

  it('refuses an upload over the blob size limit with 413 and attaches nothing', async () => {
    const { experimentId, runId } = await createRun();
    const big = new Uint8Array(10 * 1024 * 1024 + 1);
    const res = await t.call('PUT', `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/big.bin`, big);
    expect([res.status, res.json.error_code]).toEqual([413, 'INVALID_PARAMETER_VALUE']);
    expect((await t.call('GET', `/api/v1/runs/${runId}`)).json.artifacts).toEqual([]);
  });

  it('refuses an artifact path longer than runtrail keeps (1024) with 400', async () => {
    const { experimentId, runId } = await createRun();
    const res = await t.call('PUT', `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/${'d/'.repeat(520)}f`, new Uint8Array([1]));
    expect([res.status, res.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
  });

  it('refuses paths outside a run, traversal and runs of another experiment', async () => {
    const { runId } = await createRun();
    const other = await t.call('POST', `${M}/experiments/create`, { name: 'other' });
    const cases: [string, number][] = [
      [`${other.json.experiment_id}/${runId}/artifacts/f`, 404],
      [`x/${runId}/artifacts/..%2F..%2Fetc%2Fpasswd`, 400],
      ['just-a-file', 404],
      [`${other.json.experiment_id}/nope/artifacts/f`, 404],
    ];
    for (const [path, status] of cases) {
      const res = await t.call('PUT', `/api/2.0/mlflow-artifacts/artifacts/${path}`, new TextEncoder().encode('x'));
      expect(res.status, path).toBe(status);
      expect(res.json.error_code, path).toMatch(/^(RESOURCE_DOES_NOT_EXIST|INVALID_PARAMETER_VALUE)$/);
    }
    expect((await t.call('GET', `/api/v1/runs/${runId}`)).json.artifacts).toEqual([]);
  });
});

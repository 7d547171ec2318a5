import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../test-app';

let t: ReturnType<typeof createTestApp>;
const V = '/api/v1';

async function artifact(runId: string, path: string, content: string) {
  const bytes = new TextEncoder().encode(content);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await t.call('PUT', `${V}/blobs/${sha256}`, bytes);
  await t.call('POST', `${V}/runs/${runId}/artifacts`, { artifacts: [{ path, size: bytes.length, sha256, blob: { sha256, size: bytes.length } }] });
}

beforeEach(async () => {
  t = createTestApp();
  await t.call('POST', `${V}/experiments`, { id: 'exp-1', name: 'e', kind: 'notebook', notebookPath: 'train.ipynb' });
  await t.call('POST', `${V}/runs`, { id: 'run-1', experimentId: 'exp-1', source: { kind: 'notebook', path: 'train.ipynb' } });
  await t.call('POST', `${V}/runs/run-1/cells`, {
    executions: [
      { id: 'x1', cellId: 'load', executionCount: 1, source: 'df = load()', sourceHash: 'aaaaaaaa', startedAt: 1, durationMs: 1, status: 'ok' },
      { id: 'x2', cellId: 'fit', executionCount: 2, source: 'model = fit(df)', sourceHash: 'bbbbbbbb', startedAt: 2, durationMs: 1, status: 'ok' },
      { id: 'x3', cellId: 'fit', executionCount: 3, source: 'model = fit(df, C=2)', sourceHash: 'cccccccc', startedAt: 3, durationMs: 1, status: 'ok' },
    ],
  });
  await t.call('POST', `${V}/runs/run-1/snapshots`, {
    snapshots: [{ id: 'snap-1', name: 'df', kind: 'pandas', fingerprint: 'f'.repeat(32), shape: [10, 2], capturedAt: 1 }],
  });
  await artifact('run-1', 'model/model.pkl', 'pickle');
  await artifact('run-1', 'model/MLmodel', 'flavors: {}');
  await artifact('run-1', 'plot.png', 'png');
  await t.call('POST', `${V}/models`, { name: 'churn', description: 'churn model' });
});
afterEach(async () => {
  expect(t.errors).toEqual([]);
  await t.close();
});

describe('versions', () => {
  it("are numbered by the server from a run's artifacts and never reused", async () => {
    const v1 = await t.call('POST', `${V}/models/churn/versions`, { runId: 'run-1', path: 'model' });
    expect(v1.status).toBe(201);
    expect(v1.json).toMatchObject({ version: 1, runId: 'run-1', source: 'model', stage: 'None', snapshotIds: ['snap-1'], cellIds: ['load', 'fit'] });
    expect(v1.json.artifacts.map((a: { path: string }) => a.path).sort()).toEqual(['model/MLmodel', 'model/model.pkl']);
    const v2 = await t.call('POST', `${V}/models/churn/versions`, { runId: 'run-1', path: 'plot.png' });
    expect(v2.json.version).toBe(2);
    expect(v2.json.artifacts.map((a: { path: string }) => a.path)).toEqual(['plot.png']);
    await t.call('DELETE', `${V}/models/churn/versions/2?confirm=churn/2`);
    expect((await t.call('POST', `${V}/models/churn/versions`, { runId: 'run-1', path: '' })).json.version).toBe(3);
    expect((await t.call('GET', `${V}/models/churn`)).json.latestVersion).toBe(3);
  });

  it('need an existing run with artifacts at the path', async () => {
    const missingRun = await t.call('POST', `${V}/models/churn/versions`, { runId: 'nope', path: 'model' });
    expect([missingRun.status, missingRun.json.error.path]).toEqual([404, 'body.runId']);
    const noArtifact = await t.call('POST', `${V}/models/churn/versions`, { runId: 'run-1', path: 'weights' });
    expect([noArtifact.status, noArtifact.json.error.path]).toEqual([400, 'body.path']);
    const traversal = await t.call('POST', `${V}/models/churn/versions`, { runId: 'run-1', path: '../x' });
    expect([traversal.status, traversal.json.error.path]).toEqual([400, 'body.path']);
    const missingModel = await t.call('POST', `${V}/models/nope/versions`, { runId: 'run-1', path: 'model' });
    expect([missingModel.status, missingModel.json.error.path]).toEqual([404, 'params.modelName']);
    expect((await t.call('GET', `${V}/models/churn/versions`)).json.versions).toEqual([]);
  });

  it('carry lineage: run, data snapshots and the last execution of each code cell', async () => {
    await t.call('POST', `${V}/models/churn/versions`, { runId: 'run-1', path: 'model' });
    const lineage = await t.call('GET', `${V}/models/churn/versions/1/lineage`);
    expect(lineage.json.run).toMatchObject({ id: 'run-1', experimentId: 'exp-1' });
    expect(lineage.json.snapshots.map((s: { id: string }) => s.id)).toEqual(['snap-1']);
    expect(lineage.json.cells.map((c: { cellId: string; source: string }) => [c.cellId, c.source])).toEqual([
      ['load', 'df = load()'],
      ['fit', 'model = fit(df, C=2)'],
    ]);
  });
});

describe('aliases and stages', () => {
  beforeEach(async () => {
    await t.call('POST', `${V}/models/churn/versions`, { runId: 'run-1', path: 'model' });
    await t.call('POST', `${V}/models/churn/versions`, { runId: 'run-1', path: 'model' });
  });

  it('every alias or stage change is audited with who, when, from and to', async () => {
    await t.call('PUT', `${V}/models/churn/aliases/champion`, { version: 1 });
    await t.call('PUT', `${V}/models/churn/aliases/champion`, { version: 2 });
    await t.call('PUT', `${V}/models/churn/aliases/champion`, { version: 2 });
    await t.call('POST', `${V}/models/churn/versions/1/stage`, { stage: 'Production' });
    await t.call('POST', `${V}/models/churn/versions/2/stage`, { stage: 'Production', archiveExisting: true });
    await t.call('DELETE', `${V}/models/churn/aliases/champion`);
    const entries = (await t.call('GET', `${V}/models/churn/audit`)).json.entries as Record<string, unknown>[];
    const changes = entries.filter((e) => e.action !== 'version.create' && e.action !== 'model.create');
    expect(changes.map((e) => [e.action, e.target, e.from, e.to])).toEqual([
      ['alias.set', 'alias:champion', null, '1'],
      ['alias.set', 'alias:champion', '1', '2'],
      ['stage.transition', 'version:1', 'None', 'Production'],
      ['stage.transition', 'version:1', 'Production', 'Archived'],
      ['stage.transition', 'version:2', 'None', 'Production'],
      ['alias.delete', 'alias:champion', '2', null],
    ]);
    for (const e of changes) {
      expect(e.actor).toBe('local');
      expect(typeof e.at).toBe('number');
    }
  });

  it('aliases show on the model and its version; deleting a version drops its aliases (audited)', async () => {
    await t.call('PUT', `${V}/models/churn/aliases/champion`, { version: 2 });
    expect((await t.call('GET', `${V}/models/churn`)).json.aliases).toEqual([{ alias: 'champion', version: 2 }]);
    expect((await t.call('GET', `${V}/models/churn/versions/2`)).json.aliases).toEqual(['champion']);
    await t.call('DELETE', `${V}/models/churn/versions/2?confirm=churn/2`);
    expect((await t.call('GET', `${V}/models/churn`)).json.aliases).toEqual([]);
    const last = (await t.call('GET', `${V}/models/churn/audit`)).json.entries.slice(-2);
    expect(last.map((e: { action: string }) => e.action)).toEqual(['alias.delete', 'version.delete']);
  });

  it('refuses reserved alias names and versions that do not exist', async () => {
    const reserved = await t.call('PUT', `${V}/models/churn/aliases/latest`, { version: 1 });
    expect([reserved.status, reserved.json.error.path]).toEqual([400, 'params.alias']);
    const missing = await t.call('PUT', `${V}/models/churn/aliases/champion`, { version: 9 });
    expect([missing.status, missing.json.error.path]).toEqual([404, 'body.version']);
    const stage = await t.call('POST', `${V}/models/churn/versions/1/stage`, { stage: 'Live' });
    expect([stage.status, stage.json.error.path]).toEqual([400, 'body.stage']);
  });
});

describe('models', () => {
  it('refuses a duplicate name with 409 and lists by name pattern', async () => {
    const dup = await t.call('POST', `${V}/models`, { name: 'churn' });
    expect([dup.status, dup.json.error.code]).toEqual([409, 'RESOURCE_ALREADY_EXISTS']);
    await t.call('POST', `${V}/models`, { name: 'fraud' });
    expect((await t.call('GET', `${V}/models?nameLike=fr%25`)).json.models.map((m: { name: string }) => m.name)).toEqual(['fraud']);
    const page = await t.call('GET', `${V}/models?pageSize=1`);
    expect(page.json.models.map((m: { name: string }) => m.name)).toEqual(['churn']);
    const next = await t.call('GET', `${V}/models?pageSize=1&cursor=${page.json.nextCursor}`);
    expect(next.json.models.map((m: { name: string }) => m.name)).toEqual(['fraud']);
  });

  it('updates description and tags', async () => {
    await t.call('POST', `${V}/models/churn/update`, { setTags: [{ key: 'team', value: 'a' }, { key: 'x', value: '1' }] });
    const updated = await t.call('POST', `${V}/models/churn/update`, { description: 'v2', deleteTags: ['x'] });
    expect(updated.json).toMatchObject({ description: 'v2', tags: [{ key: 'team', value: 'a' }] });
  });

  it('deletes permanently only with the name repeated as confirmation; the audit log remains', async () => {
    await t.call('POST', `${V}/models/churn/versions`, { runId: 'run-1', path: 'model' });
    await t.call('PUT', `${V}/models/churn/aliases/prod`, { version: 1 });
    const unconfirmed = await t.call('DELETE', `${V}/models/churn?confirm=chrun`);
    expect([unconfirmed.status, unconfirmed.json.error.code, unconfirmed.json.error.path]).toEqual([400, 'CONFIRMATION_REQUIRED', 'query.confirm']);
    expect((await t.call('GET', `${V}/models/churn`)).status).toBe(200);
    const deleted = await t.call('DELETE', `${V}/models/churn?confirm=churn`);
    expect(deleted.json).toEqual({ deleted: 'churn' });
    expect((await t.call('GET', `${V}/models/churn`)).status).toBe(404);
    expect((await t.call('GET', `${V}/models/churn/versions/1`)).status).toBe(404);
    const audit = (await t.call('GET', `${V}/models/churn/audit`)).json.entries;
    expect(audit.map((e: { action: string }) => e.action)).toEqual(['model.create', 'version.create', 'alias.set', 'alias.delete', 'model.delete']);
    // The name is free again, and numbering restarts for the new model.
    await t.call('POST', `${V}/models`, { name: 'churn' });
    expect((await t.call('POST', `${V}/models/churn/versions`, { runId: 'run-1', path: 'model' })).json.version).toBe(1);
  });

  it('rejects names that cannot travel in a path', async () => {
    const res = await t.call('POST', `${V}/models`, { name: 'a/b' });
    expect([res.status, res.json.error.path]).toEqual([400, 'body.name']);
  });
});

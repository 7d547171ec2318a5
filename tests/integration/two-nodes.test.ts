/**
 * Two `runtrail serve` processes on one PostgreSQL (the harness starts it): a sync client on node 1 sees what is
 * written on node 2 — a run created over REST, a run logged through the MLflow API, a note and tag edited by a
 * sync client — within the latency budget, and offline edits made on both nodes merge once the clients reconnect.
 * Also carried across nodes: a token revoked on node 2 closes its socket on node 1, and a registry view on node 1
 * shows a version and alias registered on node 2.
 *
 * Latency budget here: 500 ms from the write's acknowledgement on node 2 (for the sync edit: from the edit in the
 * client on node 2) to the change in node 1's client doc; the path is commit -> NOTIFY -> node 1 reads the row ->
 * WebSocket. The product goal is p95 <= 50 ms (tests/bench/sync-fanout.bench.ts); this test allows ten times that
 * because the machine's two cores are shared with other suites. The measured latencies are printed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { RuntrailClient } from '@runtrail/core/client';
import { createHash } from 'node:crypto';
import {
  SyncClient,
  getRunMap,
  noteText,
  readRegistryMirror,
  readRun,
  writeTags,
} from '@runtrail/core/sync';
import { startTestPostgres, type TestPostgres } from '../../backend/store/postgres/test-server';
import { ensureBuilt, startBackend, tempDataDir, type BackendProcess } from './harness';
import { openSyncClient, seenAt, until } from './sync-clients';

const TOKEN = 'two-nodes-token';
const BUDGET_MS = 500;

let server: TestPostgres;
let nodes: BackendProcess[] = [];
const folders: { remove(): void }[] = [];
const clients: SyncClient[] = [];
beforeAll(async () => {
  ensureBuilt();
  server = await startTestPostgres();
  const db = await server.createDatabase();
  for (let i = 0; i < 2; i++) {
    const data = tempDataDir();
    folders.push(data);
    nodes.push(await startBackend(data.dir, TOKEN, 0, ['--db', db]));
  }
});
afterAll(async () => {
  for (const c of clients) c.dispose();
  await Promise.all(nodes.map((n) => n.stop()));
  nodes = [];
  for (const f of folders) f.remove();
  await server?.stop();
});

/** A sync client on `node`, disposed after the suite. */
function syncClient(node: BackendProcess, experimentId: string, token = TOKEN, path = experimentId) {
  const opened = openSyncClient(node.url, path, token);
  clients.push(opened.client);
  return opened;
}

async function mlflow(node: BackendProcess, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${node.url}/api/2.0/mlflow/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

/** The run as the doc holds it, tags sorted by key (a map's key order is local, not part of its state). */
/** A request with the local admin token; returns the JSON body after checking the status. */
async function call(node: BackendProcess, method: string, path: string, body: unknown, status: number): Promise<Record<string, unknown>> {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: body === undefined ? undefined : body instanceof Uint8Array ? body : JSON.stringify(body),
  });
  expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBe(status);
  return (await res.json()) as Record<string, unknown>;
}

const runOf = (doc: Y.Doc, id: string) => {
  const map = getRunMap(doc, id);
  if (!map) return undefined;
  const run = readRun(map);
  return { ...run, tags: [...run.tags].sort((a, b) => a.key.localeCompare(b.key)) };
};

describe('two backend nodes on one PostgreSQL', () => {
  it('a sync client on node 1 sees runs created on node 2 over REST and MLflow, and sync edits made there', async () => {
    const [node1, node2] = nodes as [BackendProcess, BackendProcess];
    const rest2 = new RuntrailClient({ baseUrl: node2.url, token: TOKEN });
    await rest2.call('createExperiment', { body: { id: 'exp-two-nodes', name: 'two nodes' } });
    const watcher = syncClient(node1, 'exp-two-nodes');
    await until('client on node 1 synced', () => watcher.client.status === 'synced');

    // REST on node 2.
    const restSeen = seenAt(watcher.doc, () => runOf(watcher.doc, 'rest-run')?.params.length === 1, 'REST run with its param');
    await rest2.call('createRun', { body: { id: 'rest-run', experimentId: 'exp-two-nodes', name: 'over REST' } });
    await rest2.call('logBatch', { params: { runId: 'rest-run' }, body: { params: [{ key: 'lr', value: 0.01 }], metrics: [] } });
    const restAcked = performance.now();
    const restMs = Math.max(0, (await restSeen) - restAcked);
    expect(runOf(watcher.doc, 'rest-run')).toMatchObject({ name: 'over REST', params: [expect.objectContaining({ key: 'lr', value: 0.01 })] });

    // The MLflow API on node 2.
    const created = (await mlflow(node2, 'runs/create', { experiment_id: 'exp-two-nodes', run_name: 'over mlflow' })) as {
      run: { info: { run_id: string } };
    };
    const mlflowRunId = created.run.info.run_id;
    const mlflowSeen = seenAt(watcher.doc, () => runOf(watcher.doc, mlflowRunId)?.params.some((p) => p.key === 'alpha') === true, 'MLflow log-batch');
    await mlflow(node2, 'runs/log-batch', { run_id: mlflowRunId, params: [{ key: 'alpha', value: '0.5' }], metrics: [{ key: 'acc', value: 0.9, timestamp: 1, step: 0 }] });
    const mlflowAcked = performance.now();
    const mlflowMs = Math.max(0, (await mlflowSeen) - mlflowAcked);
    expect(runOf(watcher.doc, mlflowRunId)).toMatchObject({ name: 'over mlflow', metrics: [expect.objectContaining({ key: 'acc', last: 0.9 })] });

    // A sync client on node 2 edits the note and a tag.
    const editor = syncClient(node2, 'exp-two-nodes');
    await until('client on node 2 synced', () => editor.client.status === 'synced' && getRunMap(editor.doc, 'rest-run'));
    const editSeen = seenAt(
      watcher.doc,
      () => runOf(watcher.doc, 'rest-run')?.note === 'looks good' && runOf(watcher.doc, 'rest-run')?.tags.some((t) => t.key === 'review') === true,
      'note and tag edit',
    );
    const run = getRunMap(editor.doc, 'rest-run')!;
    const edited = performance.now();
    editor.doc.transact(() => {
      noteText(run).insert(0, 'looks good');
      writeTags(run, [{ key: 'review', value: 'done' }]);
    });
    const editMs = (await editSeen) - edited;

    // Repeated: sync edits on node 2, each timed until node 1's client shows it (sequential, as the bench does).
    const latencies: number[] = [];
    for (let i = 0; i < 40; i++) {
      const value = `edit-${i}`;
      const seen = seenAt(watcher.doc, () => runOf(watcher.doc, 'rest-run')?.tags.some((t) => t.value === value) === true, value);
      const started = performance.now();
      writeTags(run, [{ key: 'review', value }]);
      latencies.push((await seen) - started);
    }
    latencies.sort((a, b) => a - b);
    const p50 = latencies[20]!;
    const p95 = latencies[Math.floor(latencies.length * 0.95)]!;
    console.log(`two nodes: 40 sync edits node 2 -> node 1: p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`);
    expect(p95).toBeLessThan(BUDGET_MS);

    console.log(`two nodes: node 2 -> client on node 1: REST ${restMs.toFixed(1)} ms, MLflow ${mlflowMs.toFixed(1)} ms, sync edit ${editMs.toFixed(1)} ms`);
    for (const ms of [restMs, mlflowMs, editMs]) expect(ms).toBeLessThan(BUDGET_MS);

    // The sync edit was stored and indexed: node 1's REST API (its SQL index) has it.
    const rest1 = new RuntrailClient({ baseUrl: node1.url, token: TOKEN });
    const indexed = await rest1.call('getRun', { params: { runId: 'rest-run' } });
    expect(indexed.tags).toContainEqual({ key: 'review', value: 'edit-39' });
    expect(indexed.note).toBe('looks good');
  });

  it("merges a run's note and tags edited offline on both nodes at the same time once the clients reconnect", async () => {
    const [node1, node2] = nodes as [BackendProcess, BackendProcess];
    const rest1 = new RuntrailClient({ baseUrl: node1.url, token: TOKEN });
    await rest1.call('createExperiment', { body: { id: 'exp-offline', name: 'offline edits' } });
    await rest1.call('createRun', { body: { id: 'shared-run', experimentId: 'exp-offline', name: 'shared' } });
    const one = syncClient(node1, 'exp-offline');
    const two = syncClient(node2, 'exp-offline');
    await until('both synced with the run', () => getRunMap(one.doc, 'shared-run') && getRunMap(two.doc, 'shared-run'));
    noteText(getRunMap(one.doc, 'shared-run')!).insert(0, 'baseline.');
    await until('base note on node 2', () => runOf(two.doc, 'shared-run')?.note === 'baseline.');

    for (const side of [one, two]) {
      side.gate.offline = true;
      side.gate.socket!.close();
    }
    await until('both offline', () => one.client.status === 'offline' && two.client.status === 'offline');
    const runOne = getRunMap(one.doc, 'shared-run')!;
    const runTwo = getRunMap(two.doc, 'shared-run')!;
    one.doc.transact(() => {
      noteText(runOne).insert(0, 'From one. ');
      writeTags(runOne, [{ key: 'owner', value: 'one' }, { key: 'data', value: 'v1' }]);
    });
    two.doc.transact(() => {
      noteText(runTwo).insert(noteText(runTwo).length, ' From two.');
      writeTags(runTwo, [{ key: 'reviewed', value: 'two' }, { key: 'data', value: 'v2' }]);
    });
    expect(runOf(one.doc, 'shared-run')!.note).toBe('From one. baseline.');
    expect(runOf(two.doc, 'shared-run')!.note).toBe('baseline. From two.');

    for (const side of [one, two]) side.gate.offline = false;
    const merged = await until('both docs converged', () => {
      const a = runOf(one.doc, 'shared-run')!;
      const b = runOf(two.doc, 'shared-run')!;
      return a.note.length > 'From one. baseline.'.length && JSON.stringify(a) === JSON.stringify(b) ? a : undefined;
    });
    expect(merged.note).toBe('From one. baseline. From two.');
    const tags = Object.fromEntries(merged.tags.map((t) => [t.key, t.value]));
    expect(tags).toMatchObject({ owner: 'one', reviewed: 'two' });
    // Both wrote `data`: one value wins, the same on both sides.
    expect(['v1', 'v2']).toContain(tags.data);

    // Both nodes' indexes agree with the merged docs.
    for (const node of [node1, node2]) {
      const api = new RuntrailClient({ baseUrl: node.url, token: TOKEN });
      const run = await api.call('getRun', { params: { runId: 'shared-run' } });
      expect(run.note).toBe(merged.note);
      expect(Object.fromEntries(run.tags.map((t) => [t.key, t.value]))).toEqual(tags);
    }
  });

  it("a token revoked on node 2 closes its sync socket on node 1 at once", async () => {
    const [node1, node2] = nodes as [BackendProcess, BackendProcess];
    await call(node2, 'POST', '/api/v1/auth/users', { name: 'alice' }, 201);
    await call(node2, 'PUT', '/api/v1/auth/workspaces/default/members/alice', { role: 'editor' }, 200);
    const { token, secret } = (await call(node2, 'POST', '/api/v1/auth/tokens', { user: 'alice', name: 'laptop' }, 201)) as {
      token: { id: string };
      secret: string;
    };
    await call(node2, 'POST', '/api/v1/experiments', { id: 'exp-revoke', name: 'revocation' }, 201);
    const alice = syncClient(node1, 'exp-revoke', secret);
    await until('alice synced on node 1', () => alice.client.status === 'synced');

    const revoked = performance.now();
    await call(node2, 'DELETE', `/api/v1/auth/tokens/${token.id}`, undefined, 200);
    await until('alice cut off on node 1', () => alice.client.status === 'unauthorized');
    const ms = performance.now() - revoked;
    console.log(`two nodes: token revoked on node 2 -> its socket on node 1 closed in ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThan(BUDGET_MS);
    const rest = await fetch(`${node1.url}/api/v1/experiments/exp-revoke`, { headers: { authorization: `Bearer ${secret}` } });
    expect(rest.status).toBe(401);
  });

  it("a registry view on node 1 shows a version and alias registered on node 2, without polling", async () => {
    const [node1, node2] = nodes as [BackendProcess, BackendProcess];
    const view = syncClient(node1, 'registry', TOKEN, 'registry/default');
    await until('registry view synced on node 1', () => view.client.status === 'synced');
    await call(node2, 'POST', '/api/v1/experiments', { id: 'exp-models', name: 'models' }, 201);
    await call(node2, 'POST', '/api/v1/runs', { id: 'model-run', experimentId: 'exp-models' }, 201);
    const bytes = new TextEncoder().encode('weights');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const put = await fetch(`${node2.url}/api/v1/blobs/${sha256}`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}` }, body: bytes });
    expect(put.ok).toBe(true);
    const artifact = { path: 'model/model.pkl', size: bytes.length, sha256, blob: { sha256, size: bytes.length } };
    await call(node2, 'POST', '/api/v1/runs/model-run/artifacts', { artifacts: [artifact] }, 200);
    await call(node2, 'POST', '/api/v1/models', { name: 'two-node-model' }, 201);
    await call(node2, 'POST', '/api/v1/models/two-node-model/versions', { runId: 'model-run', path: 'model' }, 201);
    const aliased = seenAt(
      view.doc,
      () => readRegistryMirror(view.doc).some((m) => m.model.name === 'two-node-model' && m.versions[0]?.aliases.includes('champion')),
      'alias in the registry view',
    );
    await call(node2, 'PUT', '/api/v1/models/two-node-model/aliases/champion', { version: 1 }, 200);
    const acked = performance.now();
    const ms = Math.max(0, (await aliased) - acked);
    console.log(`two nodes: alias set on node 2 -> registry view on node 1 in ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThan(BUDGET_MS);
  });
});

/**
 * Live collaboration on one `runtrail serve` (SQLite): two sync clients in Node (the core SyncClient both
 * extensions use) edit a run's note and tags through the core/sync edit functions the run detail calls.
 * - Live: each sees the other's note and tag edits, and a new run, within 1 s.
 * - Offline: both edit the same note (even the same sentence) and the same tags while disconnected, reconnect,
 *   and end with the same merged text holding both edits; the REST API and the MLflow API's runs/get show it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { createRedactor } from '@runtrail/core/capture';
import { RuntrailClient } from '@runtrail/core/client';
import { SyncClient, applyNoteEdit, deleteRunTag, getRunMap, readRun, setRunTag } from '@runtrail/core/sync';
import { ensureBuilt, startBackend, tempDataDir, type BackendProcess } from './harness';
import { openSyncClient, seenAt, until } from './sync-clients';

const TOKEN = 'collab-token';
const LIVE_BUDGET_MS = 1000;
const redactor = createRedactor();

let node: BackendProcess;
let data: ReturnType<typeof tempDataDir>;
let rest: RuntrailClient;
const clients: SyncClient[] = [];

beforeAll(async () => {
  ensureBuilt();
  data = tempDataDir();
  node = await startBackend(data.dir, TOKEN);
  rest = new RuntrailClient({ baseUrl: node.url, token: TOKEN });
});
afterAll(async () => {
  for (const c of clients) c.dispose();
  await node?.stop();
  data?.remove();
});

/** A sync client of the experiment doc, disposed after the suite. */
function syncClient(experimentId: string) {
  const opened = openSyncClient(node.url, experimentId, TOKEN);
  clients.push(opened.client);
  return opened;
}

/** Milliseconds from now until `probe` holds on `doc` (checked on each of its updates). */
async function msUntil(doc: Y.Doc, probe: () => boolean, what: string): Promise<number> {
  const started = performance.now();
  return (await seenAt(doc, probe, what)) - started;
}

const runOf = (doc: Y.Doc, id: string) => {
  const map = getRunMap(doc, id);
  if (!map) return undefined;
  const run = readRun(map);
  return { ...run, tags: [...run.tags].sort((a, b) => a.key.localeCompare(b.key)) };
};
const note = (doc: Y.Doc, id: string) => runOf(doc, id)?.note ?? '';
const tagMap = (tags: { key: string; value: string }[]) => Object.fromEntries(tags.map((t) => [t.key, t.value]));

async function mlflowRunTags(runId: string): Promise<Record<string, string>> {
  const res = await fetch(`${node.url}/api/2.0/mlflow/runs/get?run_id=${runId}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status, await res.clone().text()).toBe(200);
  const body = (await res.json()) as { run: { data: { tags?: { key: string; value: string }[] } } };
  return tagMap(body.run.data.tags ?? []);
}

describe('live collaboration between two sync clients', () => {
  it("each sees the other's new runs and note and tag edits within 1 s", async () => {
    await rest.call('createExperiment', { body: { id: 'exp-live', name: 'live' } });
    await rest.call('createRun', { body: { id: 'run-live', experimentId: 'exp-live', name: 'first' } });
    const alice = syncClient('exp-live');
    const bob = syncClient('exp-live');
    await until('both synced with the run', () => getRunMap(alice.doc, 'run-live') && getRunMap(bob.doc, 'run-live'));

    const latencies: Record<string, number> = {};
    let seen = msUntil(bob.doc, () => note(bob.doc, 'run-live') === 'Baseline with lr 0.01.', 'alice note at bob');
    applyNoteEdit(alice.doc, 'run-live', '', 'Baseline with lr 0.01.');
    latencies['note alice->bob'] = await seen;

    seen = msUntil(alice.doc, () => note(alice.doc, 'run-live') === 'Baseline with lr 0.01. Overfits after epoch 5.', 'bob note at alice');
    applyNoteEdit(bob.doc, 'run-live', 'Baseline with lr 0.01.', 'Baseline with lr 0.01. Overfits after epoch 5.');
    latencies['note bob->alice'] = await seen;

    seen = msUntil(alice.doc, () => runOf(alice.doc, 'run-live')?.tags.some((t) => t.key === 'stage' && t.value === 'review') === true, 'tag at alice');
    setRunTag(bob.doc, 'run-live', 'stage', 'review', redactor);
    latencies['tag bob->alice'] = await seen;

    seen = msUntil(bob.doc, () => runOf(bob.doc, 'run-live')?.tags.length === 0, 'tag removal at bob');
    deleteRunTag(alice.doc, 'run-live', 'stage');
    latencies['tag removal alice->bob'] = await seen;

    seen = msUntil(alice.doc, () => getRunMap(alice.doc, 'run-new') !== undefined, 'new run at alice');
    await rest.call('createRun', { body: { id: 'run-new', experimentId: 'exp-live', name: 'second' } });
    latencies['new run (REST) -> alice'] = await seen;

    console.log(`collab live latencies (ms): ${JSON.stringify(Object.fromEntries(Object.entries(latencies).map(([k, v]) => [k, Math.round(v)])))}`);
    for (const ms of Object.values(latencies)) expect(ms).toBeLessThan(LIVE_BUDGET_MS);
    // The backend stored and indexed the note the clients wrote together.
    const indexed = await rest.call('getRun', { params: { runId: 'run-live' } });
    expect(indexed.note).toBe('Baseline with lr 0.01. Overfits after epoch 5.');
  });

  it('merges note and tag edits made concurrently offline, keeping both, visible over REST and MLflow', async () => {
    await rest.call('createExperiment', { body: { id: 'exp-offline', name: 'offline' } });
    await rest.call('createRun', { body: { id: 'run-off', experimentId: 'exp-offline', name: 'shared' } });
    const alice = syncClient('exp-offline');
    const bob = syncClient('exp-offline');
    await until('both synced with the run', () => getRunMap(alice.doc, 'run-off') && getRunMap(bob.doc, 'run-off'));
    const base = 'The model uses dropout and early stopping.';
    applyNoteEdit(alice.doc, 'run-off', '', base);
    setRunTag(alice.doc, 'run-off', 'dataset', 'v1', redactor);
    setRunTag(alice.doc, 'run-off', 'obsolete', 'yes', redactor);
    await until('base note and tags at bob', () => note(bob.doc, 'run-off') === base && runOf(bob.doc, 'run-off')!.tags.length === 2);

    for (const side of [alice, bob]) {
      side.gate.offline = true;
      side.gate.socket!.close();
    }
    await until('both offline', () => alice.client.status === 'offline' && bob.client.status === 'offline');

    // Both edit the same sentence: alice inserts inside it, bob rewrites a word near the end.
    const aliceText = 'The model uses 0.3 dropout and early stopping.';
    const bobText = 'The model uses dropout and patience-based stopping.';
    applyNoteEdit(alice.doc, 'run-off', base, aliceText);
    applyNoteEdit(bob.doc, 'run-off', base, bobText);
    setRunTag(alice.doc, 'run-off', 'owner', 'alice', redactor);
    setRunTag(bob.doc, 'run-off', 'reviewed', 'bob', redactor);
    deleteRunTag(bob.doc, 'run-off', 'obsolete');
    setRunTag(bob.doc, 'run-off', 'api_token', 'tok-123456', redactor);
    expect(note(alice.doc, 'run-off')).toBe(aliceText);
    expect(note(bob.doc, 'run-off')).toBe(bobText);

    for (const side of [alice, bob]) side.gate.offline = false;
    const merged = await until('both docs converged', () => {
      const a = runOf(alice.doc, 'run-off')!;
      const b = runOf(bob.doc, 'run-off')!;
      return a.note !== aliceText && JSON.stringify(a) === JSON.stringify(b) ? a : undefined;
    });
    expect(merged.note).toBe('The model uses 0.3 dropout and patience-based stopping.');
    const tags = tagMap(merged.tags);
    expect(tags).toEqual({ dataset: 'v1', owner: 'alice', reviewed: 'bob', api_token: '[redacted]' });

    // Stored and projected: the REST API and the MLflow API read the merged state.
    // The peer saw the merge through the server, which commits and indexes an update before relaying it.
    const viaRest = await rest.call('getRun', { params: { runId: 'run-off' } });
    expect(viaRest.note).toBe(merged.note);
    expect(tagMap(viaRest.tags)).toEqual(tags);
    const viaMlflow = await mlflowRunTags('run-off');
    expect(viaMlflow).toMatchObject(tags);
    expect(viaMlflow.obsolete).toBeUndefined();
  });
});

/**
 * Cross-node fan-out on one real PostgreSQL: two DocManagers with their own stores (as two backend nodes have)
 * hear of each other's updates, survive a dropped LISTEN connection, compact while the other writes, and never
 * write from a stale doc.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRun, getRunMap, readRun, writeTags } from '@runtrail/core/sync';
import { AuthGate } from '../auth/gate';
import { postgresSqlClient } from '../auth/sql';
import { sqlAuthStore } from '../auth/store';
import type { AuthStore } from '../auth/port';
import { openPostgresStore } from '../store/postgres';
import { startTestPostgres, type TestPostgres } from '../store/postgres/test-server';
import type { Store } from '../store/port';
import { DocManager, OTHER_NODE } from './docs';
import { FANOUT_APPLICATION_NAME, parseDocAnnouncement, startDocFanout, type DocFanout } from './fanout';

let server: TestPostgres;
beforeAll(async () => {
  server = await startTestPostgres();
});
afterAll(async () => {
  await server?.stop();
});

interface Node {
  store: Store;
  docs: DocManager;
  fanout: DocFanout | null;
  auth: AuthGate;
  authStore: AuthStore;
}
const open: Node[] = [];
afterEach(async () => {
  for (const node of open.splice(0)) {
    await node.fanout?.close();
    await node.fanout?.close();
    await node.docs.dispose();
    await node.authStore.close();
    await node.store.close();
  }
});

async function startNode(url: string, options: { fanout?: boolean; compactAfter?: number } = {}): Promise<Node> {
  const store = await openPostgresStore(url);
  const docs = new DocManager(store, { compactAfter: options.compactAfter });
  const authStore = sqlAuthStore(postgresSqlClient(url));
  const auth = new AuthGate({ localToken: 'local-token', store: authStore });
  const fanout = options.fanout === false ? null : await startDocFanout(url, docs, { minReconnectMs: 300, revocations: auth });
  const node = { store, docs, fanout, auth, authStore };
  open.push(node);
  return node;
}

const init = (id: string) => ({ id, experimentId: 'exp', name: id, startTime: 1, source: { kind: 'api' as const }, parentRunId: null, environment: null });
const setTag = (docs: DocManager, key: string, value: string, runId = 'r1') =>
  docs.mutate('exp', (doc) => doc.transact(() => writeTags(getRunMap(doc, runId)!, [{ key, value }])));
const tagsOf = (docs: DocManager, runId = 'r1') => docs.read('exp', (doc) => readRun(getRunMap(doc, runId)!).tags);

async function eventually(check: () => Promise<boolean> | boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function terminateListeners(url: string): Promise<number> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const killed = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()', [
      FANOUT_APPLICATION_NAME,
    ]);
    return killed.rowCount ?? 0;
  } finally {
    await admin.end();
  }
}

async function storedUpdates(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>("SELECT count(*) AS n FROM doc_updates WHERE doc = 'exp'")).rows[0]!.n);
  } finally {
    await client.end();
  }
}

describe('parseDocAnnouncement', () => {
  it('reads "<seq> <doc>" and refuses anything else', () => {
    expect(parseDocAnnouncement('42 exp-1')).toEqual({ seq: 42, docName: 'exp-1' });
    expect(parseDocAnnouncement('x exp')).toBeNull();
    expect(parseDocAnnouncement('42')).toBeNull();
    expect(parseDocAnnouncement(undefined)).toBeNull();
    expect(parseDocAnnouncement('99999999999999999999 exp')).toBeNull();
  });
});

describe('doc fan-out between two nodes on one PostgreSQL', () => {
  it("forwards a node's committed update to the other node's subscribers, without storing it again", async () => {
    const url = await server.createDatabase();
    const [a, b] = [await startNode(url), await startNode(url)];
    await b.docs.mutate('exp', (doc) => createRun(doc, init('r1')));
    const heard: unknown[] = [];
    await a.docs.subscribe('exp', (_update, origin) => heard.push(origin));
    await setTag(b.docs, 'from', 'b');
    await eventually(async () => (await tagsOf(a.docs)).some((t) => t.key === 'from'), "node A's doc showing B's tag");
    expect(heard).toEqual([OTHER_NODE]);
    // A writes too; B hears it; each update is stored once (two writes of B, one of A).
    await setTag(a.docs, 'back', 'a');
    await eventually(async () => (await tagsOf(b.docs)).some((t) => t.key === 'back'), "node B's doc showing A's tag");
    await new Promise((r) => setTimeout(r, 200));
    expect(await storedUpdates(url)).toBe(3);
    expect(heard).toEqual([OTHER_NODE, null]);
  });

  it('catches up after its LISTEN connection was dropped, from the last sequence it had', async () => {
    const url = await server.createDatabase();
    const [a, b] = [await startNode(url), await startNode(url, { fanout: false })];
    await b.docs.mutate('exp', (doc) => createRun(doc, init('r1')));
    await a.docs.read('exp', () => undefined);
    expect(await terminateListeners(url)).toBe(1);
    await eventually(() => !a.fanout!.isListening(), 'the fan-out noticing the dropped connection');
    // Announced while nobody listens on A: lost, and read back once A listens again.
    await setTag(b.docs, 'while', 'down');
    expect((await tagsOf(a.docs)).some((t) => t.key === 'while')).toBe(false);
    await eventually(() => a.fanout!.isListening(), 'the LISTEN connection coming back');
    await eventually(async () => (await tagsOf(a.docs)).some((t) => t.key === 'while'), "A's doc showing the missed tag");
  });

  it('keeps every write when both nodes write and compact the same doc', async () => {
    const url = await server.createDatabase();
    const [a, b] = [await startNode(url, { compactAfter: 3 }), await startNode(url, { compactAfter: 3 })];
    await a.docs.mutate('exp', (doc) => createRun(doc, init('r1')));
    await b.docs.read('exp', () => undefined);
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 40; i++) writes.push(setTag(i % 2 ? a.docs : b.docs, `t${i}`, String(i)));
    await Promise.all(writes);
    const all = (tags: { key: string }[]) => tags.filter((t) => t.key.startsWith('t')).length === 40;
    await eventually(async () => all(await tagsOf(a.docs)) && all(await tagsOf(b.docs)), 'both docs holding all 40 tags');
    await new Promise((r) => setTimeout(r, 200));
    expect(await storedUpdates(url)).toBeLessThan(40);
    // What is stored (compacted states plus later updates) holds every write, and so does the index.
    const fresh = await startNode(url, { fanout: false });
    expect(all(await tagsOf(fresh.docs))).toBe(true);
    expect(all((await fresh.store.getRun('r1'))!.tags)).toBe(true);
  });

  it('brings a stale doc up to date before writing, so the index keeps what the other node wrote', async () => {
    const url = await server.createDatabase();
    // No fan-out at all: only the catch-up inside the write transaction can help.
    const [a, b] = [await startNode(url, { fanout: false }), await startNode(url, { fanout: false })];
    await a.docs.mutate('exp', (doc) => createRun(doc, init('r1')));
    await b.docs.read('exp', () => undefined);
    await setTag(b.docs, 'from', 'b');
    await setTag(a.docs, 'from-a', 'a');
    expect((await a.store.getRun('r1'))!.tags.map((t) => t.key).sort()).toEqual(['from', 'from-a']);
    // A run "created again" on the stale node is the one that exists, not a second map replacing it.
    const created = await a.docs.mutate('exp', (doc) => createRun(doc, init('r1')));
    expect(created).toBe(false);
  });

  it('closes a revoked token\'s sockets on the other node, also when it was revoked while that node did not listen', async () => {
    const url = await server.createDatabase();
    const [a, b] = [await startNode(url), await startNode(url)];
    const heardOnA: string[] = [];
    const heardOnB: string[] = [];
    a.auth.onTokenRevoked((id) => heardOnA.push(id));
    b.auth.onTokenRevoked((id) => heardOnB.push(id));
    const user = await b.authStore.createUser('alice', 1);
    const token = (id: string) => b.authStore.createToken({ id, userId: user.id, name: id, hash: `hash-${id}`, now: 1, expiresAt: null });
    await token('t1');
    await b.authStore.revokeToken('t1', Date.now());
    b.auth.tokenRevoked('t1');
    await eventually(() => heardOnA.includes('t1'), 'node A hearing the revocation');
    await new Promise((r) => setTimeout(r, 200));
    // Each node heard it once: no echo back to B, no second round on A.
    expect([heardOnA, heardOnB]).toEqual([['t1'], ['t1']]);

    // Revoked while A's LISTEN connection is down: the announcement is lost, the revocation is read back.
    await token('t2');
    expect(await terminateListeners(url)).toBe(2);
    await eventually(() => !a.fanout!.isListening(), 'A noticing its dropped connection');
    await b.authStore.revokeToken('t2', Date.now());
    b.auth.tokenRevoked('t2');
    await new Promise((r) => setTimeout(r, 50));
    expect(a.fanout!.isListening()).toBe(false); // announced to nobody on A (it reconnects after 300 ms)
    await eventually(() => heardOnA.includes('t2'), 'node A hearing the missed revocation after reconnecting');
  });

  it('applies an announcement that arrives while the doc is still loading', async () => {
    const url = await server.createDatabase();
    const b = await startNode(url, { fanout: false });
    await b.docs.mutate('exp', (doc) => createRun(doc, init('r1')));
    // Node A's load reads the stored rows, then is held until B has committed another update.
    const store = await openPostgresStore(url);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slowLoad: Store = { ...store, loadDocUpdates: async (name) => store.loadDocUpdates(name).then(async (rows) => (await held, rows)) };
    const docs = new DocManager(slowLoad);
    const authStore = sqlAuthStore(postgresSqlClient(url));
    open.push({ store, docs, fanout: null, auth: new AuthGate({ localToken: 'local-token', store: authStore }), authStore });
    const loading = docs.read('exp', () => undefined);
    await new Promise((r) => setTimeout(r, 100));
    await setTag(b.docs, 'late', 'yes');
    const caughtUp = docs.catchUp('exp'); // announced while A's doc is not loaded yet
    release();
    await Promise.all([loading, caughtUp]);
    expect((await tagsOf(docs)).map((t) => t.key)).toEqual(['late']);
  });

  it("forwards only what is new to this node's doc when it reads another node's compacted state", async () => {
    const url = await server.createDatabase();
    const [a, b] = [await startNode(url), await startNode(url, { compactAfter: 2 })];
    await b.docs.mutate('exp', (doc) => createRun(doc, init('r1')));
    await setTag(b.docs, 'bulk', 'x'.repeat(20_000));
    const forwarded: number[] = [];
    await a.docs.subscribe('exp', (update) => forwarded.push(update.byteLength));
    // B's next writes compact the doc (a ~20 kB state row); A reads that row with the small tag written after it.
    for (let i = 0; i < 4; i++) await setTag(b.docs, `t${i}`, String(i));
    await eventually(async () => (await tagsOf(a.docs)).some((t) => t.key === 't3'), "A's doc showing B's last tag");
    expect(await storedUpdates(url)).toBeLessThan(7);
    expect(forwarded.length).toBeGreaterThan(0);
    expect(Math.max(...forwarded)).toBeLessThan(1_000);
  });
});

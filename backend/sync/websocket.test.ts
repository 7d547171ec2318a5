import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import {
  SyncClient,
  createRun,
  decodeMessage,
  encodeUpdate,
  getRunMap,
  noteText,
  readRun,
  writeTags,
  type RunInit,
  type WebSocketLike,
} from '@runtrail/core/sync';
import type { Store } from '../store/port';
import { openSqliteStore } from '../store/sqlite';
import { DocManager } from './docs';
import { attachSyncServer } from './websocket';

const TOKEN = 'test-token';
const EXP = 'exp1';

function authenticate(request: IncomingMessage): boolean {
  if (request.headers.authorization === `Bearer ${TOKEN}`) return true;
  return new URL(request.url ?? '/', 'http://localhost').searchParams.get('token') === TOKEN;
}

function runInit(id: string, name = id): RunInit {
  return { id, experimentId: EXP, name, startTime: 1_700_000_000_000, source: { kind: 'api' }, parentRunId: null, environment: null };
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

interface Started {
  store: Store;
  docs: DocManager;
  sync: ReturnType<typeof attachSyncServer>;
  url(experimentId?: string, token?: string | null): string;
  stop(): Promise<void>;
}

async function start(
  options: { file?: string; docExists?: (name: string) => Promise<boolean>; keepaliveMs?: number } = {},
): Promise<Started> {
  const store = openSqliteStore(options.file ?? ':memory:');
  const docs = new DocManager(store);
  const server = createServer((_req, res) => res.writeHead(404).end());
  const sync = attachSyncServer(server, { docs, authenticate, docExists: options.docExists, keepaliveMs: options.keepaliveMs });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await sync.close();
    await new Promise((resolve) => server.close(resolve));
    await docs.dispose();
    await store.close();
  };
  cleanups.push(stop);
  return {
    store,
    docs,
    sync,
    stop,
    url: (experimentId = EXP, token: string | null = TOKEN) =>
      `ws://127.0.0.1:${port}/api/v1/sync/${experimentId}${token === null ? '' : `?token=${token}`}`,
  };
}

/** A SyncClient over a real `ws` socket; `gate.offline` makes new connection attempts fail. */
function connect(ctx: Started, doc = new Y.Doc(), url = ctx.url()) {
  const gate = { offline: false, socket: null as WebSocket | null };
  const client = new SyncClient({
    doc,
    url,
    createSocket: (target): WebSocketLike => {
      if (gate.offline) throw new Error('network is down');
      gate.socket = new WebSocket(target);
      return gate.socket;
    },
    initialDelayMs: 20,
    maxDelayMs: 100,
  });
  cleanups.push(() => client.dispose());
  return { client, doc, gate };
}

async function synced(...clients: SyncClient[]): Promise<void> {
  await vi.waitFor(() => clients.forEach((c) => expect(c.status).toBe('synced')), { timeout: 5000 });
}

function openRaw(url: string, options?: ConstructorParameters<typeof WebSocket>[2]): Promise<WebSocket> {
  const socket = new WebSocket(url, options);
  cleanups.push(() => socket.terminate());
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

function closeOf(socket: WebSocket): Promise<{ code: number; reason: string; errors: unknown[] }> {
  const errors: unknown[] = [];
  socket.on('message', (data: Buffer) => {
    const message = decodeMessage(new Uint8Array(data));
    if (message.type === 'error') errors.push(message.error);
  });
  return new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString(), errors })));
}

function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('open', () => {
      resolve(101);
      socket.close();
    });
    socket.on('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

const runOf = (doc: Y.Doc, id: string) => {
  const map = getRunMap(doc, id);
  return map ? readRun(map) : undefined;
};

describe('attachSyncServer', () => {
  it('makes two clients on the same experiment converge', async () => {
    const ctx = await start();
    const a = connect(ctx);
    const b = connect(ctx);
    await synced(a.client, b.client);
    createRun(a.doc, runInit('run-a'));
    await vi.waitFor(() => expect(runOf(b.doc, 'run-a')?.name).toBe('run-a'));
    b.doc.transact(() => writeTags(getRunMap(b.doc, 'run-a')!, [{ key: 'owner', value: 'b' }]));
    await vi.waitFor(() => expect(runOf(a.doc, 'run-a')?.tags).toEqual([{ key: 'owner', value: 'b' }]));
    expect(ctx.sync.connectionCount()).toBe(2);
  });

  it('sends a server-side write (REST path) to connected clients', async () => {
    const ctx = await start();
    const a = connect(ctx);
    await synced(a.client);
    await ctx.docs.mutate(EXP, (doc) => createRun(doc, runInit('from-rest')));
    await vi.waitFor(() => expect(runOf(a.doc, 'from-rest')).toBeDefined());
  });

  it('merges edits a client made offline once it reconnects', async () => {
    const ctx = await start();
    const a = connect(ctx);
    const b = connect(ctx);
    await synced(a.client, b.client);
    createRun(a.doc, runInit('run-n'));
    await vi.waitFor(() => expect(runOf(b.doc, 'run-n')).toBeDefined());

    b.gate.offline = true;
    b.gate.socket!.close();
    await vi.waitFor(() => expect(b.client.status).toBe('offline'));
    noteText(getRunMap(b.doc, 'run-n')!).insert(0, 'offline thoughts. ');
    noteText(getRunMap(a.doc, 'run-n')!).insert(0, 'online thoughts. ');
    await ctx.docs.mutate(EXP, (doc) => writeTags(getRunMap(doc, 'run-n')!, [{ key: 'rest', value: 'yes' }]));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(runOf(b.doc, 'run-n')?.note).toBe('offline thoughts. ');

    b.gate.offline = false;
    await synced(b.client);
    await vi.waitFor(() => {
      const note = runOf(a.doc, 'run-n')!.note;
      expect(note).toContain('offline thoughts. ');
      expect(note).toContain('online thoughts. ');
      expect(runOf(b.doc, 'run-n')).toEqual(runOf(a.doc, 'run-n'));
      expect(runOf(b.doc, 'run-n')?.tags).toEqual([{ key: 'rest', value: 'yes' }]);
    });
  });

  it('does not echo an update back to the connection that sent it', async () => {
    const ctx = await start();
    const a = connect(ctx);
    await synced(a.client);
    const raw = await openRaw(ctx.url());
    const local = new Y.Doc();
    let updates = 0;
    raw.on('message', (data: Buffer) => {
      const message = decodeMessage(new Uint8Array(data));
      if (message.type !== 'sync' || message.step !== 'update') return;
      updates++;
      Y.applyUpdate(local, message.update, 'server');
    });
    local.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== 'server') raw.send(encodeUpdate(update));
    });
    createRun(local, runInit('from-raw'));
    await vi.waitFor(() => expect(runOf(a.doc, 'from-raw')).toBeDefined());
    createRun(a.doc, runInit('from-a'));
    // An echo would have been sent before a's update; once that one is here, only it may have come.
    await vi.waitFor(() => expect(runOf(local, 'from-a')).toBeDefined());
    expect(updates).toBe(1);
  });

  it('persists and indexes updates that arrive over sync', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runtrail-sync-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'runtrail.db');
    const ctx = await start({ file });
    const a = connect(ctx);
    await synced(a.client);
    createRun(a.doc, runInit('run-p', 'persisted'));
    a.doc.transact(() => writeTags(getRunMap(a.doc, 'run-p')!, [{ key: 'k', value: 'v' }]));
    await vi.waitFor(async () => expect((await ctx.store.getRun('run-p'))?.tags).toEqual([{ key: 'k', value: 'v' }]));
    a.client.dispose();
    await ctx.stop();

    const store = openSqliteStore(file);
    const docs = new DocManager(store);
    cleanups.push(() => store.close(), () => docs.dispose());
    const run = await docs.read(EXP, (doc) => runOf(doc, 'run-p'));
    expect(run).toMatchObject({ name: 'persisted', tags: [{ key: 'k', value: 'v' }] });
    expect(await store.getRun('run-p')).toMatchObject({ id: 'run-p', experimentId: EXP, name: 'persisted' });
  });

  it('rejects upgrades without a valid token with 401, accepts a bearer header', async () => {
    const ctx = await start();
    expect(await upgradeStatus(ctx.url(EXP, null))).toBe(401);
    expect(await upgradeStatus(ctx.url(EXP, 'wrong'))).toBe(401);
    expect(await upgradeStatus(ctx.url(EXP, null), { Authorization: `Bearer ${TOKEN}` })).toBe(101);
    const refused = connect(ctx, new Y.Doc(), ctx.url(EXP, 'wrong'));
    await vi.waitFor(() => expect(refused.client.status).toBe('unauthorized'));
  });

  it('answers 404 for other paths and unknown experiments', async () => {
    const ctx = await start({ docExists: async (name) => name === EXP });
    const base = ctx.url().replace(`/api/v1/sync/${EXP}`, '');
    expect(await upgradeStatus(base.replace('?', '/api/v1/other?'))).toBe(404);
    expect(await upgradeStatus(ctx.url('../etc'))).toBe(404);
    expect(await upgradeStatus(ctx.url('missing'))).toBe(404);
    expect(await upgradeStatus(ctx.url(EXP))).toBe(101);
  });

  it('closes only the connection that sent garbage, and keeps serving the others', async () => {
    const ctx = await start();
    const a = connect(ctx);
    const b = connect(ctx);
    await synced(a.client, b.client);

    const garbage = await openRaw(ctx.url());
    const closed = closeOf(garbage);
    garbage.send(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x42]));
    expect(await closed).toMatchObject({ code: 4400, errors: [{ code: 'bad-message' }] });

    const badUpdate = await openRaw(ctx.url());
    const closedUpdate = closeOf(badUpdate);
    badUpdate.send(encodeUpdate(new Uint8Array([0xff, 0xff, 0xff, 0x01, 0x02])));
    expect(await closedUpdate).toMatchObject({ code: 4400, reason: 'malformed update' });

    const text = await openRaw(ctx.url());
    const closedText = closeOf(text);
    text.send('hello');
    expect((await closedText).code).toBe(4400);

    createRun(a.doc, runInit('after-garbage'));
    await vi.waitFor(() => expect(runOf(b.doc, 'after-garbage')).toBeDefined());
    expect(a.client.status).toBe('synced');
    await vi.waitFor(() => expect(ctx.sync.connectionCount()).toBe(2));
  });

  it('drops peers that stop answering pings', async () => {
    const ctx = await start({ keepaliveMs: 50 });
    const a = connect(ctx);
    await synced(a.client);
    const silent = await openRaw(ctx.url(), { autoPong: false });
    const closed = new Promise((resolve) => silent.once('close', resolve));
    expect(ctx.sync.connectionCount()).toBe(2);
    await closed;
    await vi.waitFor(() => expect(ctx.sync.connectionCount()).toBe(1));
    expect(a.client.status).toBe('synced');
  });

  it('closes every connection on close(); clients reconnect after closeAll()', async () => {
    const ctx = await start();
    const a = connect(ctx);
    await synced(a.client);
    const seen: string[] = [];
    a.client.onStatus((status) => seen.push(status));
    ctx.sync.closeAll(1012, 'restarting');
    await vi.waitFor(() => expect(seen).toEqual(['offline', 'connecting', 'connected', 'synced']));
    await ctx.sync.close();
    await ctx.sync.close();
    expect(ctx.sync.connectionCount()).toBe(0);
    // Every connection unsubscribed, so the doc can be released.
    expect(ctx.docs.releaseIdle(Date.now() + 3_600_000)).toBe(1);
    expect(ctx.docs.loadedCount).toBe(0);
  });
});

// RunHistory against a real backend (in-process server on a free port, real WebSockets, real cache files).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '@runtrail/backend';
import { RuntrailClient } from '@runtrail/core/client';
import { applyNoteEdit } from '@runtrail/core/sync';
import { uuidv7 } from 'uuidv7';
import { fileDocCache, serverCacheDir } from './cache';
import { RunHistory } from './history';
import { createNodeSocket } from './socket';

const TOKEN = 'history-test-token';

async function until<T>(fn: () => T | null | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let dir: string;
let server: RunningServer;
let client: RuntrailClient;
const histories: RunHistory[] = [];

function newHistory(): RunHistory {
  const history = new RunHistory({
    createSocket: createNodeSocket,
    openCache: (url) => fileDocCache(serverCacheDir(join(dir, 'cache'), url)),
    maxRetryDelayMs: 200,
    saveDelayMs: 10,
  });
  histories.push(history);
  return history;
}

async function createRun(experimentId: string, name: string, params: Record<string, number> = {}): Promise<string> {
  const id = uuidv7();
  await client.call('createRun', { body: { id, experimentId, name } });
  const now = Date.now();
  await client.call('logBatch', {
    params: { runId: id },
    body: {
      params: Object.entries(params).map(([key, value]) => ({ key, value })),
      metrics: [0.9, 0.5, 0.3].map((value, step) => ({ key: 'loss', value, step, timestamp: now + step })),
    },
  });
  return id;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runtrail-vscode-history-'));
  server = await startServer({ dataDir: join(dir, 'server'), port: 0, token: TOKEN, log: () => {} });
  client = new RuntrailClient({ baseUrl: server.url, token: TOKEN });
});

afterEach(async () => {
  for (const history of histories.splice(0)) await history.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('RunHistory', () => {
  it('lists experiments and runs, then goes live', async () => {
    const experiment = await client.call('createExperiment', { body: { name: 'exp-a' } });
    const runId = await createRun(experiment.id, 'baseline', { lr: 0.01 });
    const history = newHistory();
    await history.connect({ serverUrl: server.url, token: TOKEN });
    await until(() => history.state.kind === 'online' && history.state.live, 'live sync');
    const [entry] = await until(() => history.entries().filter((e) => e.runs.length), 'the run');
    expect(entry!.experiment.name).toBe('exp-a');
    expect(entry!.runs[0]).toMatchObject({ id: runId, name: 'baseline', params: [{ key: 'lr', value: 0.01 }] });
    expect(history.findRun(runId)?.run.metrics[0]).toMatchObject({ key: 'loss', last: 0.3, count: 3 });
    expect(await history.metricSeries(runId, 'loss')).toEqual([
      { step: 0, value: 0.9 },
      { step: 1, value: 0.5 },
      { step: 2, value: 0.3 },
    ]);
  });

  it('shows a run created on the server without a refresh', async () => {
    const experiment = await client.call('createExperiment', { body: { name: 'exp-live' } });
    const history = newHistory();
    let changes = 0;
    history.onDidChange(() => changes++);
    await history.connect({ serverUrl: server.url, token: TOKEN });
    await until(() => history.state.kind === 'online' && history.state.live, 'live sync');
    const before = changes;
    const runId = await createRun(experiment.id, 'fresh');
    await until(() => history.findRun(runId), 'the new run');
    // Changes are batched (a few ms), so the event may follow the doc update slightly.
    await until(() => changes > before, 'a change event');
  });

  it('keeps showing the last known state offline, also from the cache after a restart', async () => {
    const experiment = await client.call('createExperiment', { body: { name: 'exp-offline' } });
    const runId = await createRun(experiment.id, 'kept');
    const first = newHistory();
    await first.connect({ serverUrl: server.url, token: TOKEN });
    await until(() => first.findRun(runId), 'the run');
    await server.close();
    await until(() => first.state.kind === 'offline', 'offline state');
    expect(first.findRun(runId)?.run.name).toBe('kept');
    await first.close();

    const second = newHistory();
    await second.connect({ serverUrl: server.url, token: TOKEN });
    expect(second.state).toMatchObject({ kind: 'offline', cachedAt: expect.any(Number) });
    expect(second.entries().map((e) => [e.experiment.name, e.runs.map((r) => r.name)])).toEqual([['exp-offline', ['kept']]]);
    expect(second.findRun(runId)?.run.name).toBe('kept');
  });

  it('reconnects when the server is back and picks up what changed meanwhile', async () => {
    const experiment = await client.call('createExperiment', { body: { name: 'exp-back' } });
    const history = newHistory();
    await history.connect({ serverUrl: server.url, token: TOKEN });
    await until(() => history.state.kind === 'online' && history.state.live, 'live sync');
    const { port, dataDir } = server;
    await server.close();
    await until(() => history.state.kind === 'offline', 'offline state');
    server = await startServer({ dataDir, port, token: TOKEN, log: () => {} });
    const runId = await createRun(experiment.id, 'while-away');
    await until(() => history.findRun(runId), 'the run made while offline', 15_000);
    await until(() => history.state.kind === 'online', 'online again');
  });

  it('keeps a note edited offline across a restart (cache) and ships it once the server is back', async () => {
    const experiment = await client.call('createExperiment', { body: { name: 'exp-edit' } });
    const runId = await createRun(experiment.id, 'edited');
    const first = newHistory();
    await first.connect({ serverUrl: server.url, token: TOKEN });
    await until(() => first.findRun(runId), 'the run');
    const { port, dataDir } = server;
    await server.close();
    await until(() => first.state.kind === 'offline', 'offline state');
    expect(first.editRun(runId, (doc) => void applyNoteEdit(doc, runId, '', 'written offline'))).toBe(true);
    expect(first.editRun('no-such-run', () => {})).toBe(false);
    await first.close();

    server = await startServer({ dataDir, port, token: TOKEN, log: () => {} });
    const second = newHistory();
    await second.connect({ serverUrl: server.url, token: TOKEN });
    expect(second.findRun(runId)?.run.note).toBe('written offline');
    for (let i = 0; (await client.call('getRun', { params: { runId } })).note !== 'written offline'; i++) {
      if (i > 200) throw new Error('the server never got the note edited offline');
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it('reports a refused token', async () => {
    const history = newHistory();
    await history.connect({ serverUrl: server.url, token: 'wrong' });
    expect(history.state).toMatchObject({ kind: 'unauthorized' });
  });

  it('forgets cached experiments the server no longer lists', async () => {
    const cache = fileDocCache(serverCacheDir(join(dir, 'cache'), server.url));
    const stale = newHistory();
    const experiment = await client.call('createExperiment', { body: { name: 'exp-kept' } });
    await stale.connect({ serverUrl: server.url, token: TOKEN });
    await until(() => stale.state.kind === 'online' && stale.state.live, 'live sync');
    await stale.close();
    await cache.save('gone-experiment', await cache.load(experiment.id).then((s) => s!));
    expect((await cache.list()).sort()).toEqual([experiment.id, 'gone-experiment'].sort());
    const history = newHistory();
    await history.connect({ serverUrl: server.url, token: TOKEN });
    expect(await cache.list()).toEqual([experiment.id]);
  });

  it('is unconfigured without a connection, and disposing twice leaves nothing behind', async () => {
    const history = newHistory();
    history.onDidChange(() => {});
    history.onDidChangeState(() => {});
    await history.connect(null);
    expect(history.state).toEqual({ kind: 'unconfigured' });
    await client.call('createExperiment', { body: { name: 'exp-dispose' } });
    await history.connect({ serverUrl: server.url, token: TOKEN });
    expect(history.openCounts.docs).toBe(1);
    history.dispose();
    history.dispose();
    await history.close();
    expect(history.openCounts).toEqual({ listeners: 0, docs: 0 });
    await history.connect({ serverUrl: server.url, token: TOKEN });
    expect(history.openCounts.docs).toBe(0);
  });
});

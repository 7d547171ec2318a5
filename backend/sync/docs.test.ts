import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createRun, getRunMap, readRun, writeTags } from '@runtrail/core/sync';
import { openSqliteStore } from '../store/sqlite';
import { DocManager } from './docs';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
function dbFile() {
  const dir = mkdtempSync(join(tmpdir(), 'runtrail-docs-'));
  dirs.push(dir);
  return join(dir, 'db.sqlite');
}

const init = (id: string) => ({ id, experimentId: 'exp', name: id, startTime: 1, source: { kind: 'api' as const }, parentRunId: null, environment: null });

describe('DocManager', () => {
  it('compacts stored updates without losing state, and reloads it after a restart', async () => {
    const file = dbFile();
    const store = openSqliteStore(file);
    const docs = new DocManager(store, { compactAfter: 10 });
    await docs.mutate('exp', (doc) => createRun(doc, init('r1')));
    for (let i = 0; i < 25; i++) {
      await docs.mutate('exp', (doc) => doc.transact(() => writeTags(getRunMap(doc, 'r1')!, [{ key: `t${i}`, value: String(i) }])));
    }
    expect((await store.loadDocUpdates('exp')).updates.length).toBeLessThan(10);
    await docs.dispose();
    await store.close();

    const reopened = openSqliteStore(file);
    const again = new DocManager(reopened);
    const run = await again.read('exp', (doc) => readRun(getRunMap(doc, 'r1')!));
    expect(run.tags).toHaveLength(25);
    expect((await reopened.getRun('r1'))?.tags).toHaveLength(25);
    await again.dispose();
    await again.dispose();
    await reopened.close();
  });

  it('compacts a large doc in proportion to its size, not every N writes, and keeps every write', async () => {
    const store = openSqliteStore(':memory:');
    const docs = new DocManager(store, { compactAfter: 10, compactRatio: 0.5 });
    await docs.mutate('exp', (doc) => doc.transact(() => Array.from({ length: 300 }, (_, i) => createRun(doc, init(`r${i}`)))));
    const tag = (i: number) => docs.mutate('exp', (doc) => doc.transact(() => writeTags(getRunMap(doc, `r${i}`)!, [{ key: 't', value: `${i}`.padEnd(200, '.') }])));
    for (let i = 0; i < 10; i++) await tag(i);
    // The first compaction after a load has nothing to compare with; it leaves one state. (An empty mutate
    // waits for the compaction the last write queued after it was acknowledged.)
    await docs.mutate('exp', () => undefined);
    const compacted = await store.loadDocUpdates('exp');
    expect(compacted.updates.length).toBeLessThanOrEqual(2);
    // Ten more small writes are far less than half the state: they stay as they are.
    for (let i = 10; i < 20; i++) await tag(i);
    expect((await store.loadDocUpdates('exp')).updates.length).toBeGreaterThanOrEqual(11);
    // However many writes follow, the writes stored after the last compacted state stay under half its size.
    for (let i = 20; i < 300; i++) {
      await tag(i);
      await docs.mutate('exp', () => undefined); // waits for a compaction the write may have queued
      const [state, ...after] = (await store.loadDocUpdates('exp')).updates;
      expect(after.reduce((sum, u) => sum + u.byteLength, 0)).toBeLessThan(state!.byteLength * 0.5 + 1024);
    }
    expect((await store.loadDocUpdates('exp')).updates.length).toBeLessThan(280);
    await docs.dispose();
    const again = new DocManager(store);
    const tags = await again.read('exp', (doc) => Array.from({ length: 300 }, (_, i) => readRun(getRunMap(doc, `r${i}`)!).tags[0]?.value));
    expect(tags).toEqual(Array.from({ length: 300 }, (_, i) => `${i}`.padEnd(200, '.')));
    await again.dispose();
    await store.close();
  });

  it('rolls back the doc and the store together when a write fails', async () => {
    const store = openSqliteStore(':memory:');
    const docs = new DocManager(store);
    await docs.mutate('exp', (doc) => createRun(doc, init('r1')));
    await expect(
      docs.mutate('exp', async (doc, tx) => {
        doc.transact(() => writeTags(getRunMap(doc, 'r1')!, [{ key: 'lost', value: 'x' }]));
        await tx.insertMetrics('r1', [{ key: 'm', value: 1, step: 0, timestamp: 1 }]);
        throw new Error('disk on fire');
      }),
    ).rejects.toThrow('disk on fire');
    const tags = await docs.read('exp', (doc) => readRun(getRunMap(doc, 'r1')!).tags);
    expect(tags).toEqual([]);
    expect(await store.metricHistory('r1', 'm')).toEqual([]);
    expect((await store.getRun('r1'))?.tags).toEqual([]);
    await docs.dispose();
    await store.close();
  });

  it('releases idle docs that nobody subscribes to', async () => {
    const store = openSqliteStore(':memory:');
    const docs = new DocManager(store, { idleMs: 1000 });
    await docs.mutate('a', (doc) => createRun(doc, init('r1')));
    const unsubscribe = await docs.subscribe('b', () => {});
    expect(docs.loadedCount).toBe(2);
    expect(docs.releaseIdle(Date.now() + 5000)).toBe(1);
    unsubscribe();
    expect(docs.releaseIdle(Date.now() + 5000)).toBe(1);
    expect(docs.loadedCount).toBe(0);
    expect(await docs.read('a', (doc) => getRunMap(doc, 'r1') !== undefined)).toBe(true);
    await docs.dispose();
    await store.close();
  });

  it('keeps subscribers across a failed write, and unsubscribing still works afterwards', async () => {
    const store = openSqliteStore(':memory:');
    const docs = new DocManager(store);
    const heard: number[] = [];
    const unsubscribe = await docs.subscribe('exp', (update) => heard.push(update.length));
    await docs.mutate('exp', (doc) => createRun(doc, init('r1')));
    await expect(docs.mutate('exp', (doc) => {
      createRun(doc, init('r2'));
      throw new Error('fail');
    })).rejects.toThrow('fail');
    await docs.mutate('exp', (doc) => createRun(doc, init('r3')));
    expect(heard).toHaveLength(2);
    unsubscribe();
    await docs.mutate('exp', (doc) => createRun(doc, init('r4')));
    expect(heard).toHaveLength(2);
    await docs.dispose();
    await store.close();
  });

  it('indexes a run that a sync update adds to a doc freshly loaded from the store', async () => {
    const file = dbFile();
    const first = openSqliteStore(file);
    const docs = new DocManager(first);
    await docs.mutate('exp', (doc) => createRun(doc, init('r1')));
    await docs.dispose();
    await first.close();
    // A client's doc that already has r1 adds r2; the update reaches a server that just (re)loaded the doc.
    const client = new Y.Doc();
    Y.applyUpdate(client, await (async () => {
      const s = openSqliteStore(file);
      const { updates } = await s.loadDocUpdates('exp');
      await s.close();
      return Y.mergeUpdates(updates);
    })());
    const before = Y.encodeStateVector(client);
    createRun(client, init('r2'));
    const store = openSqliteStore(file);
    const reloaded = new DocManager(store);
    await reloaded.applyRemoteUpdate('exp', Y.encodeStateAsUpdate(client, before), 'client');
    expect((await store.getRun('r2'))?.id).toBe('r2');
    await reloaded.dispose();
    await store.close();
  });
});

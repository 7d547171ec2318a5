/**
 * The contract every Store adapter meets: the same cases run on SQLite and on a real PostgreSQL (started by
 * the test harness, backend/store/postgres/test-server.ts). Adapters add themselves to ADAPTERS.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SearchRunsRequest, type Experiment, type Metric, type Run } from '@runtrail/core/schema';
import type { Store } from './port';
import { openSqliteStore } from './sqlite';
import { postgresAdapter, type StoreAdapter } from './postgres/test-adapter';

const ADAPTERS: StoreAdapter[] = [{ name: 'sqlite', open: async () => openSqliteStore(':memory:') }, postgresAdapter];
afterAll(() => postgresAdapter.stop());

const experiment = (id: string, name: string, createdAt: number): Experiment => ({
  id, projectId: 'default', name, kind: 'named', notebookPath: null, lifecycle: 'active', createdAt,
});
const run = (id: string, startTime: number, extra: Partial<Run> = {}): Run => ({
  id, experimentId: 'e1', name: id, status: 'finished', startTime, endTime: startTime + 10, source: { kind: 'api' },
  params: [], metrics: [], tags: [], note: '', environment: null, snapshots: [], artifacts: [], cellCount: 0, parentRunId: null,
  ...extra,
});
const summary = (key: string, last: number | null) => ({ key, last, min: last, max: last, step: 0, timestamp: 1, count: 1 });
const point = (key: string, step: number, value: number): Metric => ({ key, step, value, timestamp: 1000 + step });
const search = (request: SearchRunsRequest) => SearchRunsRequest.parse(request);
const ids = (runs: Run[]) => runs.map((r) => r.id);

for (const adapter of ADAPTERS) {
  describe(`Store contract: ${adapter.name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await adapter.open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('keeps the first point of each (run, key, step) and returns only the points it inserted', async () => {
      const first = await store.transact((tx) =>
        tx.insertMetrics('r1', [point('loss', 0, 1), point('loss', 1, 0.5), point('loss', 1, 9), point('acc', 0, NaN), point('acc', 1, Infinity)]),
      );
      expect(first.map((m) => [m.key, m.step, m.value])).toEqual([['loss', 0, 1], ['loss', 1, 0.5], ['acc', 0, NaN], ['acc', 1, Infinity]]);
      // A retried batch inserts nothing; a new step of it is the only point inserted.
      const retry = await store.transact((tx) => tx.insertMetrics('r1', [point('loss', 0, 7), point('loss', 1, 7), point('loss', 2, 0.25)]));
      expect(retry).toEqual([point('loss', 2, 0.25)]);
      expect(await store.metricHistory('r1', 'loss')).toEqual([
        { step: 0, value: 1, timestamp: 1000 },
        { step: 1, value: 0.5, timestamp: 1001 },
        { step: 2, value: 0.25, timestamp: 1002 },
      ]);
      expect(await store.metricHistory('r1', 'acc')).toEqual([
        { step: 0, value: null, timestamp: 1000 },
        { step: 1, value: Infinity, timestamp: 1001 },
      ]);
      expect(await store.metricHistory('r2', 'loss')).toEqual([]);
    });

    it('stores large batches and large steps exactly', async () => {
      const batch = Array.from({ length: 12_000 }, (_, i) => point('x', i * 1_000_000_000, i));
      expect(await store.transact((tx) => tx.insertMetrics('r1', batch))).toHaveLength(12_000);
      const history = await store.metricHistory('r1', 'x');
      expect(history).toHaveLength(12_000);
      expect(history.at(-1)).toEqual({ step: 11_999_000_000_000, value: 11_999, timestamp: 1000 + 11_999_000_000_000 });
    });

    it('keeps the first of two equal points far apart in one large batch', async () => {
      const batch = Array.from({ length: 250 }, (_, i) => point('y', i, i));
      batch[180] = point('y', 10, -1);
      const inserted = await store.transact((tx) => tx.insertMetrics('r1', batch));
      expect(inserted).toHaveLength(249);
      expect(inserted).not.toContainEqual(point('y', 10, -1));
      expect((await store.metricHistory('r1', 'y')).find((h) => h.step === 10)).toEqual({ step: 10, value: 10, timestamp: 1010 });
    });

    it('in one transaction, a large batch overlapping an earlier one inserts only its new points and keeps the earlier', async () => {
      const inserted = await store.transact(async (tx) => {
        await tx.insertMetrics('r1', Array.from({ length: 150 }, (_, i) => point('z', i, i)));
        return tx.insertMetrics('r1', Array.from({ length: 250 }, (_, i) => point('z', i, -i)));
      });
      expect(inserted.map((m) => m.step)).toEqual(Array.from({ length: 100 }, (_, i) => 150 + i));
      const history = await store.metricHistory('r1', 'z');
      expect(history).toHaveLength(250);
      expect(history[149]).toEqual({ step: 149, value: 149, timestamp: 1149 });
      expect(history[150]).toEqual({ step: 150, value: -150, timestamp: 1150 });
    });

    it('orders points written out of step order, and a retry of them stores nothing', async () => {
      await store.transact((tx) => tx.insertMetrics('r1', [0, 2, 4, 6].map((s) => point('w', s, s))));
      const late = await store.transact((tx) => tx.insertMetrics('r1', [5, 1, 3, 2, 7].map((s) => point('w', s, -s))));
      expect(late.map((m) => m.step)).toEqual([5, 1, 3, 7]);
      expect(await store.transact((tx) => tx.insertMetrics('r1', [0, 1, 2, 3, 4, 5, 6, 7].map((s) => point('w', s, 9))))).toEqual([]);
      expect((await store.metricHistory('r1', 'w')).map((h) => [h.step, h.value])).toEqual([
        [0, 0], [1, -1], [2, 2], [3, -3], [4, 4], [5, -5], [6, 6], [7, -7],
      ]);
    });

    it('writes all of a transaction or nothing', async () => {
      await expect(
        store.transact(async (tx) => {
          await tx.insertMetrics('r1', [point('loss', 0, 1)]);
          await tx.appendDocUpdate('doc', new Uint8Array([1]));
          await tx.indexRun(run('r1', 1));
          await tx.indexExperiment(experiment('e1', 'one', 1));
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.metricHistory('r1', 'loss')).toEqual([]);
      expect(await store.loadDocUpdates('doc')).toEqual({ updates: [], lastSeq: 0 });
      expect(await store.getRun('r1')).toBeNull();
      expect(await store.getExperiment('e1')).toBeNull();
      // The store stays usable after a rollback.
      await store.transact((tx) => tx.indexRun(run('r1', 1)));
      expect(await store.getRun('r1')).toMatchObject({ id: 'r1' });
    });

    it('runs transactions one at a time, in the order they were asked for', async () => {
      const events: string[] = [];
      const slow = store.transact(async (tx) => {
        events.push('a start');
        await new Promise((resolve) => setTimeout(resolve, 50));
        await tx.appendDocUpdate('doc', new Uint8Array([1]));
        events.push('a end');
      });
      const failing = store.transact(async () => {
        events.push('b');
        throw new Error('b failed');
      });
      const fast = store.transact(async (tx) => {
        events.push('c');
        await tx.appendDocUpdate('doc', new Uint8Array([3]));
      });
      await Promise.allSettled([slow, failing, fast]);
      await expect(failing).rejects.toThrow('b failed');
      expect(events).toEqual(['a start', 'a end', 'b', 'c']);
      expect((await store.loadDocUpdates('doc')).updates.map((u) => [...u])).toEqual([[1], [3]]);
    });

    it('closes once: a second close is harmless and later writes are refused', async () => {
      await store.transact((tx) => tx.appendDocUpdate('doc', new Uint8Array([1])));
      await store.close();
      await store.close();
      await expect(store.transact((tx) => tx.appendDocUpdate('doc', new Uint8Array([2])))).rejects.toThrow('store is closed');
    });

    it('appends doc updates in order and compacts a prefix of them into one state', async () => {
      for (const byte of [1, 2, 3]) await store.transact((tx) => tx.appendDocUpdate('a', new Uint8Array([byte, 255, 0])));
      await store.transact((tx) => tx.appendDocUpdate('b', new Uint8Array([9])));
      const loaded = await store.loadDocUpdates('a');
      expect(loaded.updates.map((u) => [...u])).toEqual([[1, 255, 0], [2, 255, 0], [3, 255, 0]]);
      expect(loaded.updates[0]).toBeInstanceOf(Uint8Array);
      // An update appended after the load (seq > upToSeq) survives the compaction.
      await store.transact((tx) => tx.appendDocUpdate('a', new Uint8Array([4])));
      await store.compactDoc('a', new Uint8Array([7, 7]), loaded.lastSeq);
      const compacted = await store.loadDocUpdates('a');
      expect(compacted.updates.map((u) => [...u])).toEqual([[4], [7, 7]]);
      expect(compacted.lastSeq).toBeGreaterThan(loaded.lastSeq);
      expect((await store.loadDocUpdates('b')).updates.map((u) => [...u])).toEqual([[9]]);
    });

    it('projects experiments: by id, by exact name, newest first with a cursor', async () => {
      await store.transact(async (tx) => {
        for (const [i, name] of ['alpha', 'Beta', 'gamma'].entries()) await tx.indexExperiment(experiment(`e${i}`, name, 100 + i));
        await tx.indexExperiment({ ...experiment('e0', 'alpha', 100), lifecycle: 'deleted' });
      });
      expect(await store.getExperiment('e0')).toMatchObject({ name: 'alpha', lifecycle: 'deleted' });
      expect(await store.findExperimentByName('Beta')).toMatchObject({ id: 'e1' });
      expect(await store.findExperimentByName('beta')).toBeNull();
      const first = await store.listExperiments(2, undefined);
      expect(first.items.map((e) => e.id)).toEqual(['e2', 'e1']);
      const second = await store.listExperiments(2, first.nextCursor!);
      expect(second).toEqual({ items: [expect.objectContaining({ id: 'e0' })], nextCursor: null });
    });

    describe('run search', () => {
      const R1 = run('r1', 100, {
        params: [{ key: 'lr', value: 0.1, origin: 'explicit' }, { key: 'opt', value: 'adam', origin: 'explicit' }],
        metrics: [summary('acc', 0.9)],
        tags: [{ key: 'team', value: 'Vision' }],
      });
      beforeEach(async () => {
        await store.transact(async (tx) => {
          await tx.indexRun(R1);
          await tx.indexRun(run('r2', 200, { params: [{ key: 'lr', value: '0.01', origin: 'mlflow' }, { key: 'opt', value: 'sgd', origin: 'explicit' }], metrics: [summary('acc', 0.7)], tags: [{ key: 'team', value: 'nlp' }] }));
          await tx.indexRun(run('r3', 300, { params: [{ key: 'lr', value: 'auto', origin: 'explicit' }], metrics: [summary('acc', null)], status: 'failed' }));
          await tx.indexRun(run('r4', 400, { experimentId: 'e2', params: [{ key: 'lr', value: 1, origin: 'explicit' }], metrics: [summary('acc', 0.95)], tags: [{ key: 'team', value: 'a\u0000b' }] }));
          await tx.indexRun(run('r5', 500, { name: 'Zeta_run', params: [{ key: 'opt', value: { kind: 'adam' }, origin: 'explicit' }, { key: 'sep', value: 'x\u0000y', origin: 'explicit' }] }));
        });
      });

      it('returns the stored record, newest first by default', async () => {
        expect(await store.getRun('r1')).toEqual(R1);
        expect((await store.getRun('r4'))?.tags).toEqual([{ key: 'team', value: 'a\u0000b' }]);
        expect(ids((await store.searchRuns(search({}))).items)).toEqual(['r5', 'r4', 'r3', 'r2', 'r1']);
        expect(ids((await store.searchRuns(search({ experimentIds: ['e2'] }))).items)).toEqual(['r4']);
      });

      it('filters params as numbers or as text, metrics as numbers, tags and attributes as text', async () => {
        const found = async (filter: SearchRunsRequest['filter']) => ids((await store.searchRuns(search({ filter }))).items);
        expect(await found([{ field: 'params.lr', op: '<', value: 0.5 }])).toEqual(['r2', 'r1']);
        expect(await found([{ field: 'params.lr', op: '=', value: '0.01' }])).toEqual(['r2']);
        expect(await found([{ field: 'params.lr', op: 'in', value: [1, 0.1] }])).toEqual(['r4', 'r1']);
        expect(await found([{ field: 'params.opt', op: '!=', value: 'adam' }])).toEqual(['r5', 'r2']);
        expect(await found([{ field: 'params.opt', op: '=', value: '{"kind":"adam"}' }])).toEqual(['r5']);
        expect(await found([{ field: 'metrics.acc', op: '>=', value: 0.9 }])).toEqual(['r4', 'r1']);
        expect(await found([{ field: 'metrics.acc', op: '>', value: 0.5 }, { field: 'params.opt', op: '=', value: 'sgd' }])).toEqual(['r2']);
        expect(await found([{ field: 'tags.team', op: 'like', value: 'VIS%' }])).toEqual(['r1']);
        expect(await found([{ field: 'tags.team', op: '=', value: 'a\u0000b' }])).toEqual(['r4']);
        expect(await found([{ field: 'params.sep', op: 'like', value: 'x\u0000%' }])).toEqual(['r5']);
        expect(await found([{ field: 'attributes.name', op: 'like', value: '%a_r%' }])).toEqual(['r5']);
        expect(await found([{ field: 'attributes.name', op: 'like', value: 'zeta\\_run' }])).toEqual([]);
        expect(await found([{ field: 'attributes.status', op: 'in', value: ['failed', 'killed'] }])).toEqual(['r3']);
        expect(await found([{ field: 'attributes.startTime', op: '>', value: 250.5 }, { field: 'attributes.startTime', op: '<=', value: 400 }])).toEqual(['r4', 'r3']);
        expect(await found([{ field: 'attributes.endTime', op: '=', value: 110 }])).toEqual(['r1']);
      });

      it('sorts by params, metrics, tags and attributes with missing values last, in both directions', async () => {
        const order = async (field: string, direction: 'asc' | 'desc') =>
          ids((await store.searchRuns(search({ orderBy: [{ field, direction }] }))).items);
        // Numbers before text ascending (text first descending); runs without the param last either way.
        expect(await order('params.lr', 'asc')).toEqual(['r2', 'r1', 'r4', 'r3', 'r5']);
        expect(await order('params.lr', 'desc')).toEqual(['r3', 'r4', 'r1', 'r2', 'r5']);
        expect(await order('metrics.acc', 'desc')).toEqual(['r4', 'r1', 'r2', 'r5', 'r3']);
        expect(await order('metrics.acc', 'asc')).toEqual(['r2', 'r1', 'r4', 'r5', 'r3']);
        // Text compares by code point ("Vision" < "a\0b" < "nlp"), as SQLite's BINARY collation does.
        expect(await order('tags.team', 'asc')).toEqual(['r1', 'r4', 'r2', 'r5', 'r3']);
        expect(await order('attributes.name', 'asc')).toEqual(['r5', 'r1', 'r2', 'r3', 'r4']);
        expect(await order('attributes.startTime', 'asc')).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
      });

      it('top runs by a metric they are filtered on: same rows, order and pages as the full sort', async () => {
        // Ties on acc (r1/r7, r6/r8) fall back to newest first; the metric index drives this query (search.ts).
        await store.transact(async (tx) => {
          await tx.indexRun(run('r6', 600, { params: [{ key: 'opt', value: 'sgd', origin: 'explicit' }], metrics: [summary('acc', 0.8), summary('loss', 2)] }));
          await tx.indexRun(run('r7', 700, { params: [{ key: 'opt', value: 'adam', origin: 'explicit' }], metrics: [summary('acc', 0.9), summary('loss', 1)] }));
          await tx.indexRun(run('r8', 800, { params: [{ key: 'opt', value: 'adam', origin: 'explicit' }], metrics: [summary('acc', 0.8), summary('loss', 1)] }));
        });
        const top = async (request: SearchRunsRequest) => ids((await store.searchRuns(search(request))).items);
        const acc = (op: '>' | '!=', value: number) => ({ field: 'metrics.acc', op, value });
        expect(await top({ filter: [acc('>', 0.5)], orderBy: [{ field: 'metrics.acc', direction: 'desc' }] })).toEqual(['r4', 'r7', 'r1', 'r8', 'r6', 'r2']);
        expect(await top({ filter: [acc('>', 0.5)], orderBy: [{ field: 'metrics.acc', direction: 'asc' }] })).toEqual(['r2', 'r8', 'r6', 'r7', 'r1', 'r4']);
        expect(await top({ filter: [acc('>', 0.5), { field: 'params.opt', op: '=', value: 'adam' }], experimentIds: ['e1'], orderBy: [{ field: 'metrics.acc', direction: 'desc' }] }))
          .toEqual(['r7', 'r1', 'r8']);
        expect(await top({ filter: [acc('!=', 0.7)], orderBy: [{ field: 'metrics.acc', direction: 'desc' }, { field: 'metrics.loss', direction: 'desc' }] }))
          .toEqual(['r4', 'r7', 'r1', 'r6', 'r8']);
        const pages: string[][] = [];
        let cursor: string | null = null;
        do {
          const page = await store.searchRuns(search({ filter: [acc('>', 0.5)], orderBy: [{ field: 'metrics.acc', direction: 'desc' }], pageSize: 4, cursor }));
          pages.push(ids(page.items));
          cursor = page.nextCursor;
        } while (cursor);
        expect(pages).toEqual([['r4', 'r7', 'r1', 'r8'], ['r6', 'r2']]);
      });

      it('pages with cursors bound to their query', async () => {
        const request = { orderBy: [{ field: 'attributes.startTime', direction: 'asc' as const }], pageSize: 2 };
        const pages: string[][] = [];
        let cursor: string | null = null;
        do {
          const page = await store.searchRuns(search({ ...request, cursor }));
          pages.push(ids(page.items));
          cursor = page.nextCursor;
        } while (cursor);
        expect(pages).toEqual([['r1', 'r2'], ['r3', 'r4'], ['r5']]);
        const first = await store.searchRuns(search(request));
        await expect(store.searchRuns(search({ pageSize: 2, cursor: first.nextCursor }))).rejects.toMatchObject({ status: 400, path: 'cursor' });
      });

      it('refuses clauses that mix or mismatch types with a 400 naming the value', async () => {
        const refused = (filter: SearchRunsRequest['filter']) => store.searchRuns(search({ filter }));
        await expect(refused([{ field: 'metrics.acc', op: '>', value: 'high' }])).rejects.toMatchObject({ status: 400, path: 'filter.0.value' });
        await expect(refused([{ field: 'params.lr', op: 'in', value: [1, 'auto'] }])).rejects.toMatchObject({ status: 400, path: 'filter.0.value' });
        await expect(refused([{ field: 'attributes.status', op: 'in', value: [] }])).rejects.toMatchObject({ status: 400, path: 'filter.0.value' });
        await expect(
          refused([{ field: 'params.lr', op: '<', value: 1 }, { field: 'attributes.startTime', op: '>', value: 'yesterday' }]),
        ).rejects.toMatchObject({ status: 400, path: 'filter.1.value' });
      });

      it('re-indexing a run replaces its projection', async () => {
        await store.transact((tx) => tx.indexRun(run('r1', 100, { params: [{ key: 'lr', value: 5, origin: 'explicit' }] })));
        const found = async (filter: SearchRunsRequest['filter']) => ids((await store.searchRuns(search({ filter }))).items);
        expect(await found([{ field: 'params.opt', op: '=', value: 'adam' }])).toEqual([]);
        expect(await found([{ field: 'tags.team', op: '=', value: 'Vision' }])).toEqual([]);
        expect(await found([{ field: 'metrics.acc', op: '>', value: 0.5 }])).toEqual(['r4', 'r2']);
        expect(await found([{ field: 'params.lr', op: '=', value: 5 }])).toEqual(['r1']);
        expect((await store.getRun('r1'))?.params).toEqual([{ key: 'lr', value: 5, origin: 'explicit' }]);
      });
    });
  });
}

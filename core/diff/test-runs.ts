/** Builders and fast-check arbitraries of runs for this folder's tests (not exported from index.ts). */
import fc from 'fast-check';
import type { CellExecution, ColumnStats, DataSnapshot, JsonValue, MetricSummary, Param } from '../schema';
import { cellExecution, dataSnapshot, emptyRun, metricSummary } from '../testing';
import type { RunWithCells } from './model';

/** A run with nothing in it but what `overrides` set. */
export const run = emptyRun;

/** A metric summary whose last value is `last`. */
export const metric = (key: string, last: number | null): MetricSummary => metricSummary(key, last);

/** An execution of `cellId` with `source`. */
export const cell = (id: string, cellId: string, source: string, status: CellExecution['status'] = 'ok'): CellExecution =>
  cellExecution(id, cellId, source, { status });

/** A data snapshot of `name`. */
export const snapshot = dataSnapshot;

const valueArb: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.constantFrom<JsonValue>(0.1, 0.2, 'adam', 'sgd', null, true, [1, 2], { depth: 3, act: 'relu' }),
  fc.integer({ min: -5, max: 5 }),
);
const paramsArb: fc.Arbitrary<Param[]> = fc.uniqueArray(
  fc.record({ key: fc.constantFrom('lr', 'epochs', 'opt', 'seed', 'layers'), value: valueArb, origin: fc.constant('explicit' as const) }),
  { selector: (p) => p.key },
);
const metricsArb: fc.Arbitrary<MetricSummary[]> = fc.uniqueArray(
  fc.tuple(fc.constantFrom('loss', 'acc', 'f1', 'auc'), fc.option(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }))).map(([k, v]) => metric(k, v)),
  { selector: (m) => m.key },
);
/** Sources made of a few recurring lines, so that versions of a cell share some lines and differ in others. */
const sourceArb: fc.Arbitrary<string> = fc
  .tuple(fc.array(fc.constantFrom('import pandas as pd', 'x = 1', 'y = 2', 'print(x + y)', 'df = load()', ''), { maxLength: 6 }), fc.boolean())
  .map(([lines, newline]) => lines.join('\n') + (newline && lines.length > 0 ? '\n' : ''));
const executionsArb: fc.Arbitrary<CellExecution[]> = fc
  .array(fc.tuple(fc.constantFrom('c1', 'c2', 'c3', 'c4'), sourceArb, fc.constantFrom('ok', 'error')), { maxLength: 8 })
  .map((xs) => xs.map(([cellId, source, status], i) => cell(`e${i}`, cellId, source, status as CellExecution['status'])));
const columnArb: fc.Arbitrary<ColumnStats> = fc.record({
  column: fc.constantFrom('age', 'income', 'city'),
  dtype: fc.constantFrom('int64', 'float64', 'object'),
  count: fc.nat(100),
  nulls: fc.nat(5),
  min: fc.option(fc.oneof(fc.integer({ min: -9, max: 9 }), fc.constantFrom('a', 'b')), { nil: undefined }),
  max: fc.option(fc.integer({ min: 10, max: 20 }), { nil: undefined }),
  mean: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true, min: -100, max: 100 })),
  std: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true, min: 0, max: 10 })),
  distinct: fc.option(fc.nat(50)),
});
const snapshotsArb: fc.Arbitrary<DataSnapshot[]> = fc
  .uniqueArray(
    fc.record({
      name: fc.constantFrom('df', 'train', 'test'),
      fingerprint: fc.constantFrom('fp000001', 'fp000002'),
      rows: fc.option(fc.nat(1000)),
      columns: fc.uniqueArray(columnArb, { selector: (c) => c.column, maxLength: 3 }),
    }),
    { selector: (s) => s.name },
  )
  .map((xs) => xs.map((s, i) => snapshot(`s${i}`, s.name, s.fingerprint, { shape: s.rows === null ? [] : [s.rows, s.columns.length], columns: s.columns })));

/** Random runs with their executions, drawn from small pools so that two of them overlap and differ. */
export const runWithCellsArb: fc.Arbitrary<RunWithCells> = fc
  .record({ id: fc.constantFrom('ra', 'rb', 'rc'), params: paramsArb, metrics: metricsArb, executions: executionsArb, snapshots: snapshotsArb })
  .map(({ id, params, metrics, executions, snapshots }) => ({ run: run(id, { params, metrics, snapshots }), executions }));

/**
 * The shape of a run comparison, shared by the compare views (VS Code, JupyterLab, shareable pages) and
 * `runtrail runs compare --json`. Side `a` is the baseline, side `b` the run compared to it: `added` means
 * only `b` has it, deltas are `b - a`.
 */
import { z } from 'zod';
import { CellExecution, CellStatus, EntityId, JsonValue, Run, SnapshotKind } from '../schema';

/** A run with its cell executions: one side of a comparison. */
export const RunWithCells = z.object({ run: Run, executions: z.array(CellExecution) });
export type RunWithCells = z.infer<typeof RunWithCells>;

/** How one item (param, metric, cell, data object) differs between the two sides. */
export const ChangeStatus = z.enum(['added', 'removed', 'changed', 'same']);
export type ChangeStatus = z.infer<typeof ChangeStatus>;

/** One param key; `a` / `b` are absent on the side that lacks the key (JSON null is a value). */
export const ParamDiff = z.object({
  key: z.string(),
  status: ChangeStatus,
  a: JsonValue.optional(),
  b: JsonValue.optional(),
});
export type ParamDiff = z.infer<typeof ParamDiff>;

/** One metric key, by its last value; null values are NaN or infinite points. */
export const MetricDiff = z.object({
  key: z.string(),
  status: ChangeStatus,
  a: z.number().nullable().optional(),
  b: z.number().nullable().optional(),
  /** `b - a` when both are numbers. */
  delta: z.number().nullable(),
  /** `(b - a) / |a|` when both are numbers and `a` is not 0. */
  relativeDelta: z.number().nullable(),
});
export type MetricDiff = z.infer<typeof MetricDiff>;

/** One hunk of a line diff, as jsdiff's structuredPatch gives it (lines prefixed with " ", "-", "+"). */
export const Hunk = z.object({
  oldStart: z.number().int(),
  oldLines: z.number().int(),
  newStart: z.number().int(),
  newLines: z.number().int(),
  lines: z.array(z.string()),
});
export type Hunk = z.infer<typeof Hunk>;

/** The execution of a cell a side is represented by: its last one in that run. */
export const CellSide = z.object({
  executionId: EntityId,
  executionCount: z.number().int().nullable(),
  status: CellStatus,
  sourceHash: z.string(),
  durationMs: z.number(),
});
export type CellSide = z.infer<typeof CellSide>;

/** One cell's code; hunks show the whole source for added and removed cells, nothing for same ones. */
export const CellDiff = z.object({
  cellId: z.string(),
  status: ChangeStatus,
  a: CellSide.optional(),
  b: CellSide.optional(),
  linesAdded: z.number().int().nonnegative(),
  linesRemoved: z.number().int().nonnegative(),
  hunks: z.array(Hunk),
});
export type CellDiff = z.infer<typeof CellDiff>;

/** A column name and type. */
export const ColumnRef = z.object({ column: z.string(), dtype: z.string() });

/** Statistics compared per column. */
export const ColumnStat = z.enum(['count', 'nulls', 'min', 'max', 'mean', 'std', 'distinct']);
export type ColumnStat = z.infer<typeof ColumnStat>;

/** One statistic that differs; null stands for "not computed". */
export const StatChange = z.object({
  stat: ColumnStat,
  a: JsonValue,
  b: JsonValue,
  /** `b - a` when both are numbers. */
  delta: z.number().nullable(),
});
export type StatChange = z.infer<typeof StatChange>;

/** The data snapshot a side is represented by: the last one captured under the name. */
export const SnapshotSide = z.object({
  id: EntityId,
  kind: SnapshotKind,
  fingerprint: z.string(),
  sampled: z.boolean(),
  shape: z.array(z.number().int()),
});

/** One data object, matched by name: content (fingerprint), schema, row count and column statistics. */
export const SnapshotDiff = z.object({
  name: z.string(),
  status: ChangeStatus,
  a: SnapshotSide.optional(),
  b: SnapshotSide.optional(),
  /** Null when only one side has the data. */
  fingerprintEqual: z.boolean().nullable(),
  /** For added or removed data every column is added or removed. */
  schema: z.object({
    added: z.array(ColumnRef),
    removed: z.array(ColumnRef),
    dtypeChanged: z.array(z.object({ column: z.string(), a: z.string(), b: z.string() })),
  }),
  /** From `shape[0]`; null where unknown. */
  rows: z.object({ a: z.number().int().nullable(), b: z.number().int().nullable(), delta: z.number().int().nullable() }),
  /** Columns present on both sides whose statistics differ. */
  stats: z.array(z.object({ column: z.string(), changes: z.array(StatChange) })),
});
export type SnapshotDiff = z.infer<typeof SnapshotDiff>;

/** The comparison of two runs. */
export const RunDiff = z.object({
  a: z.object({ id: EntityId, name: z.string() }),
  b: z.object({ id: EntityId, name: z.string() }),
  params: z.array(ParamDiff),
  metrics: z.array(MetricDiff),
  code: z.array(CellDiff),
  data: z.array(SnapshotDiff),
  /** How many items of each section are not `same`. */
  summary: z.object({
    params: z.number().int().nonnegative(),
    metrics: z.number().int().nonnegative(),
    code: z.number().int().nonnegative(),
    data: z.number().int().nonnegative(),
  }),
  identical: z.boolean(),
});
export type RunDiff = z.infer<typeof RunDiff>;

/** One row of the compare table: a key's value in each run (null where the run lacks it). */
export const CompareRow = z.object({
  key: z.string(),
  values: z.array(z.object({ value: JsonValue }).nullable()),
  differs: z.boolean(),
});
export type CompareRow = z.infer<typeof CompareRow>;

/** The compare table of 2..N runs: columns are runs, rows are param and metric keys. */
export const CompareTable = z.object({
  runIds: z.array(EntityId),
  params: z.array(CompareRow),
  /** Values are the metrics' last values (null for NaN or infinite). */
  metrics: z.array(CompareRow),
});
export type CompareTable = z.infer<typeof CompareTable>;

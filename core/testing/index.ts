/**
 * Record builders for tests across the packages (`@runtrail/core/testing`): one place that knows what an empty
 * run, a metric summary, a cell execution or a snapshot looks like, so a schema change is fixed once.
 * Each builder takes overrides; packages keep only their own defaults on top.
 */
import type { CellExecution, DataSnapshot, MetricSummary, Run } from '../schema';

/** A finished run with nothing in it but what `overrides` set. */
export function emptyRun(id: string, overrides: Partial<Run> = {}): Run {
  return {
    id,
    experimentId: 'exp',
    name: id,
    status: 'finished',
    startTime: 0,
    endTime: 1,
    source: { kind: 'notebook', path: 'nb.ipynb', cellIds: [] },
    params: [],
    metrics: [],
    tags: [],
    note: '',
    environment: null,
    snapshots: [],
    artifacts: [],
    cellCount: 0,
    parentRunId: null,
    ...overrides,
  };
}

/** A metric summary whose last value is `last`, over `count` points. */
export function metricSummary(key: string, last: number | null, count = 1): MetricSummary {
  return { key, last, min: last, max: last, step: count - 1, timestamp: 0, count };
}

/** A successful execution of `cellId` with `source`. */
export function cellExecution(id: string, cellId: string, source: string, overrides: Partial<CellExecution> = {}): CellExecution {
  return {
    id,
    cellId,
    executionCount: 1,
    source,
    sourceHash: `h${source.length}xxxxxxxx`,
    startedAt: 0,
    durationMs: 1,
    status: 'ok',
    error: null,
    outputs: [],
    namesRead: [],
    namesWritten: [],
    snapshotIds: [],
    ...overrides,
  };
}

/** A pandas snapshot of `name` with `fingerprint`. */
export function dataSnapshot(id: string, name: string, fingerprint: string, overrides: Partial<DataSnapshot> = {}): DataSnapshot {
  return { id, name, kind: 'pandas', fingerprint, sampled: false, shape: [], columns: [], capturedAt: 0, ...overrides };
}

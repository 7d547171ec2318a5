/** Builders of records for this package's tests (not exported from index.ts). */
import type { CellExecution, DataSnapshot, JsonValue, MetricSummary, Run } from '@runtrail/core/schema';

/** A run with nothing in it but what `overrides` set. */
export function run(id: string, overrides: Partial<Run> = {}): Run {
  return {
    id,
    experimentId: 'exp',
    name: id,
    status: 'finished',
    startTime: 1_000,
    endTime: 2_000,
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

/** Params from a plain object. */
export function params(values: Record<string, JsonValue>): Run['params'] {
  return Object.entries(values).map(([key, value]) => ({ key, value, origin: 'explicit' as const }));
}

/** Metric summaries from last values. */
export function metrics(values: Record<string, number | null>): MetricSummary[] {
  return Object.entries(values).map(([key, last]) => ({ key, last, min: last, max: last, step: 0, timestamp: 0, count: 1 }));
}

/** An execution of `cellId`. */
export function execution(id: string, cellId: string, source: string, overrides: Partial<CellExecution> = {}): CellExecution {
  return {
    id,
    cellId,
    executionCount: 1,
    source,
    sourceHash: `hash-${source.length}-xxxx`,
    startedAt: 0,
    durationMs: 10,
    status: 'ok',
    error: null,
    outputs: [],
    namesRead: [],
    namesWritten: [],
    snapshotIds: [],
    ...overrides,
  };
}

/** A data snapshot. */
export function snapshot(id: string, name: string, fingerprint: string, overrides: Partial<DataSnapshot> = {}): DataSnapshot {
  return { id, name, kind: 'pandas', fingerprint, sampled: false, shape: [], columns: [], capturedAt: 0, ...overrides };
}

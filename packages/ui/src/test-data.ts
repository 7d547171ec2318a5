/** Builders of records for this package's tests (not exported from index.ts). */
import type { CellExecution, JsonValue, MetricSummary, Run } from '@runtrail/core/schema';
import { cellExecution, dataSnapshot, emptyRun, metricSummary } from '@runtrail/core/testing';

/** A run with nothing in it but what `overrides` set. */
export function run(id: string, overrides: Partial<Run> = {}): Run {
  return emptyRun(id, { startTime: 1_000, endTime: 2_000, ...overrides });
}

/** Params from a plain object. */
export function params(values: Record<string, JsonValue>): Run['params'] {
  return Object.entries(values).map(([key, value]) => ({ key, value, origin: 'explicit' as const }));
}

/** Metric summaries from last values. */
export function metrics(values: Record<string, number | null>): MetricSummary[] {
  return Object.entries(values).map(([key, last]) => metricSummary(key, last));
}

/** An execution of `cellId`. */
export function execution(id: string, cellId: string, source: string, overrides: Partial<CellExecution> = {}): CellExecution {
  return cellExecution(id, cellId, source, { durationMs: 10, ...overrides });
}

/** A data snapshot. */
export const snapshot = dataSnapshot;

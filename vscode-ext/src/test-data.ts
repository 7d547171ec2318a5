/** Builders of runs and experiments for this package's tests (not used by the extension). */
import type { Experiment, MetricSummary, Run } from '@runtrail/core/schema';

/** A finished run with nothing but what `overrides` set. */
export function testRun(id: string, overrides: Partial<Run> = {}): Run {
  return {
    id,
    experimentId: 'exp-1',
    name: id,
    status: 'finished',
    startTime: 1_700_000_000_000,
    endTime: 1_700_000_042_000,
    source: { kind: 'api' },
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

/** A metric summary whose last value is `last`, with `count` points. */
export function testMetric(key: string, last: number | null, count = 1): MetricSummary {
  return { key, last, min: last, max: last, step: count - 1, timestamp: 0, count };
}

/** A named experiment. */
export function testExperiment(id: string, overrides: Partial<Experiment> = {}): Experiment {
  return {
    id,
    projectId: 'default',
    name: id,
    kind: 'named',
    notebookPath: null,
    lifecycle: 'active',
    createdAt: 1_600_000_000_000,
    ...overrides,
  };
}

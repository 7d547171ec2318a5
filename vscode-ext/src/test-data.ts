/** Builders of runs and experiments for this package's tests (not used by the extension). */
import type { Experiment, Run } from '@runtrail/core/schema';
import { emptyRun, metricSummary } from '@runtrail/core/testing';

/** A finished run with nothing but what `overrides` set. */
export function testRun(id: string, overrides: Partial<Run> = {}): Run {
  return emptyRun(id, {
    experimentId: 'exp-1',
    startTime: 1_700_000_000_000,
    endTime: 1_700_000_042_000,
    source: { kind: 'api' },
    ...overrides,
  });
}

/** A metric summary whose last value is `last`, with `count` points. */
export const testMetric = metricSummary;

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

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MlflowMetric, MlflowRequests, plainMlflowLogBatch, plainMlflowMetrics } from './mlflow';

const FullMetrics = z.array(MlflowMetric).max(1000);

/** Anything a client could put where a metric point goes, every field perturbed. */
const oddPoint = fc.record(
  {
    key: fc.oneof(fc.constantFrom('acc', 'loss/val', 'a b:c-d.e_f', '', 'bad!', 'x'.repeat(250), 'x'.repeat(251)), fc.string()),
    value: fc.oneof(fc.double(), fc.integer(), fc.constantFrom('NaN', 'Infinity', '-Infinity', '1.5', null, true)),
    timestamp: fc.oneof(fc.nat(), fc.integer(), fc.constantFrom(-0, 1.5, 2 ** 53, '123', null), fc.double()),
    step: fc.oneof(fc.nat(), fc.constantFrom(undefined, -1, 0.5, '7', null, 2 ** 53 - 1, 2 ** 53)),
    extra: fc.anything(),
  },
  { requiredKeys: [] },
);
/** Mostly well-formed points, so arrays of them reach the fast path, with odd ones mixed in. */
const anyPoint = fc.oneof(
  { weight: 6, arbitrary: fc.record({ key: fc.constantFrom('acc', 'm0', 'a/b'), value: fc.double({ noNaN: true, noDefaultInfinity: true }), timestamp: fc.nat(), step: fc.option(fc.nat(), { nil: undefined }) }) },
  { weight: 1, arbitrary: oddPoint },
);

describe('plainMlflowMetrics (the log-batch fast path)', () => {
  it('accepts only what MlflowMetric accepts, and outputs exactly what it outputs', () => {
    let taken = 0;
    fc.assert(
      fc.property(fc.array(anyPoint, { maxLength: 8 }), (points) => {
        const fast = plainMlflowMetrics(points);
        const full = FullMetrics.safeParse(points);
        if (fast !== null) {
          if (points.length > 0) taken++;
          expect(full.success).toBe(true);
          expect(fast).toStrictEqual(full.data);
        }
      }),
      { numRuns: 3000 },
    );
    expect(taken).toBeGreaterThan(50); // the generator reaches the fast path, not only the fallback
  });

  it('takes the fast path for the points MLflow clients send (numbers, step absent or given)', () => {
    const points = [
      { key: 'acc', value: 0.5, timestamp: 1_700_000_000_000, step: 3 },
      { key: 'loss', value: -2, timestamp: 0 },
    ];
    expect(plainMlflowMetrics(points)).toStrictEqual([
      { key: 'acc', value: 0.5, timestamp: 1_700_000_000_000, step: 3 },
      { key: 'loss', value: -2, timestamp: 0, step: 0 },
    ]);
  });

  it('leaves to the schema numeric strings, words for non-finite values and batches over the limit', () => {
    expect(plainMlflowMetrics([{ key: 'a', value: 1, timestamp: '5', step: 0 }])).toBeNull();
    expect(plainMlflowMetrics([{ key: 'a', value: 'NaN', timestamp: 5 }])).toBeNull();
    expect(plainMlflowMetrics(Array.from({ length: 1001 }, (_, i) => ({ key: 'a', value: 1, timestamp: 1, step: i })))).toBeNull();
    expect(plainMlflowMetrics({ length: 0 })).toBeNull();
  });
});

describe('plainMlflowLogBatch', () => {
  it('gives what the log-batch schema gives for a request of plain points, defaults included', () => {
    const request = {
      run_id: 'abc',
      metrics: [{ key: 'acc', value: 0.5, timestamp: 1 }],
      params: [{ key: 'lr', value: '0.1' }],
      tags: [{ key: 't' }],
      ignored: true,
    };
    expect(plainMlflowLogBatch(request)).toStrictEqual(MlflowRequests.logBatch.parse(request));
    expect(plainMlflowLogBatch({ run_id: 'abc' })).toStrictEqual(MlflowRequests.logBatch.parse({ run_id: 'abc' }));
  });

  it('leaves to the schema a request whose other fields are invalid, or that is not an object', () => {
    expect(plainMlflowLogBatch({ run_id: '', metrics: [] })).toBeNull();
    expect(plainMlflowLogBatch({ run_id: 'abc', params: [{ key: 'bad!', value: 'x' }] })).toBeNull();
    expect(plainMlflowLogBatch([])).toBeNull();
    expect(plainMlflowLogBatch({ run_id: 'abc', metrics: null })).toBeNull();
  });
});

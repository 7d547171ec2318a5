import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alignSeries, downsampleMinMax, type SeriesPoint } from './downsample';

const series = (values: number[]): SeriesPoint[] => values.map((value, step) => ({ step, value }));

describe('downsampleMinMax', () => {
  it('returns short series whole, as a copy', () => {
    const pts = series([1, 2, 3]);
    const out = downsampleMinMax(pts, 10);
    expect(out).toEqual(pts);
    expect(out).not.toBe(pts);
  });
  it('keeps a single spike in 100k points', () => {
    const values = Array.from({ length: 100_000 }, (_, i) => Math.sin(i / 1000));
    values[54_321] = 50;
    values[77_777] = -50;
    const out = downsampleMinMax(series(values), 1000);
    expect(out.length).toBeLessThanOrEqual(1000);
    expect(out).toContainEqual({ step: 54_321, value: 50 });
    expect(out).toContainEqual({ step: 77_777, value: -50 });
    expect(out[0]).toEqual({ step: 0, value: 0 });
    expect(out[out.length - 1]!.step).toBe(99_999);
  });
  it('sorts unsorted input by step', () => {
    const out = downsampleMinMax([{ step: 3, value: 1 }, { step: 1, value: 2 }, { step: 2, value: 3 }], 10);
    expect(out.map((p) => p.step)).toEqual([1, 2, 3]);
  });
  it('ignores NaN as an extreme', () => {
    const values = Array.from({ length: 100 }, (_, i) => (i % 2 ? NaN : i));
    const out = downsampleMinMax(series(values), 8);
    expect(out.length).toBeLessThanOrEqual(8);
    expect(out.some((p) => p.value === 98)).toBe(true);
    expect(out.some((p) => p.value === 0)).toBe(true);
  });
  it('keeps the extremes first when fewer than 4 points are allowed', () => {
    const out = downsampleMinMax(series([5, 9, 1, 5, 5]), 2);
    expect(out).toEqual([{ step: 1, value: 9 }, { step: 2, value: 1 }]);
    expect(downsampleMinMax(series([5, 9, 1]), 0)).toEqual([]);
  });
  it('bounds the size, keeps extremes and ends, returns a sorted subset (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 3000 }),
        fc.integer({ min: 1, max: 600 }),
        (values, maxPoints) => {
          const pts = series(values);
          const out = downsampleMinMax(pts, maxPoints);
          expect(out.length).toBeLessThanOrEqual(Math.max(maxPoints, 0));
          for (let i = 1; i < out.length; i++) expect(out[i]!.step).toBeGreaterThan(out[i - 1]!.step);
          for (const p of out) expect(p.value).toBe(values[p.step]);
          const outValues = out.map((p) => p.value);
          expect(outValues).toContain(Math.min(...values));
          if (maxPoints >= 2) expect(outValues).toContain(Math.max(...values));
          if (maxPoints >= 4 || values.length <= maxPoints) {
            expect(out[0]!.step).toBe(0);
            expect(out[out.length - 1]!.step).toBe(values.length - 1);
          }
        },
      ),
    );
  });
  it('keeps every bucket extreme: the drawn range of any window of buckets is the true one (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -100, max: 100 }), { minLength: 50, maxLength: 2000 }), (values) => {
        const out = downsampleMinMax(series(values), 40);
        const buckets = 10;
        for (let b = 0; b < buckets; b++) {
          const lo = Math.floor((b * values.length) / buckets);
          const hi = Math.floor(((b + 1) * values.length) / buckets);
          const inBucket = out.filter((p) => p.step >= lo && p.step < hi).map((p) => p.value);
          expect(Math.max(...inBucket)).toBe(Math.max(...values.slice(lo, hi)));
          expect(Math.min(...inBucket)).toBe(Math.min(...values.slice(lo, hi)));
        }
      }),
    );
  });
});

describe('alignSeries', () => {
  it('lines series up on the union of steps, with null where a series has none', () => {
    const a = [{ step: 0, value: 1 }, { step: 2, value: 3 }];
    const b = [{ step: 1, value: 10 }, { step: 2, value: NaN }, { step: 2, value: 20 }, { step: 3, value: Infinity }];
    expect(alignSeries([a, b])).toEqual({
      steps: [0, 1, 2, 3],
      values: [
        [1, null, 3, null],
        [null, 10, 20, null],
      ],
    });
  });
  it('handles no series', () => {
    expect(alignSeries([])).toEqual({ steps: [], values: [] });
  });
});

import { describe, expect, it } from 'vitest';
import { metrics, params, run } from '../test-data';
import { ariaSort, compareValues, nextSort, sortRuns } from './sort';

describe('nextSort', () => {
  it('cycles asc, desc, host order; a new column starts ascending', () => {
    const asc = nextSort(null, 'name');
    expect(asc).toEqual({ column: 'name', direction: 'asc' });
    const desc = nextSort(asc, 'name');
    expect(desc).toEqual({ column: 'name', direction: 'desc' });
    expect(nextSort(desc, 'name')).toBeNull();
    expect(nextSort(desc, 'started')).toEqual({ column: 'started', direction: 'asc' });
  });
  it('maps to aria-sort', () => {
    expect(ariaSort({ column: 'name', direction: 'asc' }, 'name')).toBe('ascending');
    expect(ariaSort({ column: 'name', direction: 'desc' }, 'name')).toBe('descending');
    expect(ariaSort({ column: 'name', direction: 'desc' }, 'started')).toBe('none');
    expect(ariaSort(null, 'name')).toBe('none');
  });
});

describe('sortRuns', () => {
  const runs = [
    run('r1', { name: 'run 10', startTime: 3, metrics: metrics({ acc: 0.5 }), params: params({ opt: 'sgd', lr: 0.1 }) }),
    run('r2', { name: 'run 2', startTime: 1, metrics: metrics({ acc: null }), params: params({ opt: 'adam', lr: 'auto' }) }),
    run('r3', { name: 'Run 1', startTime: 2, metrics: metrics({ acc: 0.9 }), params: params({ lr: 0.01 }) }),
    run('r4', { name: 'run 3', startTime: 2 }),
  ];
  const ids = (rs: { id: string }[]) => rs.map((r) => r.id);

  it('sorts names naturally and case-insensitively', () => {
    expect(ids(sortRuns(runs, { column: 'name', direction: 'asc' }, 0))).toEqual(['r3', 'r2', 'r4', 'r1']);
  });
  it('keeps runs without a value last in both directions', () => {
    expect(ids(sortRuns(runs, { column: 'metrics.acc', direction: 'desc' }, 0))).toEqual(['r3', 'r1', 'r2', 'r4']);
    expect(ids(sortRuns(runs, { column: 'metrics.acc', direction: 'asc' }, 0))).toEqual(['r1', 'r3', 'r2', 'r4']);
  });
  it('is stable for equal values', () => {
    expect(ids(sortRuns(runs, { column: 'started', direction: 'asc' }, 0))).toEqual(['r2', 'r3', 'r4', 'r1']);
    expect(ids(sortRuns(runs, { column: 'started', direction: 'desc' }, 0))).toEqual(['r1', 'r3', 'r4', 'r2']);
  });
  it('puts numbers before text in mixed param columns', () => {
    expect(ids(sortRuns(runs, { column: 'params.lr', direction: 'asc' }, 0))).toEqual(['r3', 'r1', 'r2', 'r4']);
    expect(compareValues(1, 'a')).toBeLessThan(0);
    expect(compareValues('a', 1)).toBeGreaterThan(0);
  });
  it('keeps the host order without a sort or with an unknown column, and does not mutate', () => {
    const copy = [...runs];
    expect(ids(sortRuns(runs, null, 0))).toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(ids(sortRuns(runs, { column: 'bogus', direction: 'asc' }, 0))).toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(runs).toEqual(copy);
  });
  it('sorts 10k runs quickly', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => run(`r${i}`, { metrics: metrics({ acc: Math.sin(i) }), params: params({ lr: i % 7 }) }));
    const t0 = performance.now();
    const sorted = sortRuns(many, { column: 'metrics.acc', direction: 'desc' }, 0);
    expect(performance.now() - t0).toBeLessThan(500);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i - 1]!.metrics[0]!.last!).toBeGreaterThanOrEqual(sorted[i]!.metrics[0]!.last!);
  });
});

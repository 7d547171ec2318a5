import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompareTable } from './model';
import { diffRuns } from './run';
import { diffMany } from './table';
import { metric, run, runWithCellsArb } from './test-runs';

describe('diffMany', () => {
  it('lines up values per run and flags keys that differ or are missing', () => {
    const runs = [
      run('r1', { params: [{ key: 'lr', value: 0.1, origin: 'explicit' }, { key: 'opt', value: { a: 1, b: 2 }, origin: 'explicit' }], metrics: [metric('loss', 0.5)] }),
      run('r2', { params: [{ key: 'lr', value: 0.2, origin: 'explicit' }, { key: 'opt', value: { b: 2, a: 1 }, origin: 'explicit' }], metrics: [metric('loss', 0.5)] }),
      run('r3', { params: [{ key: 'lr', value: 0.1, origin: 'explicit' }, { key: 'opt', value: { a: 1, b: 2 }, origin: 'explicit' }], metrics: [metric('loss', 0.5), metric('acc', null)] }),
    ];
    const table = diffMany(runs);
    expect(CompareTable.safeParse(table).success).toBe(true);
    expect(table).toEqual({
      runIds: ['r1', 'r2', 'r3'],
      params: [
        { key: 'lr', values: [{ value: 0.1 }, { value: 0.2 }, { value: 0.1 }], differs: true },
        { key: 'opt', values: [{ value: { a: 1, b: 2 } }, { value: { b: 2, a: 1 } }, { value: { a: 1, b: 2 } }], differs: false },
      ],
      metrics: [
        { key: 'acc', values: [null, null, { value: null }], differs: true },
        { key: 'loss', values: [{ value: 0.5 }, { value: 0.5 }, { value: 0.5 }], differs: false },
      ],
    });
  });

  it('refuses fewer than two runs', () => {
    expect(() => diffMany([run('r1')])).toThrow(RangeError);
  });

  it('agrees with diffRuns on two runs, and finds nothing differing among copies of one run', () => {
    fc.assert(
      fc.property(runWithCellsArb, runWithCellsArb, fc.integer({ min: 2, max: 5 }), (a, b, copies) => {
        const pair = diffMany([a.run, b.run]);
        const d = diffRuns(a, b);
        expect(pair.params.map((r) => [r.key, r.differs])).toEqual(d.params.map((p) => [p.key, p.status !== 'same']));
        expect(pair.metrics.map((r) => [r.key, r.differs])).toEqual(d.metrics.map((m) => [m.key, m.status !== 'same']));
        const same = diffMany(Array.from({ length: copies }, () => a.run));
        expect([...same.params, ...same.metrics].some((r) => r.differs)).toBe(false);
      }),
    );
  });
});

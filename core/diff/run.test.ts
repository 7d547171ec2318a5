import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CellDiff, ChangeStatus, MetricDiff, ParamDiff, RunDiff, SnapshotDiff } from './model';
import { RunDiff as RunDiffSchema } from './model';
import { diffRuns } from './run';
import { cell, metric, run, runWithCellsArb, snapshot } from './test-runs';

const MIRRORED: Record<ChangeStatus, ChangeStatus> = { added: 'removed', removed: 'added', changed: 'changed', same: 'same' };
const negate = (d: number | null) => (d === null ? null : -d + 0);
const byKey = <T>(items: T[], key: (t: T) => string) => new Map(items.map((t) => [key(t), t]));

/**
 * What diff(b, a) must be, derived from diff(a, b) by swapping sides. Hunks and relative deltas are left
 * out (`comparable` ignores them): a line diff may align differently backwards, and relative deltas have
 * their own base.
 */
function mirror(d: RunDiff): RunDiff {
  return {
    ...d,
    a: d.b,
    b: d.a,
    params: d.params.map((p): ParamDiff => {
      const out: ParamDiff = { key: p.key, status: MIRRORED[p.status] };
      if ('b' in p) out.a = p.b;
      if ('a' in p) out.b = p.a;
      return out;
    }),
    metrics: d.metrics.map((m) => ({ key: m.key, status: MIRRORED[m.status], a: m.b, b: m.a, delta: negate(m.delta), relativeDelta: null })),
    code: d.code.map((c) => ({
      cellId: c.cellId,
      status: MIRRORED[c.status],
      a: c.b,
      b: c.a,
      linesAdded: c.linesRemoved,
      linesRemoved: c.linesAdded,
      hunks: [],
    })),
    data: d.data.map((s) => ({
      name: s.name,
      status: MIRRORED[s.status],
      a: s.b,
      b: s.a,
      fingerprintEqual: s.fingerprintEqual,
      schema: {
        added: s.schema.removed,
        removed: s.schema.added,
        dtypeChanged: s.schema.dtypeChanged.map((c) => ({ column: c.column, a: c.b, b: c.a })),
      },
      rows: { a: s.rows.b, b: s.rows.a, delta: negate(s.rows.delta) },
      stats: s.stats.map((c) => ({ column: c.column, changes: c.changes.map((x) => ({ stat: x.stat, a: x.b, b: x.a, delta: negate(x.delta) })) })),
    })),
  };
}

/** A diff without what `mirror` cannot predict; code keyed by cell, since its order follows side `a`. */
function comparable(d: RunDiff) {
  const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return {
    ids: [d.a.id, d.b.id],
    params: d.params.map(defined),
    metrics: d.metrics.map(({ relativeDelta: _, ...m }: MetricDiff) => defined(m)),
    code: byKey(d.code.map(({ hunks: _, ...c }: CellDiff) => defined(c)), (c) => String(c.cellId)),
    data: d.data.map((s: SnapshotDiff) => defined(s)),
    summary: d.summary,
    identical: d.identical,
  };
}

describe('diffRuns properties', () => {
  it('finds no difference between a run and itself', () => {
    fc.assert(
      fc.property(runWithCellsArb, (a) => {
        const d = diffRuns(a, a);
        expect(RunDiffSchema.safeParse(d).success).toBe(true);
        expect(d.identical).toBe(true);
        expect(d.summary).toEqual({ params: 0, metrics: 0, code: 0, data: 0 });
        for (const section of [d.params, d.metrics, d.code, d.data]) for (const item of section) expect(item.status).toBe('same');
        for (const m of d.metrics) if (m.a !== null) expect(m.delta).toBe(0);
        for (const c of d.code) expect([c.hunks, c.linesAdded, c.linesRemoved]).toEqual([[], 0, 0]);
        for (const s of d.data) expect([s.fingerprintEqual, s.rows.delta ?? 0, s.stats, s.schema]).toEqual([true, 0, [], { added: [], removed: [], dtypeChanged: [] }]);
      }),
    );
  });

  it('is its own mirror: diff(b, a) swaps sides, added <-> removed, and negates deltas', () => {
    fc.assert(
      fc.property(runWithCellsArb, runWithCellsArb, (a, b) => {
        const ab = diffRuns(a, b);
        const ba = diffRuns(b, a);
        expect(RunDiffSchema.safeParse(ab).success).toBe(true);
        expect(comparable(ba)).toEqual(comparable(mirror(ab)));
      }),
    );
  });

  it('reports a single changed param value as exactly one changed param and nothing else', () => {
    fc.assert(
      fc.property(runWithCellsArb.filter((r) => r.run.params.length > 0), fc.nat(), (a, pick) => {
        const i = pick % a.run.params.length;
        const target = a.run.params[i];
        if (!target) return;
        const params = a.run.params.map((p, j) => (j === i ? { ...p, value: { was: p.value } } : p));
        const d = diffRuns(a, { ...a, run: { ...a.run, params } });
        expect(d.params.filter((p) => p.status !== 'same')).toEqual([{ key: target.key, status: 'changed', a: target.value, b: { was: target.value } }]);
        expect(d.summary).toEqual({ params: 1, metrics: 0, code: 0, data: 0 });
      }),
    );
  });
});

describe('diffRuns examples', () => {
  const a = {
    run: run('a', {
      params: [{ key: 'lr', value: 0.1, origin: 'parameters-cell' }, { key: 'opt', value: { name: 'adam', b: [1, 2] }, origin: 'explicit' }],
      metrics: [metric('loss', 0.5), metric('acc', 0), metric('f1', null)],
    }),
    executions: [cell('e1', 'c1', 'x = 1\ny = 2\n'), cell('e2', 'c2', 'print(x)\n'), cell('e3', 'c1', 'x = 1\ny = 3\n')],
  };
  const b = {
    run: run('b', {
      params: [{ key: 'opt', value: { b: [1, 2], name: 'adam' }, origin: 'explicit' }, { key: 'seed', value: null, origin: 'explicit' }],
      metrics: [metric('loss', 0.25), metric('acc', 0.5), metric('f1', 0.1)],
    }),
    executions: [cell('e4', 'c1', 'x = 1\ny = 3\n', 'error'), cell('e5', 'c3', 'plot()\n')],
  };

  it('compares params as JSON and keeps null distinct from absent', () => {
    expect(diffRuns(a, b).params).toEqual([
      { key: 'lr', status: 'removed', a: 0.1 },
      { key: 'opt', status: 'same', a: { name: 'adam', b: [1, 2] }, b: { b: [1, 2], name: 'adam' } },
      { key: 'seed', status: 'added', b: null },
    ]);
  });

  it('gives metric deltas and relative deltas against the baseline', () => {
    expect(diffRuns(a, b).metrics).toEqual([
      { key: 'acc', status: 'changed', a: 0, b: 0.5, delta: 0.5, relativeDelta: null },
      { key: 'f1', status: 'changed', a: null, b: 0.1, delta: null, relativeDelta: null },
      { key: 'loss', status: 'changed', a: 0.5, b: 0.25, delta: -0.25, relativeDelta: -0.5 },
    ]);
  });

  it('compares the last execution of each cell and shows whole sources of added and removed cells', () => {
    const code = diffRuns(a, b).code;
    expect(code.map((c) => [c.cellId, c.status, c.a?.executionId, c.b?.executionId, c.linesAdded, c.linesRemoved])).toEqual([
      ['c1', 'same', 'e3', 'e4', 0, 0],
      ['c2', 'removed', 'e2', undefined, 0, 1],
      ['c3', 'added', undefined, 'e5', 1, 0],
    ]);
    expect(code[0]?.b?.status).toBe('error');
    expect(code[2]?.hunks).toEqual([{ oldStart: 1, oldLines: 0, newStart: 1, newLines: 1, lines: ['+plot()'] }]);
  });

  it('gives unified hunks for a changed cell', () => {
    const before = { ...a, executions: [cell('e1', 'c1', 'a = 1\nb = 2\nc = 3\n')] };
    const after = { ...a, executions: [cell('e2', 'c1', 'a = 1\nb = 20\nc = 3\nd = 4\n')] };
    const [c] = diffRuns(before, after).code;
    expect(c).toMatchObject({ status: 'changed', linesAdded: 2, linesRemoved: 1 });
    expect(c?.hunks).toEqual([{ oldStart: 1, oldLines: 3, newStart: 1, newLines: 4, lines: [' a = 1', '-b = 2', '+b = 20', ' c = 3', '+d = 4'] }]);
  });

  it('diffs data by name: fingerprint, schema, rows and column statistics', () => {
    const col = (column: string, dtype: string, extra: object = {}) => ({ column, dtype, count: 10, nulls: 0, ...extra });
    const left = { ...a, run: run('a', { snapshots: [
      snapshot('s0', 'df', 'fp-old-0000', { capturedAt: 1, shape: [5] }),
      snapshot('s1', 'df', 'fp-aaaaaaaa', { capturedAt: 2, shape: [10, 3], columns: [col('age', 'int64', { mean: 30, min: 18 }), col('city', 'object'), col('id', 'int64')] }),
      snapshot('s2', 'lookup', 'fp-cccccccc'),
    ] }) };
    const right = { ...a, run: run('b', { snapshots: [
      snapshot('s3', 'df', 'fp-bbbbbbbb', { shape: [12, 3], columns: [col('age', 'float64', { mean: 31.5, min: 18, nulls: 2 }), col('id', 'int64'), col('zip', 'object')] }),
      snapshot('s4', 'lookup', 'fp-cccccccc'),
    ] }) };
    const [df, lookup] = diffRuns(left, right).data;
    expect(df).toMatchObject({
      name: 'df',
      status: 'changed',
      fingerprintEqual: false,
      a: { id: 's1' },
      schema: { added: [{ column: 'zip', dtype: 'object' }], removed: [{ column: 'city', dtype: 'object' }], dtypeChanged: [{ column: 'age', a: 'int64', b: 'float64' }] },
      rows: { a: 10, b: 12, delta: 2 },
      stats: [{ column: 'age', changes: [{ stat: 'nulls', a: 0, b: 2, delta: 2 }, { stat: 'mean', a: 30, b: 31.5, delta: 1.5 }] }],
    });
    expect(lookup).toMatchObject({ status: 'same', fingerprintEqual: true, rows: { a: null, b: null, delta: null } });
  });
});

import { describe, expect, it } from 'vitest';
import { diffCode, diffSnapshots, type SnapshotDiff } from '@runtrail/core/diff';
import { execution, snapshot } from '../test-data';
import { cellDiffLines, cellDiffSummary, dataDiffView, hunkLines } from './diff-sections';

describe('hunkLines', () => {
  it('numbers lines on each side and classifies them', () => {
    const lines = hunkLines({ oldStart: 3, oldLines: 3, newStart: 3, newLines: 3, lines: [' a', '-b', '+B', ' c', '\\ No newline at end of file'] });
    expect(lines).toEqual([
      { kind: 'hunk', text: '@@ -3,3 +3,3 @@', oldNo: null, newNo: null },
      { kind: 'ctx', text: 'a', oldNo: 3, newNo: 3 },
      { kind: 'del', text: 'b', oldNo: 4, newNo: null },
      { kind: 'add', text: 'B', oldNo: null, newNo: 4 },
      { kind: 'ctx', text: 'c', oldNo: 5, newNo: 5 },
      { kind: 'meta', text: '\\ No newline at end of file', oldNo: null, newNo: null },
    ]);
  });
});

describe('cell diffs', () => {
  const cells = diffCode(
    [execution('e1', 'c1', 'x = 1\ny = 2\nprint(x)'), execution('e2', 'c3', 'z = 0')],
    [execution('e3', 'c1', 'x = 1\ny = 3\nprint(x)', { status: 'error' }), execution('e4', 'c2', 'new()'), execution('e5', 'c3', 'z = 0')],
  );
  const [changed, added, same] = ['c1', 'c2', 'c3'].map((id) => cells.find((c) => c.cellId === id));
  it('renders core hunks as lines', () => {
    expect(added!.status).toBe('added');
    expect(cellDiffLines(added!).filter((l) => l.kind === 'add').map((l) => l.text)).toEqual(['new()']);
    const kinds = cellDiffLines(changed!).map((l) => l.kind);
    expect(kinds.filter((k) => k === 'add')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'del')).toHaveLength(1);
    expect(cellDiffLines(same!)).toEqual([]);
  });
  it('summarises lines and status changes', () => {
    expect(cellDiffSummary(changed!)).toBe('+1 −1 · ok → error');
    expect(cellDiffSummary(same!)).toBe('');
  });
});

describe('dataDiffView', () => {
  const col = (column: string, dtype: string, mean: number) => ({ column, dtype, count: 10, nulls: 0, mean });
  const [changed, onlyB] = diffSnapshots(
    [snapshot('s1', 'df', 'fp00000001', { shape: [1000, 2], columns: [col('age', 'int64', 30), col('city', 'object', 0)] })],
    [
      snapshot('s2', 'df', 'fp00000002', { shape: [1200, 2], sampled: true, columns: [col('age', 'float64', 31.5), col('income', 'float64', 1)] }),
      snapshot('s3', 'test', 'fp00000003', { shape: [10] }),
    ],
  ) as [SnapshotDiff, SnapshotDiff];

  it('states content, rows, schema and stats changes', () => {
    const v = dataDiffView(changed);
    expect(v.fingerprint).toBe('changed');
    expect(v.rows).toBe('1,000 → 1,200 (+200)');
    expect(v.schemaChanges).toEqual(['+ income (float64)', '− city (object)', '~ age: int64 → float64']);
    expect(v.stats).toContainEqual({ column: 'age', stat: 'mean', a: '30', b: '31.5', delta: '+1.5' });
    expect(v.sampled).toBe(true);
  });
  it('handles data on one side only', () => {
    const v = dataDiffView(onlyB);
    expect(v.fingerprint).toBe('only-b');
    expect(v.fingerprints[0]).toBe('—');
    expect(v.rows).toBe('10');
  });
  it('says when content is equal', () => {
    const [same] = diffSnapshots([snapshot('s1', 'df', 'fp00000001', { shape: [5] })], [snapshot('s2', 'df', 'fp00000001', { shape: [5] })]);
    expect(dataDiffView(same!)).toMatchObject({ fingerprint: 'equal', rows: '5 (unchanged)', schemaChanges: [], stats: [] });
  });
});

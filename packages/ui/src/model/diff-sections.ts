/**
 * The code and data sections of a two-run compare, flattened for rendering: hunks become numbered lines
 * with a kind (added, removed, context), data snapshot diffs become short statements a reader can scan.
 */
import type { CellDiff, Hunk, SnapshotDiff } from '@runtrail/core/diff';
import { MISSING, formatDelta, formatNumber, formatValue, shortHash } from './format';

/** The kind of one rendered diff line. */
export type DiffLineKind = 'hunk' | 'add' | 'del' | 'ctx' | 'meta';

/** One rendered line of a code diff, with its line number in the old and the new source. */
export interface DiffLine {
  kind: DiffLineKind;
  /** The line without its `+`/`-`/` ` prefix (the header text for `hunk`). */
  text: string;
  oldNo: number | null;
  newNo: number | null;
}

/** The lines of one hunk, led by its `@@ -a,b +c,d @@` header, numbered as `git diff` numbers them. */
export function hunkLines(hunk: Hunk): DiffLine[] {
  const out: DiffLine[] = [
    {
      kind: 'hunk',
      text: `@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`,
      oldNo: null,
      newNo: null,
    },
  ];
  let oldNo = hunk.oldStart;
  let newNo = hunk.newStart;
  for (const line of hunk.lines) {
    const prefix = line[0];
    const text = line.slice(1);
    if (prefix === '+') out.push({ kind: 'add', text, oldNo: null, newNo: newNo++ });
    else if (prefix === '-') out.push({ kind: 'del', text, oldNo: oldNo++, newNo: null });
    // jsdiff's "\ No newline at end of file" marker describes the previous line; it has no number.
    else if (prefix === '\\') out.push({ kind: 'meta', text: line, oldNo: null, newNo: null });
    else out.push({ kind: 'ctx', text, oldNo: oldNo++, newNo: newNo++ });
  }
  return out;
}

/** Every line of a cell's diff, hunk after hunk. */
export function cellDiffLines(cell: CellDiff): DiffLine[] {
  return cell.hunks.flatMap(hunkLines);
}

/** A cell diff's one-line summary: `+3 −1`, with the executions' statuses when they changed. */
export function cellDiffSummary(cell: CellDiff): string {
  const parts: string[] = [];
  if (cell.linesAdded || cell.linesRemoved) parts.push(`+${cell.linesAdded} −${cell.linesRemoved}`);
  if (cell.a && cell.b && cell.a.status !== cell.b.status) parts.push(`${cell.a.status} → ${cell.b.status}`);
  else if (cell.b && cell.b.status !== 'ok') parts.push(cell.b.status);
  return parts.join(' · ');
}

/** Whether the content of a data object is the same, changed, or only on one side. */
export type FingerprintState = 'equal' | 'changed' | 'only-a' | 'only-b';

/** One stat that changed in one column, formatted. */
export interface StatChangeView {
  column: string;
  stat: string;
  a: string;
  b: string;
  delta: string;
}

/** A data snapshot diff, ready to render. */
export interface DataDiffView {
  name: string;
  status: SnapshotDiff['status'];
  fingerprint: FingerprintState;
  /** Short fingerprints of each side, MISSING for an absent side. */
  fingerprints: [string, string];
  /** `1,000 → 1,200 (+200)` or MISSING. */
  rows: string;
  /** Human statements: `+ column age (int64)`, `− column city`, `~ income: int64 → float64`. */
  schemaChanges: string[];
  stats: StatChangeView[];
  /** A side's fingerprint was computed over a sample, so "equal" is not proof of equal content. */
  sampled: boolean;
}

function fingerprintState(d: SnapshotDiff): FingerprintState {
  if (!d.a) return 'only-b';
  if (!d.b) return 'only-a';
  return d.fingerprintEqual ? 'equal' : 'changed';
}

function rowsText(d: SnapshotDiff): string {
  const { a, b, delta } = d.rows;
  if (a === null && b === null) return MISSING;
  const count = (n: number | null) => (n === null ? MISSING : n.toLocaleString('en-US'));
  if (a === null || b === null) return count(a ?? b);
  return delta ? `${count(a)} → ${count(b)} (${formatDelta(delta)})` : `${count(a)} (unchanged)`;
}

/** Flattens one SnapshotDiff for the data section. */
export function dataDiffView(d: SnapshotDiff): DataDiffView {
  const schemaChanges = [
    ...d.schema.added.map((c) => `+ ${c.column} (${c.dtype})`),
    ...d.schema.removed.map((c) => `− ${c.column} (${c.dtype})`),
    ...d.schema.dtypeChanged.map((c) => `~ ${c.column}: ${c.a} → ${c.b}`),
  ];
  const stats = d.stats.flatMap(({ column, changes }) =>
    changes.map((c) => ({
      column,
      stat: c.stat,
      a: typeof c.a === 'number' ? formatNumber(c.a) : formatValue(c.a),
      b: typeof c.b === 'number' ? formatNumber(c.b) : formatValue(c.b),
      delta: formatDelta(c.delta),
    })),
  );
  return {
    name: d.name,
    status: d.status,
    fingerprint: fingerprintState(d),
    fingerprints: [d.a ? shortHash(d.a.fingerprint, 12) : MISSING, d.b ? shortHash(d.b.fingerprint, 12) : MISSING],
    rows: rowsText(d),
    schemaChanges,
    stats,
    sampled: Boolean(d.a?.sampled || d.b?.sampled),
  };
}

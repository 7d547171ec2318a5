/**
 * The params-and-metrics table of the compare view, from either shape core produces: a RunDiff (two runs,
 * with change status and deltas) or a CompareTable (2..N runs, with a `differs` flag). Both flatten to the
 * same rows, so the component renders one table.
 */
import type { ChangeStatus, CompareRow, CompareTable, RunDiff } from '@runtrail/core/diff';
import type { JsonValue } from '@runtrail/core/schema';
import { MISSING, formatDelta, formatPercent, formatValue } from './format';

/** A run as a column of the compare table. */
export interface CompareColumn {
  id: string;
  name: string;
}

/** One param or metric key across the compared runs. */
export interface CompareViewRow {
  section: 'params' | 'metrics';
  key: string;
  /** The value in each run, formatted; MISSING where the run lacks the key. */
  cells: string[];
  differs: boolean;
  /** Two-run diffs only: how the key changed from the baseline. */
  status?: ChangeStatus;
  /** Two-run metric diffs only: `b - a` and its ratio to `|a|`, formatted. */
  delta?: string;
  relativeDelta?: string;
  /** Metric deltas only: the sign of the change, so it can be colored without guessing the direction. */
  trend?: 'up' | 'down' | 'flat';
}

/** The whole compare table: its run columns and rows, params first, then metrics. */
export interface CompareView {
  runs: CompareColumn[];
  rows: CompareViewRow[];
  /** True for a two-run RunDiff, which has statuses and deltas to show. */
  pairwise: boolean;
}

function trendOf(delta: number | null): CompareViewRow['trend'] {
  if (delta === null || Number.isNaN(delta)) return undefined;
  return delta > 0 ? 'up' : delta < 0 ? 'down' : 'flat';
}

/** Flattens a two-run diff: side `a` (the baseline) is the first column. */
export function compareViewFromDiff(diff: RunDiff): CompareView {
  const params = diff.params.map(
    (p): CompareViewRow => ({
      section: 'params',
      key: p.key,
      cells: [cellOf(p, 'a'), cellOf(p, 'b')],
      differs: p.status !== 'same',
      status: p.status,
    }),
  );
  const metrics = diff.metrics.map((m): CompareViewRow => {
    const row: CompareViewRow = {
      section: 'metrics',
      key: m.key,
      cells: [cellOf(m, 'a'), cellOf(m, 'b')],
      differs: m.status !== 'same',
      status: m.status,
      delta: formatDelta(m.delta),
      relativeDelta: formatPercent(m.relativeDelta),
    };
    const trend = trendOf(m.delta);
    if (trend) row.trend = trend;
    return row;
  });
  // Runs may be unnamed (name ''); a column still needs a heading, and the id is what users can look up.
  const column = (side: { id: string; name: string }) => ({ id: side.id, name: side.name || side.id });
  return { runs: [column(diff.a), column(diff.b)], rows: [...params, ...metrics], pairwise: true };
}

/** A side's value: MISSING when the side lacks the key (absent), which is not the same as JSON null. */
function cellOf(item: { a?: JsonValue; b?: JsonValue }, side: 'a' | 'b'): string {
  return side in item ? formatValue(item[side] ?? null) : MISSING;
}

function tableRows(section: 'params' | 'metrics', rows: readonly CompareRow[]): CompareViewRow[] {
  return rows.map((r) => ({
    section,
    key: r.key,
    cells: r.values.map((v) => (v === null ? MISSING : formatValue(v.value))),
    differs: r.differs,
  }));
}

/** Flattens an N-run table; columns are named by `names` where the host knows a non-empty name, else by run id. */
export function compareViewFromTable(table: CompareTable, names: Readonly<Record<string, string>> = {}): CompareView {
  return {
    runs: table.runIds.map((id) => ({ id, name: names[id] || id })),
    rows: [...tableRows('params', table.params), ...tableRows('metrics', table.metrics)],
    pairwise: false,
  };
}

/** Rows to show: all of them, or only those that differ when the user asked to hide the equal ones. */
export function visibleCompareRows(rows: readonly CompareViewRow[], onlyDifferences: boolean): CompareViewRow[] {
  return onlyDifferences ? rows.filter((r) => r.differs) : [...rows];
}

/** How many rows of each section differ: the counts shown in section headings. */
export function differenceCounts(rows: readonly CompareViewRow[]): { params: number; metrics: number } {
  let params = 0;
  let metrics = 0;
  for (const r of rows) {
    if (!r.differs) continue;
    if (r.section === 'params') params++;
    else metrics++;
  }
  return { params, metrics };
}

/** The metric keys of a compare, in table order: one overlaid chart each. */
export function metricKeysOf(view: CompareView): string[] {
  return view.rows.filter((r) => r.section === 'metrics').map((r) => r.key);
}

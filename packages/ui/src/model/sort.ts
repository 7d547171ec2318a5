/** Sorting of the run table by one column, as clicking a header cycles it. */
import type { Run } from '@runtrail/core/schema';
import { columnDef, cellValue } from './columns';

/** Sort direction of a column. */
export type SortDirection = 'asc' | 'desc';

/** The table's sort: a column id and a direction, or null for the order the host gave. */
export type SortState = { column: string; direction: SortDirection } | null;

/** The sort a new table starts with: newest runs first, because that is what a user just ran. */
export const DEFAULT_SORT: SortState = { column: 'started', direction: 'desc' };

/**
 * The sort after clicking `column`'s header: a new column sorts ascending, then descending, then the
 * host's order again (three states, as spreadsheets do, so an accidental click can be undone).
 */
export function nextSort(current: SortState, column: string): SortState {
  if (!current || current.column !== column) return { column, direction: 'asc' };
  return current.direction === 'asc' ? { column, direction: 'desc' } : null;
}

/** The `aria-sort` value of a header. */
export function ariaSort(current: SortState, column: string): 'ascending' | 'descending' | 'none' {
  if (!current || current.column !== column) return 'none';
  return current.direction === 'asc' ? 'ascending' : 'descending';
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Orders two cell values: numbers before text, numbers numerically, text naturally (`run 2` < `run 10`). */
export function compareValues(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return collator.compare(a, b);
}

/**
 * The runs in sort order; stable, and runs without a value (or with NaN) always last whatever the
 * direction, so "best first" never starts with blanks. Values are computed once per run, not per compare.
 */
export function sortRuns(runs: readonly Run[], sort: SortState, now: number): Run[] {
  const def = sort ? columnDef(sort.column) : null;
  if (!sort || !def) return [...runs];
  const sign = sort.direction === 'asc' ? 1 : -1;
  const keyed = runs.map((run, index) => {
    const value = cellValue(run, def, now);
    return { run, index, value: typeof value === 'number' && Number.isNaN(value) ? null : value };
  });
  keyed.sort((x, y) => {
    if (x.value === null || y.value === null) {
      if (x.value === y.value) return x.index - y.index;
      return x.value === null ? 1 : -1;
    }
    return sign * compareValues(x.value, y.value) || x.index - y.index;
  });
  return keyed.map((k) => k.run);
}

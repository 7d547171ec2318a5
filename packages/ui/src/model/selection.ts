/**
 * Row focus and multi-selection of the run table. Selections are Sets of run ids in the order the user
 * picked them: the first picked run is the baseline of a compare, which is what "compare these" means.
 */

/** Keys that move the focused row. */
export const NAVIGATION_KEYS: readonly string[] = ['ArrowDown', 'ArrowUp', 'PageDown', 'PageUp', 'Home', 'End'];

/**
 * The focused row index after a navigation key, clamped to the rows; null for keys that do not navigate.
 * With no focused row yet (-1) any key lands on the first or last row.
 */
export function moveFocus(index: number, key: string, count: number, pageSize: number): number | null {
  if (!NAVIGATION_KEYS.includes(key)) return null;
  if (count <= 0) return -1;
  const page = Math.max(1, pageSize);
  const from = index < 0 ? -1 : Math.min(index, count - 1);
  const target = (() => {
    switch (key) {
      case 'ArrowDown':
        return from + 1;
      case 'ArrowUp':
        return from < 0 ? count - 1 : from - 1;
      case 'PageDown':
        return from + page;
      case 'PageUp':
        return from < 0 ? 0 : from - page;
      case 'Home':
        return 0;
      default:
        return count - 1;
    }
  })();
  return Math.min(count - 1, Math.max(0, target));
}

/** Adds an id that is not selected, removes one that is. */
export function toggleSelection(selected: ReadonlySet<string>, id: string): Set<string> {
  const next = new Set(selected);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}

/** Adds the ids between positions `from` and `to` (inclusive, either order), as shift-click does. */
export function selectRange(selected: ReadonlySet<string>, ids: readonly string[], from: number, to: number): Set<string> {
  const next = new Set(selected);
  const lo = Math.max(0, Math.min(from, to));
  const hi = Math.min(ids.length - 1, Math.max(from, to));
  for (let i = lo; i <= hi; i++) next.add(ids[i]!);
  return next;
}

/** Whether none, some or all of `ids` are selected: the state of a "select all" checkbox. */
export function selectionState(selected: ReadonlySet<string>, ids: readonly string[]): 'none' | 'some' | 'all' {
  let count = 0;
  for (const id of ids) if (selected.has(id)) count++;
  if (count === 0) return 'none';
  return count === ids.length ? 'all' : 'some';
}

/** "Select all" over the shown rows: clears them when all are selected, else selects them all. */
export function toggleAll(selected: ReadonlySet<string>, ids: readonly string[]): Set<string> {
  const next = new Set(selected);
  if (ids.length > 0 && selectionState(selected, ids) === 'all') for (const id of ids) next.delete(id);
  else for (const id of ids) next.add(id);
  return next;
}

/** The selection without ids that no longer exist (after the host replaced the runs); same Set if unchanged. */
export function pruneSelection(selected: ReadonlySet<string>, existing: ReadonlySet<string>): ReadonlySet<string> {
  for (const id of selected) {
    if (!existing.has(id)) return new Set([...selected].filter((x) => existing.has(x)));
  }
  return selected;
}

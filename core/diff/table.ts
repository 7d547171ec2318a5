/** The compare table of several runs: every param and metric key, its value per run, and whether they differ. */
import type { JsonValue, Run } from '../schema';
import type { CompareRow, CompareTable } from './model';
import { jsonEqual } from './values';

function rows(perRun: ReadonlyMap<string, JsonValue>[]): CompareRow[] {
  const keys = [...new Set(perRun.flatMap((m) => [...m.keys()]))].sort();
  return keys.map((key) => {
    const values = perRun.map((m) => (m.has(key) ? { value: m.get(key) ?? null } : null));
    const first = values[0];
    const differs = values.some((v) => v === null || !first || !jsonEqual(v.value, first.value));
    return { key, values, differs };
  });
}

/** Lines up 2..N runs; a key missing from some run counts as differing. Throws for fewer than two runs. */
export function diffMany(runs: readonly Run[]): CompareTable {
  if (runs.length < 2) throw new RangeError(`diffMany compares 2 or more runs, got ${runs.length}`);
  return {
    runIds: runs.map((r) => r.id),
    params: rows(runs.map((r) => new Map(r.params.map((p) => [p.key, p.value])))),
    metrics: rows(runs.map((r) => new Map(r.metrics.map((m) => [m.key, m.last])))),
  };
}

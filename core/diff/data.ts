/**
 * Data section of a run diff: data objects matched by name (variable or path). Equal fingerprints mean equal
 * content; otherwise the schema, row count and column statistics say what moved.
 */
import type { ColumnStats, DataSnapshot, JsonValue } from '../schema';
import { ColumnStat } from './model';
import type { SnapshotDiff, StatChange } from './model';
import { delta, jsonEqual, statusOf, unionKeys } from './values';

/** The snapshot of each name that a run captured last. */
export function latestSnapshotByName(snapshots: readonly DataSnapshot[]): Map<string, DataSnapshot> {
  const out = new Map<string, DataSnapshot>();
  for (const s of snapshots) {
    const seen = out.get(s.name);
    if (!seen || s.capturedAt >= seen.capturedAt) out.set(s.name, s);
  }
  return out;
}

function statValue(stats: ColumnStats, stat: ColumnStat): JsonValue {
  return stats[stat] ?? null;
}

function statChanges(a: ColumnStats, b: ColumnStats): StatChange[] {
  return ColumnStat.options.flatMap((stat): StatChange[] => {
    const va = statValue(a, stat);
    const vb = statValue(b, stat);
    return jsonEqual(va, vb) ? [] : [{ stat, a: va, b: vb, delta: delta(va, vb) }];
  });
}

const rowsOf = (s: DataSnapshot | undefined): number | null => s?.shape[0] ?? null;

function diffOne(name: string, a: DataSnapshot | undefined, b: DataSnapshot | undefined): SnapshotDiff {
  const colsA = new Map((a?.columns ?? []).map((c) => [c.column, c]));
  const colsB = new Map((b?.columns ?? []).map((c) => [c.column, c]));
  const schema: SnapshotDiff['schema'] = { added: [], removed: [], dtypeChanged: [] };
  const stats: SnapshotDiff['stats'] = [];
  for (const column of unionKeys(colsA, colsB)) {
    const ca = colsA.get(column);
    const cb = colsB.get(column);
    if (!ca && cb) schema.added.push({ column, dtype: cb.dtype });
    else if (ca && !cb) schema.removed.push({ column, dtype: ca.dtype });
    else if (ca && cb) {
      if (ca.dtype !== cb.dtype) schema.dtypeChanged.push({ column, a: ca.dtype, b: cb.dtype });
      const changes = statChanges(ca, cb);
      if (changes.length > 0) stats.push({ column, changes });
    }
  }
  const fingerprintEqual = a && b ? a.fingerprint === b.fingerprint && a.kind === b.kind : null;
  const out: SnapshotDiff = {
    name,
    status: statusOf(a !== undefined, b !== undefined, fingerprintEqual === true),
    fingerprintEqual,
    schema,
    rows: { a: rowsOf(a), b: rowsOf(b), delta: delta(rowsOf(a), rowsOf(b)) },
    stats,
  };
  if (a) out.a = { id: a.id, kind: a.kind, fingerprint: a.fingerprint, sampled: a.sampled, shape: a.shape };
  if (b) out.b = { id: b.id, kind: b.kind, fingerprint: b.fingerprint, sampled: b.sampled, shape: b.shape };
  return out;
}

/** Data objects of two runs, sorted by name. */
export function diffSnapshots(a: readonly DataSnapshot[], b: readonly DataSnapshot[]): SnapshotDiff[] {
  const left = latestSnapshotByName(a);
  const right = latestSnapshotByName(b);
  return unionKeys(left, right).map((name) => diffOne(name, left.get(name), right.get(name)));
}

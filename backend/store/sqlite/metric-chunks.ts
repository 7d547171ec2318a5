/**
 * Metric points in the SQLite store (decision 33): a row per series (run, key) with the highest step stored, and
 * per write a row holding that write's new points of the series, packed. A 1,000-point log-batch over 20 keys
 * writes 20 rows instead of 1,000, which is most of the cost of ingest. Semantics are those of the store port: the
 * first point of each (run, key, step) wins, and only the points stored are returned.
 */
import type Database from 'better-sqlite3';
import type { Metric } from '@runtrail/core/schema';

/** The SQL aggregate that packs points (registerMetricChunkFunctions). */
const PACK_FUNCTION = 'runtrail_pack_points';

/** Schema version 5: `metrics` rows become series + packed chunks (existing points move, one chunk per series). */
export const SQLITE_METRIC_CHUNKS_MIGRATION = `
  CREATE TABLE metric_series (
    id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, key TEXT NOT NULL, max_step INTEGER NOT NULL, UNIQUE (run_id, key));
  CREATE TABLE metric_chunks (
    series INTEGER NOT NULL, first_step INTEGER NOT NULL, last_step INTEGER NOT NULL, points BLOB NOT NULL);
  CREATE UNIQUE INDEX metric_chunks_series ON metric_chunks(series, first_step);
  INSERT INTO metric_series (run_id, key, max_step) SELECT run_id, key, max(step) FROM metrics GROUP BY run_id, key;
  INSERT INTO metric_chunks (series, first_step, last_step, points)
    SELECT s.id, min(m.step), max(m.step), ${PACK_FUNCTION}(m.step, m.value, m.is_nan, m.timestamp)
    FROM metrics m JOIN metric_series s ON s.run_id = m.run_id AND s.key = m.key GROUP BY s.id;
  DROP TABLE metrics;
`;

/** A stored point as the history returns it (NaN as null). */
export interface HistoryPoint {
  step: number;
  value: number | null;
  timestamp: number;
}

interface Packed {
  step: number;
  value: number;
  timestamp: number;
}

/**
 * Points sorted by step, as little-endian float64s: all steps, then all values, then all timestamps (steps and
 * timestamps are safe integers, so exact; NaN and infinities are kept).
 */
export function packPoints(points: readonly Packed[]): Buffer {
  const n = points.length;
  const blob = Buffer.allocUnsafe(n * 24);
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    blob.writeDoubleLE(p.step, i * 8);
    blob.writeDoubleLE(p.value, (n + i) * 8);
    blob.writeDoubleLE(p.timestamp, (2 * n + i) * 8);
  }
  return blob;
}

/** The points of a packed chunk, in step order. */
export function unpackPoints(blob: Buffer): Packed[] {
  const n = blob.byteLength / 24;
  const out = new Array<Packed>(n);
  for (let i = 0; i < n; i++) {
    out[i] = { step: blob.readDoubleLE(i * 8), value: blob.readDoubleLE((n + i) * 8), timestamp: blob.readDoubleLE((2 * n + i) * 8) };
  }
  return out;
}

/** Registers the SQL aggregate the migration packs existing points with. */
export function registerMetricChunkFunctions(db: Database.Database): void {
  const add = (points: Packed[], step: number, value: number | null, isNan: number, timestamp: number): void => {
    points.push({ step: Number(step), value: isNan ? Number.NaN : (value ?? Number.NaN), timestamp: Number(timestamp) });
  };
  db.aggregate<Packed[]>(PACK_FUNCTION, {
    start: () => [],
    // The typings allow one argument per row; SQLite passes the four the migration gives.
    step: add as unknown as (points: Packed[], next: Packed) => void,
    result: (points) => packPoints(points.sort((a, b) => a.step - b.step)),
  });
}

/** The metric point statements of one writer connection and one reader connection. */
export function metricChunkStore(writer: Database.Database, reader: Database.Database) {
  const w = {
    series: writer.prepare('SELECT id, max_step FROM metric_series WHERE run_id = ? AND key = ?'),
    createSeries: writer.prepare('INSERT INTO metric_series (run_id, key, max_step) VALUES (?, ?, -1) RETURNING id'),
    raiseMaxStep: writer.prepare('UPDATE metric_series SET max_step = ? WHERE id = ?'),
    chunksBetween: writer.prepare('SELECT points FROM metric_chunks WHERE series = ? AND first_step <= ? AND last_step >= ?'),
    insertChunk: writer.prepare('INSERT INTO metric_chunks (series, first_step, last_step, points) VALUES (?, ?, ?, ?)'),
  };
  const history = reader.prepare(`
    SELECT c.points FROM metric_chunks c JOIN metric_series s ON c.series = s.id
    WHERE s.run_id = ? AND s.key = ? ORDER BY c.first_step`);

  /** The steps of a series already stored in [from, to]. */
  function storedSteps(series: number, from: number, to: number): Set<number> {
    const steps = new Set<number>();
    for (const row of w.chunksBetween.all(series, to, from) as { points: Buffer }[]) {
      for (const p of unpackPoints(row.points)) if (p.step >= from && p.step <= to) steps.add(p.step);
    }
    return steps;
  }

  /** Stores the new points of one series (sorted by step, first of equal steps first); returns which were new. */
  function insertSeries(runId: string, key: string, points: Metric[]): boolean[] {
    const found = w.series.get(runId, key) as { id: number; max_step: number } | undefined;
    const series = found ?? { id: (w.createSeries.get(runId, key) as { id: number }).id, max_step: -1 };
    const first = points[0]!.step;
    const last = points.at(-1)!.step;
    const stored = first <= series.max_step ? storedSteps(series.id, first, last) : null;
    const kept = points.map((p, i) => (i === 0 || p.step !== points[i - 1]!.step) && !stored?.has(p.step));
    const fresh = points.filter((_, i) => kept[i]);
    if (fresh.length === 0) return kept;
    w.insertChunk.run(series.id, fresh[0]!.step, fresh.at(-1)!.step, packPoints(fresh));
    if (last > series.max_step) w.raiseMaxStep.run(last, series.id);
    return kept;
  }

  return {
    /** Stores the points not already stored (the first of equal points wins); returns those, in the caller's order. */
    insert(runId: string, metrics: Metric[]): Metric[] {
      // Stable sort: of equal (key, step) points the caller's first comes first, and is the one kept.
      const order = metrics.map((_, i) => i).sort((a, b) => compareKeyStep(metrics[a]!, metrics[b]!) || a - b);
      const kept = new Array<boolean>(metrics.length).fill(false);
      for (let start = 0; start < order.length; ) {
        const key = metrics[order[start]!]!.key;
        let end = start + 1;
        while (end < order.length && metrics[order[end]!]!.key === key) end++;
        const group = order.slice(start, end);
        insertSeries(runId, key, group.map((i) => metrics[i]!)).forEach((k, j) => (kept[group[j]!] = k));
        start = end;
      }
      return metrics.filter((_, i) => kept[i]);
    },

    /** The stored points of a series in step order (NaN as null). */
    history(runId: string, key: string): HistoryPoint[] {
      const chunks = (history.all(runId, key) as { points: Buffer }[]).map((row) => unpackPoints(row.points));
      const points = chunks.flat();
      // Chunks are ordered by first step; a late write of steps between earlier ones makes them overlap.
      const ordered = chunks.every((c, i) => i === 0 || c[0]!.step > chunks[i - 1]!.at(-1)!.step);
      if (!ordered) points.sort((a, b) => a.step - b.step);
      return points.map((p) => ({ step: p.step, value: Number.isNaN(p.value) ? null : p.value, timestamp: p.timestamp }));
    },
  };
}

function compareKeyStep(a: Metric, b: Metric): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : a.step - b.step;
}

/**
 * Metric series for charts: downsampling that keeps every peak and dip (a loss spike must not vanish
 * because 100k points were drawn as 2k), and alignment of several runs' series on one step axis, which is
 * the data layout uPlot takes for overlaid lines.
 */

/** One point of a metric series. */
export interface SeriesPoint {
  step: number;
  value: number;
}

function sortedByStep(points: readonly SeriesPoint[]): readonly SeriesPoint[] {
  for (let i = 1; i < points.length; i++) {
    if (points[i]!.step < points[i - 1]!.step) return [...points].sort((a, b) => a.step - b.step);
  }
  return points;
}

/** Indices of the first, min, max and last point of `points[lo, hi)`; NaN never counts as an extreme. */
function bucketPicks(points: readonly SeriesPoint[], lo: number, hi: number): number[] {
  let min = -1;
  let max = -1;
  for (let i = lo; i < hi; i++) {
    const v = points[i]!.value;
    if (Number.isNaN(v)) continue;
    if (min < 0 || v < points[min]!.value) min = i;
    if (max < 0 || v > points[max]!.value) max = i;
  }
  const picks = [lo, hi - 1];
  if (min >= 0) picks.push(min, max);
  return [...new Set(picks)].sort((a, b) => a - b);
}

/**
 * At most `maxPoints` points of a series, sorted by step: the series is cut into `maxPoints / 4` buckets of
 * consecutive points and each bucket keeps its first, min, max and last point, so the global extremes and
 * every local spike survive and the line's shape stays honest. Short series come back whole (a copy).
 */
export function downsampleMinMax(points: readonly SeriesPoint[], maxPoints: number): SeriesPoint[] {
  const limit = Math.floor(maxPoints);
  const sorted = sortedByStep(points);
  if (sorted.length <= limit) return [...sorted];
  if (limit <= 0) return [];
  if (limit < 4) {
    // Too few slots for a bucket: the extremes go first, since they are what the chart is for.
    const [first, min, max, last] = extremesOf(sorted);
    const keep = [...new Set([min, max, first, last])].slice(0, limit).sort((a, b) => a - b);
    return keep.map((i) => sorted[i]!);
  }
  const buckets = Math.floor(limit / 4);
  const out: SeriesPoint[] = [];
  for (let b = 0; b < buckets; b++) {
    const lo = Math.floor((b * sorted.length) / buckets);
    const hi = Math.floor(((b + 1) * sorted.length) / buckets);
    if (hi > lo) for (const i of bucketPicks(sorted, lo, hi)) out.push(sorted[i]!);
  }
  return out;
}

/** Indices of the first, min, max and last point of a whole series (min and max default to the first). */
function extremesOf(points: readonly SeriesPoint[]): [number, number, number, number] {
  const picks = bucketPicks(points, 0, points.length);
  const finite = picks.filter((i) => !Number.isNaN(points[i]!.value));
  const byValue = finite.sort((a, b) => points[a]!.value - points[b]!.value);
  return [0, byValue[0] ?? 0, byValue[byValue.length - 1] ?? 0, points.length - 1];
}

/** Several series on one x axis: the sorted union of their steps, and each series' value or null per step. */
export interface AlignedSeries {
  steps: number[];
  values: (number | null)[][];
}

/**
 * Lines up series by step for an overlaid chart. A step a series lacks is null (uPlot draws a gap or
 * spans it); NaN and infinities become null too, since a canvas cannot place them; a step logged twice
 * keeps its last value, as the metric store does.
 */
export function alignSeries(series: readonly (readonly SeriesPoint[])[]): AlignedSeries {
  const stepSet = new Set<number>();
  for (const s of series) for (const p of s) stepSet.add(p.step);
  const steps = [...stepSet].sort((a, b) => a - b);
  const position = new Map(steps.map((step, i) => [step, i]));
  const values = series.map((s) => {
    const row: (number | null)[] = new Array<number | null>(steps.length).fill(null);
    for (const p of s) row[position.get(p.step)!] = Number.isFinite(p.value) ? p.value : null;
    return row;
  });
  return { steps, values };
}

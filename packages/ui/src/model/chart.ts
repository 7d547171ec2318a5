/** Data of a metric chart: series downsampled per run, aligned on one step axis, and described in words. */
import { alignSeries, downsampleMinMax, type AlignedSeries, type SeriesPoint } from './downsample';
import { formatNumber } from './format';

/** One line of a chart: a run's (or a metric's) points under a label. */
export interface ChartSeries {
  label: string;
  points: readonly SeriesPoint[];
}

/** How many points a chart draws per series by default: beyond a few thousand a line gains no detail. */
export const DEFAULT_MAX_POINTS = 2000;

/** Each series downsampled to `maxPoints` (extremes kept), then aligned for uPlot's `[xs, ...ys]` layout. */
export function buildChartData(series: readonly ChartSeries[], maxPoints = DEFAULT_MAX_POINTS): AlignedSeries {
  return alignSeries(series.map((s) => downsampleMinMax(s.points, maxPoints)));
}

/** Whether there is anything to draw. */
export function hasPoints(series: readonly ChartSeries[]): boolean {
  return series.some((s) => s.points.length > 0);
}

/**
 * A text alternative of a chart for screen readers and tooltips: the metric, and for each series its
 * point count, step range, last value and extremes (what a reader would look at the chart for).
 */
export function chartSummary(metric: string, series: readonly ChartSeries[]): string {
  const parts = series.map((s) => {
    if (s.points.length === 0) return `${s.label}: no points`;
    let min = Infinity;
    let max = -Infinity;
    let first = Infinity;
    let lastStep = -Infinity;
    let last = NaN;
    for (const p of s.points) {
      if (p.value < min) min = p.value;
      if (p.value > max) max = p.value;
      if (p.step < first) first = p.step;
      if (p.step >= lastStep) {
        lastStep = p.step;
        last = p.value;
      }
    }
    return `${s.label}: ${s.points.length} points, steps ${first}–${lastStep}, last ${formatNumber(last)}, min ${formatNumber(min)}, max ${formatNumber(max)}`;
  });
  return `${metric}. ${parts.join('; ')}`;
}

/** View-model of the run detail view: what each section shows, computed from the records. */
import type { CellExecution, Environment, Run, RunSource } from '@runtrail/core/schema';
import type { SeriesPoint } from './downsample';
import { MISSING, formatDuration, formatNumber, shortHash } from './format';

/** Where a run came from, in one line. */
export function sourceLabel(source: RunSource): string {
  switch (source.kind) {
    case 'notebook':
      return source.path;
    case 'script':
      return source.path;
    case 'pipeline':
      return source.step ? `${source.pipeline} › ${source.step}` : source.pipeline;
    case 'api':
      return 'API';
  }
}

/**
 * Executions in the order they ran: by start time, then execution count (cells started in the same ms),
 * stable otherwise, because capture may deliver them out of order after a reconnect.
 */
export function orderedExecutions(executions: readonly CellExecution[]): CellExecution[] {
  return executions
    .map((e, i) => ({ e, i }))
    .sort((x, y) => x.e.startedAt - y.e.startedAt || (x.e.executionCount ?? 0) - (y.e.executionCount ?? 0) || x.i - y.i)
    .map((x) => x.e);
}

/** Counts for the executed-cells heading: how many, how many failed, total time. */
export function executionTotals(executions: readonly CellExecution[]): { count: number; errors: number; duration: string } {
  let ms = 0;
  let errors = 0;
  for (const e of executions) {
    ms += e.durationMs;
    if (e.status === 'error') errors++;
  }
  return { count: executions.length, errors, duration: formatDuration(ms) };
}

/** The environment section, with packages sorted by name for scanning. */
export interface EnvironmentView {
  python: string;
  os: string;
  packages: [name: string, version: string][];
  git: { commit: string; fullCommit: string; branch: string | null; dirty: boolean } | null;
}

/** Flattens a run's environment; null environments (not captured) give null. */
export function environmentView(env: Environment | null): EnvironmentView | null {
  if (!env) return null;
  return {
    python: env.python ?? MISSING,
    os: env.os ?? MISSING,
    packages: Object.entries(env.packages).sort(([a], [b]) => a.localeCompare(b)),
    git: env.git
      ? { commit: shortHash(env.git.commit, 10), fullCommit: env.git.commit, branch: env.git.branch ?? null, dirty: env.git.dirty }
      : null,
  };
}

/** A shape as `1,000 × 12`; MISSING for an unknown shape. */
export function shapeLabel(shape: readonly number[]): string {
  return shape.length === 0 ? MISSING : shape.map((n) => n.toLocaleString('en-US')).join(' × ');
}

/** One metric of the detail view: its summary, formatted, and the series to chart when the host sent one. */
export interface MetricView {
  key: string;
  last: string;
  min: string;
  max: string;
  step: number;
  count: number;
  /** The host's array itself (not a copy), so charts can tell an unchanged series by identity. */
  series: readonly SeriesPoint[] | null;
}

/** The run's metrics by key with their series, if any; keys sort naturally so `loss` sits next to `loss/val`. */
export function metricViews(run: Run, series: Readonly<Record<string, readonly SeriesPoint[]>>): MetricView[] {
  return [...run.metrics]
    .sort((a, b) => a.key.localeCompare(b.key))
    .map((m) => ({
      key: m.key,
      last: formatNumber(m.last),
      min: formatNumber(m.min),
      max: formatNumber(m.max),
      step: m.step,
      count: m.count,
      series: series[m.key] ?? null,
    }));
}

/**
 * Columns of the run table. A column is named by an id that reads like a filter field: `started`,
 * `duration`, `params.<key>`, `metrics.<key>`; `status` and `name` are always shown first. Ids are
 * plain strings so hosts can persist the user's choice as they are.
 */
import type { JsonValue, Run } from '@runtrail/core/schema';
import { MISSING, formatDuration, formatNumber, formatTimestamp, formatValue, runDurationMs } from './format';

/** What a column shows. */
export type ColumnKind = 'status' | 'name' | 'started' | 'duration' | 'param' | 'metric';

/** A resolved column: its id, what it shows and how it is laid out. */
export interface ColumnDef {
  id: string;
  kind: ColumnKind;
  /** The param or metric key, for `param` and `metric` columns. */
  key?: string;
  label: string;
  /** Numeric columns align right and sort as numbers. */
  numeric: boolean;
  /** A CSS grid track size. */
  width: string;
}

/** Columns every table shows, in this order, before the chosen ones. */
export const FIXED_COLUMNS: readonly string[] = ['status', 'name'];

/** Columns the chooser offers besides params and metrics. */
export const BASE_COLUMNS: readonly string[] = ['started', 'duration'];

/** The definition of a column id, or null for an id this table does not know. */
export function columnDef(id: string): ColumnDef | null {
  switch (id) {
    case 'status':
      return { id, kind: 'status', label: 'Status', numeric: false, width: '2.25em' };
    case 'name':
      return { id, kind: 'name', label: 'Name', numeric: false, width: 'minmax(10em, 2fr)' };
    case 'started':
      return { id, kind: 'started', label: 'Started', numeric: false, width: '9.5em' };
    case 'duration':
      return { id, kind: 'duration', label: 'Duration', numeric: true, width: '6em' };
  }
  const param = /^params\.(.+)$/.exec(id);
  if (param) return { id, kind: 'param', key: param[1]!, label: param[1]!, numeric: false, width: 'minmax(6em, 1fr)' };
  const metric = /^metrics\.(.+)$/.exec(id);
  if (metric) return { id, kind: 'metric', key: metric[1]!, label: metric[1]!, numeric: true, width: 'minmax(6em, 1fr)' };
  return null;
}

/** Param and metric keys over all runs with how many runs have each, most common first, then by name. */
export function keyFrequencies(runs: readonly Run[]): { params: string[]; metrics: string[] } {
  const params = new Map<string, number>();
  const metrics = new Map<string, number>();
  for (const run of runs) {
    for (const p of run.params) params.set(p.key, (params.get(p.key) ?? 0) + 1);
    for (const m of run.metrics) metrics.set(m.key, (metrics.get(m.key) ?? 0) + 1);
  }
  const order = (m: Map<string, number>) =>
    [...m.entries()].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).map(([key]) => key);
  return { params: order(params), metrics: order(metrics) };
}

/** Every column the chooser can offer for these runs: base columns, then params and metrics by name. */
export function availableColumns(runs: readonly Run[]): string[] {
  const { params, metrics } = keyFrequencies(runs);
  return [
    ...BASE_COLUMNS,
    ...[...params].sort().map((k) => `params.${k}`),
    ...[...metrics].sort().map((k) => `metrics.${k}`),
  ];
}

/** A first choice of columns: base columns plus the keys most runs have, so a new table is useful at once. */
export function defaultColumns(runs: readonly Run[], maxParams = 2, maxMetrics = 3): string[] {
  const { params, metrics } = keyFrequencies(runs);
  return [
    ...BASE_COLUMNS,
    ...params.slice(0, maxParams).map((k) => `params.${k}`),
    ...metrics.slice(0, maxMetrics).map((k) => `metrics.${k}`),
  ];
}

/** Shows a hidden column (at the end) or hides a shown one; fixed columns cannot be hidden. */
export function toggleColumn(columns: readonly string[], id: string): string[] {
  if (FIXED_COLUMNS.includes(id)) return [...columns];
  return columns.includes(id) ? columns.filter((c) => c !== id) : [...columns, id];
}

/** The columns a table renders: the fixed ones, then the chosen ones known and not repeated. */
export function visibleColumnDefs(columns: readonly string[]): ColumnDef[] {
  const ids = [...new Set([...FIXED_COLUMNS, ...columns])];
  return ids.map(columnDef).filter((d): d is ColumnDef => d !== null);
}

/** The CSS `grid-template-columns` of a row with these columns, so header and rows line up. */
export function gridTemplate(defs: readonly ColumnDef[]): string {
  return ['2em', ...defs.map((d) => d.width)].join(' ');
}

/**
 * A param value as the backend indexes it: numbers, and strings that read as numbers, are numeric; other
 * values compare as text (their JSON). Client-side filter and sort must agree with the server's search.
 */
export function paramComparable(value: JsonValue): { text: string; num: number | null } {
  if (typeof value === 'number') return { text: String(value), num: value };
  if (typeof value === 'string') {
    const n = value.trim() === '' ? NaN : Number(value);
    return { text: value, num: Number.isFinite(n) ? n : null };
  }
  return { text: JSON.stringify(value), num: null };
}

/** The sortable value of a run in a column: a number, a string, or null when the run has none. */
export function cellValue(run: Run, def: ColumnDef, now: number): number | string | null {
  switch (def.kind) {
    case 'status':
      return run.status;
    case 'name':
      return run.name;
    case 'started':
      return run.startTime;
    case 'duration':
      return runDurationMs(run, now);
    case 'param': {
      const param = run.params.find((p) => p.key === def.key);
      if (!param) return null;
      const { text, num } = paramComparable(param.value);
      return num ?? text;
    }
    case 'metric':
      return run.metrics.find((m) => m.key === def.key)?.last ?? null;
  }
}

/** The text of a run's cell in a column. */
export function cellText(run: Run, def: ColumnDef, now: number): string {
  switch (def.kind) {
    case 'status':
      return run.status;
    case 'name':
      return run.name || run.id;
    case 'started':
      return formatTimestamp(run.startTime);
    case 'duration':
      return formatDuration(runDurationMs(run, now));
    case 'param': {
      const param = run.params.find((p) => p.key === def.key);
      return param ? formatValue(param.value) : MISSING;
    }
    case 'metric': {
      const metric = run.metrics.find((m) => m.key === def.key);
      return metric ? formatNumber(metric.last) : MISSING;
    }
  }
}

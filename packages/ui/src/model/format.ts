/**
 * Text formatting shared by every view: durations, timestamps, JSON values, numbers, sizes and deltas.
 * Pure functions, so the table, the detail view and the compare view print the same thing the same way.
 */
import type { JsonValue } from '@runtrail/core/schema';

/** How a missing value is shown everywhere (a dash reads as "nothing" without looking like a zero). */
export const MISSING = '—';

/**
 * A duration in ms as the largest two units: `850 ms`, `4.2 s`, `3m 05s`, `2h 07m`, `3d 4h`.
 * Negative or non-finite input prints MISSING, because it only comes from clock skew or absent data.
 */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return MISSING;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.floor(seconds)} s`;
  const totalSeconds = Math.floor(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)}m ${pad(totalSeconds % 60)}s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  if (totalMinutes < 24 * 60) return `${Math.floor(totalMinutes / 60)}h ${pad(totalMinutes % 60)}m`;
  const totalHours = Math.floor(totalMinutes / 60);
  return `${Math.floor(totalHours / 24)}d ${totalHours % 24}h`;
}

/** A run's duration: until its end, or until `now` while it is still open. */
export function runDurationMs(run: { startTime: number; endTime: number | null }, now: number): number {
  return (run.endTime ?? now) - run.startTime;
}

/** A timestamp as local `YYYY-MM-DD HH:mm`: sortable by eye and the same width in every row. */
export function formatTimestamp(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return MISSING;
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * A number with at most `digits` significant digits; integers below 1e9 print whole, very large or small values in
 * exponent form, so metric columns stay narrow without hiding magnitude.
 */
export function formatNumber(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined) return MISSING;
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  if (Number.isInteger(value) && Math.abs(value) < 1e9) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e9)) return value.toExponential(digits - 1).replace(/\.?0+e/, 'e');
  return String(Number(value.toPrecision(digits)));
}

/** Any JSON value (a param, a stat) as short text: strings unquoted, numbers via formatNumber, the rest as JSON. */
export function formatValue(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return MISSING;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** A signed difference (`+0.012`, `-3`), or MISSING when there is none to show. */
export function formatDelta(delta: number | null | undefined): string {
  if (delta === null || delta === undefined || Number.isNaN(delta)) return MISSING;
  if (delta === 0) return '0';
  return `${delta > 0 ? '+' : ''}${formatNumber(delta)}`;
}

/** A relative change as a signed percentage (`+12.5%`). */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return MISSING;
  const pct = ratio * 100;
  return `${pct > 0 ? '+' : ''}${Number(pct.toPrecision(3))}%`;
}

/** A byte count in binary units (`1.5 KiB`), as file managers show artifact sizes. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return MISSING;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** The first characters of a hash or id: enough to tell two apart at a glance, with the full one in a tooltip. */
export function shortHash(hash: string, length = 8): string {
  return hash.length <= length ? hash : hash.slice(0, length);
}

/**
 * Short text for tree rows and quick picks. The webviews format with packages/ui's functions; those live
 * behind the Lit components' entry point, which cannot load in the extension host, so the few the sidebar
 * needs are restated here in the same style.
 */

/** A metric value with at most 4 significant digits (integers whole), like the run table prints it. */
export function formatMetric(value: number | null): string {
  if (value === null) return '—';
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? '∞' : '-∞';
  if (Number.isInteger(value) && Math.abs(value) < 1e9) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e9)) return value.toExponential(3).replace(/\.?0+e/, 'e');
  return String(Number(value.toPrecision(4)));
}

/** A duration as its largest two units: `850 ms`, `4.2 s`, `3m 05s`, `2h 07m`, `3d 4h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${ms < 10_000 ? (ms / 1000).toFixed(1) : s} s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  const m = Math.floor(s / 60);
  if (m < 24 * 60) return `${Math.floor(m / 60)}h ${pad(m % 60)}m`;
  return `${Math.floor(m / 1440)}d ${Math.floor(m / 60) % 24}h`;
}

/** A timestamp as local `YYYY-MM-DD HH:mm`. */
export function formatTimestamp(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A JSON value (a param) as short text: strings unquoted, numbers via formatMetric, the rest as JSON. */
export function formatParam(value: unknown, max = 60): string {
  const text = typeof value === 'string' ? value : typeof value === 'number' ? formatMetric(value) : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The id shown where a run has no name: the last 8 hex digits (a UUIDv7's first digits are its timestamp). */
export function shortRunId(runId: string): string {
  return runId.replace(/-/g, '').slice(-8);
}

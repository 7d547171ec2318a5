/** Plain-text rendering for the terminal: aligned tables and short value forms. */
import type { Run } from '@runtrail/core/schema';

/** Renders rows as left-aligned columns with a header line. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** A JSON value in a compact form, cut to `max` characters. */
export function short(value: unknown, max = 40): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

/** A duration in ms as "1.2s", "3m04s", "2h05m". */
export function duration(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A timestamp as local "YYYY-MM-DD HH:MM". */
export function when(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** One line per run for `runs list`. */
export function runRows(runs: Run[]): string[][] {
  return runs.map((r) => [
    r.id,
    r.name || '-',
    r.status,
    when(r.startTime),
    duration(r.endTime === null ? null : r.endTime - r.startTime),
    r.params.slice(0, 3).map((p) => `${p.key}=${short(p.value, 16)}`).join(' '),
    r.metrics.slice(0, 3).map((m) => `${m.key}=${m.last === null ? 'NaN' : Number(m.last.toPrecision(4))}`).join(' '),
  ]);
}

/** The detail view of one run for `runs show`. */
export function runDetail(run: Run): string {
  const out = [
    `run ${run.id}  ${run.name}`,
    `  experiment ${run.experimentId}   status ${run.status}   started ${when(run.startTime)}   duration ${duration(run.endTime === null ? null : run.endTime - run.startTime)}`,
    `  source ${run.source.kind === 'notebook' ? run.source.path : run.source.kind}   cells ${run.cellCount}${run.parentRunId ? `   parent ${run.parentRunId}` : ''}`,
  ];
  const section = (title: string, rows: string[][], header: string[]) => {
    if (rows.length === 0) return;
    out.push('', title, ...table(header, rows).split('\n').map((l) => '  ' + l));
  };
  section('params', run.params.map((p) => [p.key, short(p.value, 60), p.origin]), ['key', 'value', 'origin']);
  section('metrics', run.metrics.map((m) => [m.key, String(m.last), String(m.min), String(m.max), String(m.step), String(m.count)]), ['key', 'last', 'min', 'max', 'step', 'points']);
  section('tags', run.tags.map((t) => [t.key, short(t.value, 60)]), ['key', 'value']);
  section('data', run.snapshots.map((s) => [s.name, s.kind, s.shape.join('x'), s.fingerprint.slice(0, 16)]), ['name', 'kind', 'shape', 'fingerprint']);
  section('artifacts', run.artifacts.map((a) => [a.path, String(a.size), a.sha256.slice(0, 16)]), ['path', 'size', 'sha256']);
  if (run.note) out.push('', 'note', ...run.note.split('\n').map((l) => '  ' + l));
  return out.join('\n');
}

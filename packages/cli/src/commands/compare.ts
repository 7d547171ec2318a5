/** `runtrail runs compare A B`: params, metrics, code per cell and data of two runs (core/diff). */
import type { RuntrailClient } from '@runtrail/core/client';
import { diffRuns, type RunDiff, type RunWithCells } from '@runtrail/core/diff';
import { connect, type ConnectionOptions } from '../connection';
import { short, table } from '../format';

async function fetchRun(client: RuntrailClient, runId: string): Promise<RunWithCells> {
  const [run, cells] = await Promise.all([
    client.call('getRun', { params: { runId } }),
    client.call('listCells', { params: { runId } }),
  ]);
  return { run, executions: cells.executions };
}

const MARK = { added: '+', removed: '-', changed: '~', same: ' ' } as const;

/** The text form of a run diff: only what differs, each section with a one-line heading. */
export function renderDiff(diff: RunDiff): string {
  const out = [`compare ${diff.a.id} (${diff.a.name || '-'})  vs  ${diff.b.id} (${diff.b.name || '-'})`];
  if (diff.identical) return [...out, 'no differences'].join('\n');
  const section = (title: string, count: number, header: string[], rows: string[][]) => {
    if (count === 0) return;
    out.push('', `${title} (${count} differ)`, ...table(header, rows).split('\n').map((l) => '  ' + l));
  };
  const differing = <T extends { status: string }>(xs: T[]) => xs.filter((x) => x.status !== 'same');
  section('params', diff.summary.params, ['', 'key', 'a', 'b'],
    differing(diff.params).map((p) => [MARK[p.status], p.key, p.a === undefined ? '' : short(p.a), p.b === undefined ? '' : short(p.b)]));
  section('metrics', diff.summary.metrics, ['', 'key', 'a', 'b', 'delta'],
    differing(diff.metrics).map((m) => [MARK[m.status], m.key, String(m.a ?? ''), String(m.b ?? ''), m.delta === null ? '' : String(Number(m.delta.toPrecision(4)))]));
  section('data', diff.summary.data, ['', 'name', 'content', 'rows a', 'rows b', 'schema'],
    differing(diff.data).map((d) => [
      MARK[d.status], d.name, d.fingerprintEqual === null ? '' : d.fingerprintEqual ? 'same' : 'changed',
      String(d.rows.a ?? ''), String(d.rows.b ?? ''),
      [...d.schema.added.map((c) => `+${c.column}`), ...d.schema.removed.map((c) => `-${c.column}`), ...d.schema.dtypeChanged.map((c) => `~${c.column}`)].join(' '),
    ]));
  const cells = differing(diff.code);
  if (cells.length > 0) {
    out.push('', `code (${cells.length} cells differ)`);
    for (const cell of cells) {
      out.push(`  ${MARK[cell.status]} cell ${cell.cellId}  +${cell.linesAdded} -${cell.linesRemoved}`);
      for (const hunk of cell.hunks) out.push(...hunk.lines.map((l) => `      ${l}`));
    }
  }
  return out.join('\n');
}

/** Fetches both runs with their cells and prints their differences. */
export async function compareRuns(a: string, b: string, options: ConnectionOptions & { json?: boolean }, print: (text: string) => void): Promise<void> {
  const client = connect(options);
  const [left, right] = await Promise.all([fetchRun(client, a), fetchRun(client, b)]);
  const diff = diffRuns(left, right);
  print(options.json ? JSON.stringify(diff, null, 2) : renderDiff(diff));
}

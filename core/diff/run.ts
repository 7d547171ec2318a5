/** The comparison of two runs, section by section. */
import type { RunDiff, RunWithCells } from './model';
import { diffCode } from './code';
import { diffSnapshots } from './data';
import { diffMetrics, diffParams } from './params';

const changed = (items: readonly { status: string }[]) => items.filter((i) => i.status !== 'same').length;

/** Compares run `b` to the baseline `a`: params, metrics, code per cell and data snapshots. */
export function diffRuns(a: RunWithCells, b: RunWithCells): RunDiff {
  const params = diffParams(a.run.params, b.run.params);
  const metrics = diffMetrics(a.run.metrics, b.run.metrics);
  const code = diffCode(a.executions, b.executions);
  const data = diffSnapshots(a.run.snapshots, b.run.snapshots);
  const summary = { params: changed(params), metrics: changed(metrics), code: changed(code), data: changed(data) };
  return {
    a: { id: a.run.id, name: a.run.name },
    b: { id: b.run.id, name: b.run.name },
    params,
    metrics,
    code,
    data,
    summary,
    identical: Object.values(summary).every((n) => n === 0),
  };
}

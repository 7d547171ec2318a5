/**
 * Code section of a run diff: cells matched by nbformat cell id, each side represented by the cell's last
 * execution in that run (what the run's state was built from), sources compared line by line with jsdiff.
 */
import { structuredPatch } from 'diff';
import type { CellExecution } from '../schema';
import type { CellDiff, CellSide, Hunk } from './model';
import { statusOf } from './values';

/** Lines of context around each change, as in `git diff`. */
const CONTEXT_LINES = 3;

/** The last execution of each cell, keyed in order of the cells' first execution. */
export function lastExecutionByCell(executions: readonly CellExecution[]): Map<string, CellExecution> {
  const out = new Map<string, CellExecution>();
  for (const e of executions) out.set(e.cellId, e);
  return out;
}

/** A line diff of two sources: hunks and how many lines each side gained or lost. */
export function diffSource(before: string, after: string): Pick<CellDiff, 'hunks' | 'linesAdded' | 'linesRemoved'> {
  if (before === after) return { hunks: [], linesAdded: 0, linesRemoved: 0 };
  const hunks: Hunk[] = structuredPatch('a', 'b', before, after, undefined, undefined, { context: CONTEXT_LINES }).hunks.map(
    ({ oldStart, oldLines, newStart, newLines, lines }) => ({ oldStart, oldLines, newStart, newLines, lines }),
  );
  let linesAdded = 0;
  let linesRemoved = 0;
  for (const line of hunks.flatMap((h) => h.lines)) {
    if (line.startsWith('+')) linesAdded++;
    else if (line.startsWith('-')) linesRemoved++;
  }
  return { hunks, linesAdded, linesRemoved };
}

function side(e: CellExecution): CellSide {
  return {
    executionId: e.id,
    executionCount: e.executionCount,
    status: e.status,
    sourceHash: e.sourceHash,
    durationMs: e.durationMs,
  };
}

/** Cells of two runs: cells of `a` in execution order, then cells only `b` ran. */
export function diffCode(a: readonly CellExecution[], b: readonly CellExecution[]): CellDiff[] {
  const left = lastExecutionByCell(a);
  const right = lastExecutionByCell(b);
  const cellIds = [...new Set([...left.keys(), ...right.keys()])];
  return cellIds.map((cellId): CellDiff => {
    const ea = left.get(cellId);
    const eb = right.get(cellId);
    const out: CellDiff = {
      cellId,
      status: statusOf(ea !== undefined, eb !== undefined, ea?.source === eb?.source),
      ...diffSource(ea?.source ?? '', eb?.source ?? ''),
    };
    if (ea) out.a = side(ea);
    if (eb) out.b = side(eb);
    return out;
  });
}

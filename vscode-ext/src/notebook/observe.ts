/**
 * What VS Code shows of a finished cell execution, turned into core's ObservedExecution: used for executions of
 * the runtrail controller and of any other controller (the Jupyter extension), whose execution summaries
 * (order, success, timing) and outputs arrive through notebook document change events.
 */
import { summarizeOutputs, type NbOutput, type ObservedExecution } from '@runtrail/core/capture';
import { hashText } from '@runtrail/core/util';
import { firstError, type JupyterOutput } from './outputs';

/** A finished execution as the notebook editor reports it. */
export interface FinishedCell {
  /** The nbformat cell id, or null when the notebook has none (nbformat < 4.5). */
  cellId: string | null;
  /** Position of the cell, used for an id when the notebook has none. */
  index: number;
  source: string;
  tags: string[];
  executionCount: number | null;
  /** False when the execution failed; null when it was interrupted or cancelled before an answer. */
  success: boolean | null;
  startedAt: number;
  endedAt: number;
  outputs: JupyterOutput[];
}

/** The id capture records for a cell: its nbformat id, else its position. */
export function captureCellId(cellId: string | null, index: number): string {
  return cellId ? cellId.slice(0, 255) : `cell-${index + 1}`;
}

/** Builds core's ObservedExecution of a finished cell. */
export function observeExecution(cell: FinishedCell): ObservedExecution {
  const error = firstError(cell.outputs);
  const { summaries, blobs } = summarizeOutputs(cell.outputs as NbOutput[]);
  return {
    cellId: captureCellId(cell.cellId, cell.index),
    executionCount: cell.executionCount,
    source: cell.source,
    startedAt: cell.startedAt,
    durationMs: Math.max(0, cell.endedAt - cell.startedAt),
    status: cell.success ? 'ok' : error ? 'error' : 'aborted',
    error: error
      ? { ename: error.ename.slice(0, 255) || 'Error', evalue: error.evalue.slice(0, 4096), tracebackDigest: hashText(error.traceback.join('\n')) }
      : null,
    outputs: summaries,
    outputBlobs: blobs,
    isParametersCell: cell.tags.includes('parameters'),
  };
}

/**
 * Whether another controller's kernel restarted between two executions: Jupyter kernels count executions from
 * 1 again after a restart, so an execution order that goes back means a new kernel (a run boundary).
 */
export function kernelRestartedBetween(previousOrder: number | null, nextOrder: number | null): boolean {
  return previousOrder !== null && nextOrder !== null && nextOrder <= previousOrder && nextOrder === 1;
}

/** The execution summary VS Code keeps per cell (`vscode.NotebookCellExecutionSummary`, as plain data). */
export interface ExecutionSummaryData {
  executionOrder?: number;
  success?: boolean;
  timing?: { startTime: number; endTime: number };
}

/**
 * The identity of a finished execution in a summary, or null while it is not finished (no end time or no
 * outcome yet). VS Code may report one execution several times (later change events carry the summary too,
 * the end time may be adjusted), so an execution is its order and start time.
 */
export function finishedExecutionKey(summary: ExecutionSummaryData | undefined): string | null {
  if (!summary?.timing || summary.success === undefined) return null;
  return `${summary.executionOrder ?? ''}@${summary.timing.startTime}`;
}

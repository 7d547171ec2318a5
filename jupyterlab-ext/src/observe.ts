/** Turns what JupyterLab shows of a finished cell execution into core's ObservedExecution. */
import type { Cell, ICodeCellModel } from '@jupyterlab/cells';
import { summarizeOutputs, type NbOutput, type ObservedExecution } from '@runtrail/core/capture';
import { hashText } from '@runtrail/core/util';

/** The tags of a cell (nbformat metadata.tags). */
export function cellTags(cell: Cell): string[] {
  const tags = cell.model.getMetadata('tags');
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
}

/** Builds the observed execution of a code cell that just finished. */
export function observeExecution(cell: Cell, startedAt: number, endedAt: number, success: boolean): ObservedExecution {
  const model = cell.model as ICodeCellModel;
  const outputs: (NbOutput & { traceback?: string[] })[] = [];
  for (let i = 0; i < model.outputs.length; i++) outputs.push(model.outputs.get(i).toJSON() as unknown as NbOutput);
  const { summaries, blobs } = summarizeOutputs(outputs);
  const errorOutput = outputs.find((o) => o.output_type === 'error');
  const error = errorOutput
    ? { ename: String(errorOutput.ename ?? 'Error').slice(0, 255), evalue: String(errorOutput.evalue ?? '').slice(0, 4096), tracebackDigest: hashText((errorOutput.traceback ?? []).join('\n')) }
    : null;
  return {
    cellId: model.id,
    executionCount: model.executionCount ?? null,
    source: model.sharedModel.getSource(),
    startedAt,
    durationMs: Math.max(0, endedAt - startedAt),
    status: success ? 'ok' : error ? 'error' : 'aborted',
    error,
    outputs: summaries,
    outputBlobs: blobs,
    isParametersCell: cellTags(cell).includes('parameters'),
  };
}

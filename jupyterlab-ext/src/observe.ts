/** Turns what JupyterLab shows of a finished cell execution into core's ObservedExecution. */
import type { Cell, ICodeCellModel } from '@jupyterlab/cells';
import type { OutputSummary } from '@runtrail/core/schema';
import type { ObservedExecution } from '@runtrail/core/capture';
import { hashText } from '@runtrail/core/util';

const TEXT_LIMIT = 4096;

interface NbOutput {
  output_type: string;
  data?: Record<string, unknown>;
  text?: string | string[];
  name?: string;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

const join = (text: string | string[] | undefined) => (Array.isArray(text) ? text.join('') : (text ?? ''));

/** Mime types, outputs type and a truncated text of each output: enough to show it, never the megabytes. */
export function summarizeOutputs(outputs: NbOutput[]): OutputSummary[] {
  return outputs.slice(0, 100).map((o) => {
    const type = (['stream', 'display_data', 'execute_result', 'error'] as const).find((t) => t === o.output_type) ?? 'display_data';
    const text = type === 'stream' ? join(o.text) : type === 'error' ? `${o.ename}: ${o.evalue}` : join(o.data?.['text/plain'] as string | string[] | undefined);
    return {
      outputType: type,
      mimeTypes: type === 'stream' ? [`text/${o.name ?? 'stdout'}`] : Object.keys(o.data ?? {}).slice(0, 50),
      text: text ? text.slice(0, TEXT_LIMIT) : undefined,
      truncated: text.length > TEXT_LIMIT,
    };
  });
}

/** The tags of a cell (nbformat metadata.tags). */
export function cellTags(cell: Cell): string[] {
  const tags = cell.model.getMetadata('tags');
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
}

/** Builds the observed execution of a code cell that just finished. */
export function observeExecution(cell: Cell, startedAt: number, endedAt: number, success: boolean): ObservedExecution {
  const model = cell.model as ICodeCellModel;
  const outputs: NbOutput[] = [];
  for (let i = 0; i < model.outputs.length; i++) outputs.push(model.outputs.get(i).toJSON() as unknown as NbOutput);
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
    outputs: summarizeOutputs(outputs),
    isParametersCell: cellTags(cell).includes('parameters'),
  };
}

/**
 * How each value a cell reads from the cells above becomes a step input: wired to the existing step that produces
 * it; else a param when the producing cell assigned a literal (`lr = 0.1`, which covers papermill's `parameters`
 * cell); else a data input bound to the last run's snapshot of it.
 */
import type { CellAnalysis, CellInput } from '../analysis';
import type { JsonValue } from '../schema/primitives';
import type { PipelineStep, PipelineStepInput, ValueFormat } from './model';
import { own } from './own';

/** What the last captured run knows of a value: its snapshot fingerprint and kind. */
export interface ValueSnapshot {
  fingerprint?: string;
  kind?: 'pandas' | 'polars' | 'numpy' | 'arrow' | 'file' | string;
}

/** One input as the preview shows it. */
export type PreviewInput =
  | { name: string; from: 'step'; step: string; type: string }
  | { name: string; from: 'data'; snapshot?: string; type: string; cell: number };

/** Python type and storage format per snapshot kind. */
export const SNAPSHOT_FORMATS: Readonly<Record<string, { type: string; format: ValueFormat }>> = {
  pandas: { type: 'pandas.DataFrame', format: 'parquet' },
  polars: { type: 'polars.DataFrame', format: 'parquet' },
  arrow: { type: 'pyarrow.Table', format: 'parquet' },
  numpy: { type: 'numpy.ndarray', format: 'npy' },
};

/** What binding needs to know about the notebook and the pipeline. */
export interface BindingContext {
  analyses: Array<CellAnalysis | null>;
  /** The nbformat id of a cell by index. */
  cellId: (index: number) => string;
  notebookPath: string;
  /** Steps other than the one being promoted. */
  otherSteps: PipelineStep[];
  /** Current values of pipeline.yaml params: an edited value wins over the notebook's literal. */
  pipelineParams: Record<string, JsonValue>;
  snapshots: Record<string, ValueSnapshot>;
}

/** The bound inputs, params and what the user should know. */
export interface BoundInputs {
  inputs: PipelineStepInput[];
  preview: PreviewInput[];
  params: Array<{ name: string; value: JsonValue }>;
  warnings: string[];
}

/** Binds the value inputs of a cell (see the file comment for the order of preference). */
export function bindInputs(values: CellInput[], ctx: BindingContext): BoundInputs {
  const out: BoundInputs = { inputs: [], preview: [], params: [], warnings: [] };
  for (const input of values) {
    const producerId = ctx.cellId(input.fromCell);
    const upstream = ctx.otherSteps.find((s) => s.notebook === ctx.notebookPath && s.cell === producerId);
    const output = upstream?.outputs.find((o) => o.name === input.name);
    if (upstream && output) {
      out.inputs.push({ name: input.name, from: 'step', step: upstream.name, output: output.name, type: output.type });
      out.preview.push({ name: input.name, from: 'step', step: upstream.name, type: output.type });
      continue;
    }
    const literals = ctx.analyses[input.fromCell]?.literals ?? {};
    if (Object.hasOwn(literals, input.name)) {
      out.params.push({ name: input.name, value: own(ctx.pipelineParams, input.name) ?? (literals[input.name] as JsonValue) });
      continue;
    }
    if (upstream) out.warnings.push(`step "${upstream.name}" does not output "${input.name}": promote cell ${input.fromCell} again to wire it`);
    const snap = own(ctx.snapshots, input.name);
    const known = snap?.kind ? own(SNAPSHOT_FORMATS, snap.kind) : undefined;
    const type = known?.type ?? 'object';
    const bound = snap?.fingerprint ? { snapshot: snap.fingerprint } : {};
    if (!snap?.fingerprint) out.warnings.push(`no snapshot of "${input.name}" from the last run: the data input is unbound until one is captured`);
    out.inputs.push({ name: input.name, from: 'data', type, format: known?.format ?? 'pickle', ...bound });
    out.preview.push({ name: input.name, from: 'data', type, cell: input.fromCell, ...bound });
  }
  return out;
}

/** Snapshots by variable name from a run's data snapshots (the newest capture of each name wins). */
export function snapshotsByName(snapshots: ReadonlyArray<{ name: string; fingerprint: string; kind: string; capturedAt: number }>): Record<string, ValueSnapshot> {
  const out: Record<string, ValueSnapshot> = {};
  for (const s of [...snapshots].sort((a, b) => a.capturedAt - b.capturedAt)) out[s.name] = { fingerprint: s.fingerprint, kind: s.kind };
  return out;
}

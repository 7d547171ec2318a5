/**
 * Promotion of a notebook cell to a pipeline step, and demotion. Both are pure: they take the notebook's cells and
 * the current `pipeline.yaml` text and return a plan (a preview for the user, the files to write or delete and the
 * tag edit of the cell). Callers (the CLI, the JupyterLab and VS Code commands) show the preview, then apply it.
 */
import { analyzeNotebook, cellDataflow, namespaceBefore, type CellAnalysis, type NotebookCellSource } from '../analysis';
import type { JsonValue } from '../schema/primitives';
import { PipelineError } from './errors';
import { deriveCellId, stepOfTags, stepTag, STEP_TAG_PREFIX } from './ipynb';
import { PipelineSpec, StepName, findCycle, type PipelineStep, type ValueFormat } from './model';
import { literalType, renderStepModule, type StepParameter } from './stepfile';
import { parsePipelineYaml, stringifyPipeline } from './yaml';
import { importLine, resolveHelpers } from './helpers';
import { SNAPSHOT_FORMATS, bindInputs, type PreviewInput, type ValueSnapshot } from './inputs';
import { own } from './own';

/** The notebook a cell is promoted from: its project-relative path and cells. */
export interface PromotionNotebook {
  path: string;
  cells: NotebookCellSource[];
}

/** A cell by position (0-based, all cells counted) or by nbformat id. */
export type CellRef = { index: number } | { id: string };

/** Choices of the caller. */
export interface PromotionOptions {
  /** The step name; default: the markdown heading above the cell, else `step_<index>`. */
  name?: string;
  /** Snapshots of the last run by variable name, to bind data inputs and type values. */
  snapshots?: Record<string, ValueSnapshot>;
  /** The pipeline's name when `pipeline.yaml` does not exist yet. */
  pipelineName?: string;
  /** Folder of step modules, project-relative. */
  stepsDir?: string;
}

/** What promoting will do, for the user to confirm. */
export interface PromotionPreview {
  step: string;
  cell: { index: number; id: string };
  /** True when the cell was already a step and is updated in place. */
  update: boolean;
  inputs: PreviewInput[];
  outputs: Array<{ name: string; type: string; format: ValueFormat }>;
  params: Array<{ name: string; value: JsonValue }>;
  upstream: string[];
  /** Steps promoted earlier whose data inputs this step now produces: they are wired to it (`train.features`). */
  downstream: string[];
  imports: string[];
  helpers: string[];
  warnings: string[];
}

/** A file the plan writes, project-relative. */
export interface PlannedFile {
  path: string;
  content: string;
}

/** The outcome of planning: preview, files, and how to tag the cell. */
export interface PromotionPlan {
  preview: PromotionPreview;
  step: PipelineStep;
  pipeline: PipelineSpec;
  writes: PlannedFile[];
  deletes: string[];
  /** Tag edit of the notebook cell; `id` is set when the cell had none and must get it. */
  cellTag: { index: number; add: string[]; removePrefix: string; id?: string };
}

/** Finds the cell a reference points at. */
export function resolveCell(notebook: PromotionNotebook, ref: CellRef): { index: number; id: string; hadId: boolean } {
  const index = 'index' in ref ? ref.index : notebook.cells.findIndex((c) => c.id === ref.id);
  const cell = notebook.cells[index];
  if (!cell || index < 0) {
    const what = 'index' in ref ? `index ${ref.index} (the notebook has ${notebook.cells.length} cells)` : `id "${ref.id}"`;
    throw new PipelineError(`no cell with ${what}`, 'cell');
  }
  return { index, id: cell.id ?? deriveCellId(notebook.path, index, cell.source), hadId: cell.id !== undefined };
}

function cellIdAt(notebook: PromotionNotebook, index: number): string {
  const c = notebook.cells[index]!;
  return c.id ?? deriveCellId(notebook.path, index, c.source);
}

/** A step name from the nearest markdown heading above the cell, else `step_<index>`. */
function defaultStepName(notebook: PromotionNotebook, index: number): string {
  for (let i = index - 1; i >= 0; i--) {
    const c = notebook.cells[i]!;
    if (c.kind === 'code') break;
    const heading = /^#{1,6}\s+(.+)$/m.exec(c.source)?.[1];
    const slug = heading?.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').replace(/^(\d)/, '_$1').slice(0, 64);
    if (slug && StepName.safeParse(slug).success) return slug;
  }
  return `step_${index}`;
}

/** `base`, or `base_2`, `base_3`, ... when a step already has that name. */
function freeName(base: string, steps: PipelineStep[]): string {
  const taken = new Set(steps.map((s) => s.name));
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base.slice(0, 60)}_${n}`;
  return name;
}

function loadPipeline(existing: string | null, pipelineName: string): { spec: PipelineSpec; text: string | undefined } {
  if (existing === null || existing.trim() === '') return { spec: { version: 1, name: pipelineName, params: {}, steps: [] }, text: undefined };
  return { spec: parsePipelineYaml(existing), text: existing };
}

function checkCell(analysis: CellAnalysis | null, index: number, step: string): CellAnalysis {
  if (!analysis) throw new PipelineError(`cell ${index} is not a code cell`, 'cell', step);
  if (analysis.foreignCellMagic) throw new PipelineError(`cell ${index} is a %%${analysis.foreignCellMagic} cell, not Python`, 'cell', step);
  const e = analysis.syntaxError;
  if (e) throw new PipelineError(`cell ${index} has a syntax error at line ${e.line}, column ${e.column}: ${e.message}`, 'cell', step);
  return analysis;
}

function checkStarImports(analyses: Array<CellAnalysis | null>, upTo: number, step: string): void {
  analyses.slice(0, upTo + 1).forEach((a, i) => {
    const star = a?.imports.find((imp) => imp.star);
    if (star) {
      throw new PipelineError(
        `cell ${i} has "from ${star.module} import *": the names it defines cannot be known; import them by name`,
        'imports', step,
      );
    }
  });
}

/** The error for names a cell reads that no cell above defines, with a hint where one can be given. */
function missingInputsError(missing: string[], analyses: Array<CellAnalysis | null>, index: number, step: string): PipelineError {
  const list = missing.map((n) => `"${n}"`).join(', ');
  const below = missing.flatMap((n) => {
    const at = analyses.findIndex((a, i) => i > index && a?.writes.includes(n));
    return at > 0 ? [`cell ${at} below defines "${n}"`] : [];
  });
  const ran = analyses.slice(0, index).findIndex((a) => a?.magics.some((m) => m.kind === 'line' && m.name === 'run'));
  const hint = below.length
    ? ` (${below.join(', ')}: move it above)`
    : ran >= 0 ? ` (cell ${ran} uses %run, whose names cannot be known: define or import them in a cell)` : '';
  return new PipelineError(`cell ${index} reads ${list}, which no cell above it defines${hint}`, 'inputs', step);
}

/** An output's type and format: from the last run's snapshot kind, else a literal's type, else pickled object. */
function typedOutput(name: string, analysis: CellAnalysis, snapshots: Record<string, ValueSnapshot>): PipelineStep['outputs'][number] {
  const known = own(SNAPSHOT_FORMATS, own(snapshots, name)?.kind ?? '');
  if (known) return { name, ...known };
  const literal = own(analysis.literals, name);
  if (literal !== undefined && literal !== null) return { name, type: literalType(literal as JsonValue), format: 'json' };
  return { name, type: 'object', format: 'pickle' };
}

/** Plans promoting one cell; throws PipelineError naming the step and field when it cannot be done. */
export function planPromotion(notebook: PromotionNotebook, ref: CellRef, existingYaml: string | null, options: PromotionOptions = {}): PromotionPlan {
  const cell = resolveCell(notebook, ref);
  const { spec, text } = loadPipeline(existingYaml, options.pipelineName ?? notebook.path.replace(/^.*\//, '').replace(/\.ipynb$/, ''));
  const previous = spec.steps.find((s) => s.notebook === notebook.path && s.cell === cell.id);
  const chosen = options.name ?? previous?.name ?? stepOfTags(notebook.cells[cell.index]?.tags);
  const name = chosen ?? freeName(defaultStepName(notebook, cell.index), spec.steps);
  const nameCheck = StepName.safeParse(name);
  if (!nameCheck.success) throw new PipelineError(`"${name}" ${nameCheck.error.issues[0]!.message}`, 'name', name);
  const clash = spec.steps.find((s) => s.name === name && s !== previous);
  if (clash) throw new PipelineError(`a step with this name already exists (from ${clash.notebook}, cell ${clash.cell}); choose another name`, 'name', name);

  const analyses = analyzeNotebook(notebook.cells);
  const analysis = checkCell(analyses[cell.index] ?? null, cell.index, name);
  checkStarImports(analyses, cell.index, name);
  const flow = cellDataflow(analyses, cell.index);
  if (flow.missing.length) throw missingInputsError(flow.missing, analyses, cell.index, name);

  const helpers = resolveHelpers(flow.inputs.filter((i) => i.kind === 'definition'), analyses, name);
  const neededImports = [...flow.inputs.filter((i) => i.kind === 'import'), ...helpers.imports];
  const importLines = [...new Set(neededImports.map((i) => importLine(analyses, i)))];
  const values = flow.inputs.filter((i) => i.kind === 'value');
  const bound = bindInputs(values, {
    analyses,
    cellId: (i) => cellIdAt(notebook, i),
    notebookPath: notebook.path,
    otherSteps: spec.steps.filter((s) => s !== previous),
    pipelineParams: spec.params,
    snapshots: options.snapshots ?? {},
  });
  const { inputs, params, warnings } = bound;
  for (const line of importLines) if (line.startsWith('from .')) warnings.push(`"${line}" is relative to the notebook's folder; the step module lives in another folder`);

  const outputs = flow.outputs.map((o) => typedOutput(o.name, analysis, options.snapshots ?? {}));

  const taken = new Map<string, string>([
    ...helpers.definitions.map((d) => [d, 'a helper definition'] as const),
    ...neededImports.map((i) => [i.name, 'an import'] as const),
    ...values.map((v) => [v.name, 'an input'] as const),
    ...outputs.map((o) => [o.name, 'an output'] as const),
  ]);
  const collision = taken.get(name) ?? (analysis.writes.includes(name) ? 'a name the cell assigns' : undefined);
  if (collision) throw new PipelineError(`the step function "${name}" would collide with ${collision} of the same name; choose another name`, 'name', name);

  const stepsDir = options.stepsDir ?? 'pipeline/steps';
  const step: PipelineStep = {
    name,
    source: `${stepsDir}/${name}.py`,
    function: name,
    notebook: notebook.path,
    cell: cell.id,
    inputs,
    outputs,
    params: params.map((p) => p.name),
  };
  const steps = previous ? spec.steps.map((s) => (s === previous ? step : s)) : [...spec.steps, step];
  const renamed = previous && previous.name !== name ? previous.name : undefined;
  const renamedRefs = renamed ? steps.map((s) => ({ ...s, inputs: s.inputs.map((i) => (i.from === 'step' && i.step === renamed ? { ...i, step: name } : i)) })) : steps;
  const { steps: rewired, downstream } = wireDownstream(renamedRefs, step, notebook, analyses, cell.index);
  const cycle = findCycle(rewired);
  if (cycle) throw new PipelineError(`cyclic dependency: ${cycle.join(' -> ')}; reorder the cells or demote one of these steps`, 'inputs', name);
  const newParams = { ...spec.params };
  for (const p of params) if (!Object.hasOwn(newParams, p.name)) newParams[p.name] = p.value;
  const pipeline = validated({ ...spec, params: newParams, steps: rewired }, name);

  const parameters: StepParameter[] = [
    ...inputs.map((i) => ({ name: i.name, type: i.type ?? 'object' })),
    ...params.map((p) => ({ name: p.name, type: literalType(p.value), default: pipeline.params[p.name]! })),
  ];
  const module = renderStepModule({
    name,
    notebook: notebook.path,
    cellId: cell.id,
    cellIndex: cell.index,
    cell: analysis,
    cellSource: notebook.cells[cell.index]!.source,
    importLines,
    constants: helpers.constants,
    helpers: helpers.sources,
    parameters,
    outputs,
  });
  const upstream = [...new Set(inputs.flatMap((i) => (i.from === 'step' ? [i.step] : [])))];
  return {
    preview: {
      step: name,
      cell: { index: cell.index, id: cell.id },
      update: previous !== undefined,
      inputs: bound.preview,
      outputs,
      params,
      upstream,
      downstream,
      imports: importLines,
      helpers: helpers.definitions,
      warnings,
    },
    step,
    pipeline,
    writes: [
      { path: step.source, content: module },
      { path: 'pipeline.yaml', content: stringifyPipeline(pipeline, text) },
    ],
    deletes: renamed && previous ? [previous.source] : [],
    cellTag: { index: cell.index, add: [stepTag(name)], removePrefix: STEP_TAG_PREFIX, ...(cell.hadId ? {} : { id: cell.id }) },
  };
}

function validated(spec: PipelineSpec, step: string): PipelineSpec {
  const parsed = PipelineSpec.safeParse(spec);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new PipelineError(issue.message, issue.path.map(String).join('.'), step);
}

/**
 * Steps promoted before their upstream cell have data inputs for values this step now outputs; wires them to it.
 * The producing cell of each such input is found with the same notebook-order dataflow as promotion uses.
 */
function wireDownstream(
  steps: PipelineStep[],
  step: PipelineStep,
  notebook: PromotionNotebook,
  analyses: Array<CellAnalysis | null>,
  index: number,
): { steps: PipelineStep[]; downstream: string[] } {
  const downstream: string[] = [];
  const outputs = new Map(step.outputs.map((o) => [o.name, o]));
  const wired = steps.map((other) => {
    if (other === step || other.notebook !== notebook.path) return other;
    const at = notebook.cells.findIndex((c, i) => cellIdAt(notebook, i) === other.cell);
    if (at <= index) return other;
    const namespace = namespaceBefore(analyses, at);
    let changed = false;
    const inputs = other.inputs.map((input) => {
      const output = outputs.get(input.name);
      if (input.from !== 'data' || !output || namespace.get(input.name)?.fromCell !== index) return input;
      changed = true;
      downstream.push(`${other.name}.${input.name}`);
      return { name: input.name, from: 'step' as const, step: step.name, output: output.name, type: output.type };
    });
    return changed ? { ...other, inputs } : other;
  });
  return { steps: wired, downstream };
}

/** What demoting does: the step removed, its file deleted, the cell's tag removed. */
export interface DemotionPlan {
  step: PipelineStep;
  pipeline: PipelineSpec;
  writes: PlannedFile[];
  deletes: string[];
  cellTag: { index: number; add: string[]; removePrefix: string };
}

/** Plans removing the step promoted from a cell; refuses while other steps read its outputs. */
export function planDemotion(notebook: PromotionNotebook, ref: CellRef, existingYaml: string | null): DemotionPlan {
  const cell = resolveCell(notebook, ref);
  if (existingYaml === null) throw new PipelineError('there is no pipeline.yaml: nothing to demote', 'pipeline.yaml');
  const spec = parsePipelineYaml(existingYaml);
  const step = spec.steps.find((s) => s.notebook === notebook.path && s.cell === cell.id);
  if (!step) throw new PipelineError(`cell ${cell.index} (id ${cell.id}) of ${notebook.path} is not a pipeline step`, 'cell');
  for (const [i, other] of spec.steps.entries()) {
    const j = other.inputs.findIndex((input) => input.from === 'step' && input.step === step.name);
    if (j >= 0) {
      throw new PipelineError(`step "${other.name}" reads an output of this step (steps[${i}].inputs[${j}]); demote "${other.name}" first`, 'steps', step.name);
    }
  }
  const steps = spec.steps.filter((s) => s !== step);
  const used = new Set(steps.flatMap((s) => s.params));
  const params = Object.fromEntries(Object.entries(spec.params).filter(([k]) => used.has(k) || !step.params.includes(k)));
  const pipeline = validated({ ...spec, params, steps }, step.name);
  return {
    step,
    pipeline,
    writes: [{ path: 'pipeline.yaml', content: stringifyPipeline(pipeline, existingYaml) }],
    deletes: [step.source],
    cellTag: { index: cell.index, add: [], removePrefix: STEP_TAG_PREFIX },
  };
}

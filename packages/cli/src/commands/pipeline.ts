/**
 * `runtrail pipeline promote|demote NOTEBOOK --cell INDEX|ID`: plan with core/pipeline, show the preview, then
 * (with --yes, or after a yes on a terminal) write the step module, pipeline.yaml and the cell's tag atomically.
 * Paths in pipeline.yaml are relative to the project folder (--project, default the current folder).
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { createInterface } from 'node:readline/promises';
import {
  PipelineError,
  editCellTags,
  planCellTagEdit,
  planDemotion,
  planPromotion,
  readNotebookCells,
  type CellRef,
  type DemotionPlan,
  type PromotionPlan,
} from '@runtrail/core/pipeline';
import type { ConnectionOptions } from '../connection';
import { CliError } from '../errors';
import { applyFileChanges } from '../pipeline/atomic';
import { renderDemotion, renderPromotion } from '../pipeline/render';
import { lastRunSnapshots, notebookExperimentId } from '../pipeline/snapshots';

/** Options shared by promote and demote. */
export interface PipelineCellOptions {
  cell: string;
  project?: string;
  yes?: boolean;
  json?: boolean;
}

/** Options of `pipeline promote`; the connection options locate the backend holding the last run's snapshots. */
export interface PromoteOptions extends PipelineCellOptions, ConnectionOptions {
  name?: string;
  /** Do not ask the backend for the last run's snapshots. */
  offline?: boolean;
}

/** How the command talks to the user; `confirm` is undefined when there is no terminal to ask on. */
export interface PipelineIo {
  print: (text: string) => void;
  confirm?: (question: string) => Promise<boolean>;
}

/** Asks on the terminal when both stdin and stdout are one. */
export function terminalConfirm(): PipelineIo['confirm'] {
  if (!process.stdin.isTTY || !process.stdout.isTTY) return undefined;
  return async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
    } finally {
      rl.close();
    }
  };
}

function parseCellRef(value: string): CellRef {
  if (/^\d+$/.test(value)) return { index: Number(value) };
  if (value.trim() === '') throw new CliError('--cell must be a cell index (0-based) or a cell id', 2);
  return { id: value };
}

interface Loaded {
  project: string;
  notebookFile: string;
  notebookPath: string;
  notebookText: string;
  yaml: string | null;
}

function load(notebookArg: string, options: PipelineCellOptions): Loaded {
  const project = resolve(options.project ?? '.');
  const notebookFile = resolve(notebookArg);
  if (!existsSync(notebookFile)) throw new CliError(`${notebookArg}: no such notebook`);
  const notebookPath = relative(project, notebookFile).split(sep).join('/');
  if (notebookPath.startsWith('../') || isAbsolute(notebookPath)) {
    throw new CliError(`${notebookArg} is outside the project folder ${project}; run from the project or pass --project`, 2);
  }
  const yamlFile = resolve(project, 'pipeline.yaml');
  return {
    project,
    notebookFile,
    notebookPath,
    notebookText: readFileSync(notebookFile, 'utf8'),
    yaml: existsSync(yamlFile) ? readFileSync(yamlFile, 'utf8') : null,
  };
}

function fail(error: unknown): never {
  if (error instanceof PipelineError) throw new CliError(error.message);
  throw error;
}

/** Writes the plan's files and the notebook's tag edit in one all-or-nothing step. */
function apply(plan: PromotionPlan | DemotionPlan, loaded: Loaded): void {
  const notebook = editCellTags(loaded.notebookText, planCellTagEdit(plan.cellTag), loaded.notebookPath);
  try {
    applyFileChanges(
      [{ path: loaded.notebookFile, content: notebook }, ...plan.writes.map((f) => ({ path: resolve(loaded.project, f.path), content: f.content }))],
      plan.deletes.map((f) => resolve(loaded.project, f)),
    );
  } catch (error) {
    throw new CliError(`cannot write the changes, nothing was changed: ${(error as Error).message}`);
  }
}

async function decide(options: PipelineCellOptions, io: PipelineIo): Promise<boolean> {
  if (options.yes) return true;
  if (!io.confirm || options.json) return false;
  return io.confirm('Write these changes?');
}

function report(plan: PromotionPlan | DemotionPlan, written: boolean, options: PipelineCellOptions, io: PipelineIo, preview: string): void {
  if (options.json) {
    const files = { writes: plan.writes.map((f) => f.path), deletes: plan.deletes };
    const body = 'preview' in plan ? { preview: plan.preview, step: plan.step } : { step: plan.step };
    io.print(JSON.stringify({ ...body, files, cellTag: plan.cellTag, written }, null, 2));
    return;
  }
  io.print(preview);
  io.print(written ? '\nWritten.' : '\nNothing written: pass --yes to write these changes.');
}

/** `runtrail pipeline promote`. */
export async function promote(notebookArg: string, options: PromoteOptions, io: PipelineIo): Promise<void> {
  const ref = parseCellRef(options.cell);
  const loaded = load(notebookArg, options);
  const experimentId = options.offline ? undefined : notebookExperimentId(loaded.notebookText);
  const found = experimentId ? await lastRunSnapshots(experimentId, options) : { snapshots: {} };
  let plan: PromotionPlan;
  try {
    const cells = readNotebookCells(loaded.notebookText, loaded.notebookPath);
    plan = planPromotion({ path: loaded.notebookPath, cells }, ref, loaded.yaml, { snapshots: found.snapshots, ...(options.name ? { name: options.name } : {}) });
  } catch (error) {
    fail(error);
  }
  if ('note' in found && found.note && plan.preview.inputs.some((i) => i.from === 'data')) plan.preview.warnings.push(found.note);
  const preview = renderPromotion(plan, loaded.notebookPath);
  if (!options.json && !options.yes && io.confirm) io.print(preview);
  const written = await decide(options, io);
  if (written) apply(plan, loaded);
  if (!options.json && !options.yes && io.confirm) io.print(written ? 'Written.' : 'Nothing written.');
  else report(plan, written, options, io, preview);
}

/** `runtrail pipeline demote`. */
export async function demote(notebookArg: string, options: PipelineCellOptions, io: PipelineIo): Promise<void> {
  const ref = parseCellRef(options.cell);
  const loaded = load(notebookArg, options);
  let plan: DemotionPlan;
  try {
    const cells = readNotebookCells(loaded.notebookText, loaded.notebookPath);
    plan = planDemotion({ path: loaded.notebookPath, cells }, ref, loaded.yaml);
  } catch (error) {
    fail(error);
  }
  const preview = renderDemotion(plan, loaded.notebookPath);
  if (!options.json && !options.yes && io.confirm) io.print(preview);
  const written = await decide(options, io);
  if (written) apply(plan, loaded);
  if (!options.json && !options.yes && io.confirm) io.print(written ? 'Written.' : 'Nothing written.');
  else report(plan, written, options, io, preview);
}

/**
 * The promote and demote commands as a flow over three ports: the user (name box and preview picks), the project's
 * files (read/write/remove, relative to the workspace folder) and the notebook (its cells, and the tag edit that is
 * saved with it). Planning is core/pipeline's, exactly as in the CLI; applying is core's `applyPlanFiles`: step
 * module, then pipeline.yaml, then the notebook's tag, and everything put back when any of them fails.
 */
import type { NotebookCellSource } from '@runtrail/core/analysis';
import {
  PipelineError,
  StepName,
  applyPlanFiles,
  planDemotion,
  planPromotion,
  type CellRef,
  type DemotionPlan,
  type PlanFileSystem,
  type PromotionPlan,
} from '@runtrail/core/pipeline';
import { demotionPreview, promotionPreview, refusalView, type PreviewAction, type PreviewView } from './preview';
import type { LastRunSnapshots } from '@runtrail/core/pipeline';

/** How the flow asks the user. Each resolves undefined when the user dismisses the prompt. */
export interface PromoteUi {
  /** The step name box, prefilled. */
  askName(prefill: string): Promise<string | undefined>;
  /** Shows a preview or a refusal; resolves the chosen row's action. */
  choose(view: PreviewView): Promise<PreviewAction | undefined>;
}

/** The notebook a command acts on. */
export interface PromoteNotebook {
  /** Path relative to the project folder, `/`-separated (as the CLI writes it into pipeline.yaml). */
  path: string;
  cells: NotebookCellSource[];
  /** Applies a plan's tag edit to the cell and saves the notebook; throws when either fails. */
  applyCellTag(cellTag: PromotionPlan['cellTag'] | DemotionPlan['cellTag']): Promise<void>;
}

/** How a command ended. */
export type FlowOutcome =
  | { kind: 'written'; step: string; update: boolean }
  | { kind: 'demoted'; step: string }
  | { kind: 'cancelled' }
  | { kind: 'refused'; message: string };

/** The rule a typed step name breaks, or undefined (for the name box's live validation). */
export function stepNameError(name: string): string | undefined {
  const check = StepName.safeParse(name.trim());
  return check.success ? undefined : check.error.issues[0]?.message;
}

type Planned<T> = { plan: T } | { error: PipelineError };

function attempt<T>(fn: () => T): Planned<T> {
  try {
    return { plan: fn() };
  } catch (error) {
    if (error instanceof PipelineError) return { error };
    throw error;
  }
}

async function applied(fs: PlanFileSystem, plan: PromotionPlan | DemotionPlan, notebook: PromoteNotebook): Promise<string | undefined> {
  try {
    await applyPlanFiles(fs, plan, () => notebook.applyCellTag(plan.cellTag));
    return undefined;
  } catch (error) {
    return `cannot write the changes, nothing was changed: ${(error as Error).message}`;
  }
}

/** Promote: name box, plan, preview (rename loops back), then write. */
export async function promoteCell(
  ui: PromoteUi,
  fs: PlanFileSystem,
  notebook: PromoteNotebook,
  ref: CellRef,
  found: LastRunSnapshots,
): Promise<FlowOutcome> {
  const yaml = await fs.read('pipeline.yaml');
  const plan = (name?: string) =>
    attempt(() => planPromotion({ path: notebook.path, cells: notebook.cells }, ref, yaml, { snapshots: found.snapshots, ...(name ? { name } : {}) }));
  const first = plan();
  let name = await ui.askName('plan' in first ? first.plan.preview.step : (first.error.step ?? ''));
  for (;;) {
    if (name === undefined) return { kind: 'cancelled' };
    const planned = plan(name.trim());
    if ('error' in planned) {
      const action = await ui.choose(refusalView(planned.error.message, planned.error.field === 'name'));
      if (action !== 'rename') return { kind: 'refused', message: planned.error.message };
      name = await ui.askName(name);
      continue;
    }
    const p = planned.plan;
    if (found.note && p.preview.inputs.some((i) => i.from === 'data')) p.preview.warnings.push(found.note);
    const action = await ui.choose(promotionPreview(p, notebook.path));
    if (action === 'rename') {
      name = await ui.askName(p.preview.step);
      continue;
    }
    if (action !== 'apply') return { kind: 'cancelled' };
    const failure = await applied(fs, p, notebook);
    if (failure) {
      await ui.choose(refusalView(failure, false));
      return { kind: 'refused', message: failure };
    }
    return { kind: 'written', step: p.preview.step, update: p.preview.update };
  }
}

/** Demote: plan, preview, then write. */
export async function demoteCell(ui: PromoteUi, fs: PlanFileSystem, notebook: PromoteNotebook, ref: CellRef): Promise<FlowOutcome> {
  const yaml = await fs.read('pipeline.yaml');
  const planned = attempt(() => planDemotion({ path: notebook.path, cells: notebook.cells }, ref, yaml));
  if ('error' in planned) {
    await ui.choose(refusalView(planned.error.message, false));
    return { kind: 'refused', message: planned.error.message };
  }
  const action = await ui.choose(demotionPreview(planned.plan, notebook.path));
  if (action !== 'apply') return { kind: 'cancelled' };
  const failure = await applied(fs, planned.plan, notebook);
  if (failure) {
    await ui.choose(refusalView(failure, false));
    return { kind: 'refused', message: failure };
  }
  return { kind: 'demoted', step: planned.plan.step.name };
}

/**
 * The promote and demote flows of the JupyterLab commands: plan with core/pipeline from the live notebook and the
 * project's `pipeline.yaml`, show the preview (or the error, naming the step and field), and on confirmation plan
 * again with a fresh `pipeline.yaml` and apply. Nothing is written when the user cancels or planning fails.
 */
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import type { Contents } from '@jupyterlab/services';
import type { NotebookPanel } from '@jupyterlab/notebook';
import { Widget } from '@lumino/widgets';
import type { RuntrailClient } from '@runtrail/core/client';
import { PipelineError, lastRunSnapshots, planDemotion, planPromotion, type CellRef, type PromotionNotebook, type PromotionPlan } from '@runtrail/core/pipeline';
import { applyPlanInNotebook } from './apply';
import { notebookCells } from './cells';
import { contentsFileSystem } from './contents';
import { PromotionBody, describeError } from './preview';
import { projectOf } from './project';

/** What the flows need from the app. */
export interface FlowContext {
  contents: Contents.IManager;
  client: () => RuntrailClient | null;
}

function messageBody(text: string, className: string): Widget {
  const body = new Widget();
  body.addClass(className);
  body.node.textContent = text;
  return body;
}

/** Shows why a promotion or demotion could not be done; nothing was written. */
export async function showPipelineError(title: string, error: unknown): Promise<void> {
  const text = `${describeError(error)}\n\nNothing was written.`;
  await showDialog({ title, body: messageBody(text, 'rt-PipelineError'), buttons: [Dialog.okButton({ label: 'Close' })] });
}

function setUp(panel: NotebookPanel, ctx: FlowContext, index: number) {
  const model = panel.model;
  if (!model) throw new Error('the notebook is not loaded');
  const project = projectOf(panel.context.path);
  const fs = contentsFileSystem(ctx.contents, project);
  const notebook = (): PromotionNotebook => ({ path: project.notebook, cells: notebookCells(model) });
  // By id, so the right cell is changed even when cells move while the dialog is open.
  const ref: CellRef = { id: model.cells.get(index).id };
  return { model, project, fs, notebook, ref };
}

/** Promotes the cell at `index` of the notebook in `panel`, after the user confirmed the preview. */
export async function promoteCell(panel: NotebookPanel, index: number, ctx: FlowContext): Promise<boolean> {
  const title = `Cannot promote cell ${index}`;
  try {
    const { model, project, fs, notebook, ref } = setUp(panel, ctx, index);
    const yaml = await fs.read('pipeline.yaml');
    const meta = model.getMetadata('runtrail') as { experimentId?: unknown } | undefined;
    const found = await lastRunSnapshots(ctx.client(), typeof meta?.experimentId === 'string' ? meta.experimentId : undefined);
    const plan = (name: string | undefined, pipelineYaml: string | null): PromotionPlan => {
      const p = planPromotion(notebook(), ref, pipelineYaml, { snapshots: found.snapshots, ...(name ? { name } : {}) });
      if (found.note && p.preview.inputs.some((i) => i.from === 'data')) p.preview.warnings.push(found.note);
      return p;
    };
    // A name the default cannot take (taken, or clashing with a name in the cell) still opens the preview, to
    // type another; any other refusal is not the name's fault and is shown on its own.
    let first: PromotionPlan | null = null;
    let name: string;
    try {
      first = plan(undefined, yaml);
      name = first.preview.step;
    } catch (error) {
      if (!(error instanceof PipelineError && error.field === 'name' && error.step)) throw error;
      name = error.step;
    }
    const body = new PromotionBody(name, (typed) => plan(typed, yaml), project.folder);
    const update = first?.preview.update === true;
    const result = await showDialog({
      title: update ? `Update pipeline step "${name}"` : `Promote cell ${index} to a pipeline step`,
      body,
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: update ? 'Update Step' : 'Promote' })],
      focusNodeSelector: 'input',
    });
    if (!result.button.accept) return false;
    const typed = result.value ?? '';
    const final = plan(typed && typed !== first?.preview.step ? typed : undefined, await fs.read('pipeline.yaml'));
    await applyPlanInNotebook(panel, fs, final);
    const files = final.writes.map((f) => f.path).join(', ');
    Notification.success(`Pipeline step "${final.preview.step}" ${final.preview.update ? 'updated' : 'added'}: ${files}`, { autoClose: 5000 });
    return true;
  } catch (error) {
    await showPipelineError(title, error);
    return false;
  }
}

/** Demotes the step promoted from the cell at `index`, after the user confirmed. */
export async function demoteCell(panel: NotebookPanel, index: number, ctx: FlowContext): Promise<boolean> {
  const title = `Cannot demote cell ${index}`;
  try {
    const { fs, notebook, ref } = setUp(panel, ctx, index);
    let first;
    try {
      first = planDemotion(notebook(), ref, await fs.read('pipeline.yaml'));
    } catch (error) {
      await showPipelineError(title, error);
      return false;
    }
    const files = [...first.deletes.map((f) => `deletes ${f}`), 'removes its entry from pipeline.yaml'].join(', ');
    const result = await showDialog({
      title: `Demote pipeline step "${first.step.name}"`,
      body: messageBody(`Demoting ${files} and the cell's step tag. The cell's code stays as it is.`, 'rt-Demote'),
      buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Demote' })],
    });
    if (!result.button.accept) return false;
    const final = planDemotion(notebook(), ref, await fs.read('pipeline.yaml'));
    await applyPlanInNotebook(panel, fs, final);
    Notification.success(`Pipeline step "${final.step.name}" demoted: ${final.deletes.join(', ')} deleted`, { autoClose: 5000 });
    return true;
  } catch (error) {
    await showPipelineError(title, error);
    return false;
  }
}

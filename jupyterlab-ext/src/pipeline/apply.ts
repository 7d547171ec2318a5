/**
 * Applies a promotion or demotion plan in JupyterLab: the files through the contents API (core's all-or-nothing
 * `applyPlanFiles`: step module, then `pipeline.yaml`, then deletes), then, as its last part, the cell's tag in
 * the live model and a save of the notebook, so the `cell:` id pipeline.yaml names is on disk with the tag. When
 * any part fails, files are put back, the tag edit is undone and folders the writes created are removed.
 */
import type { NotebookPanel } from '@jupyterlab/notebook';
import { applyPlanFiles, type DemotionPlan, type PromotionPlan } from '@runtrail/core/pipeline';
import { applyCellTag } from './cells';
import type { ContentsFileSystem } from './contents';

/** Writes the plan's files, tags the cell and saves the notebook, all or nothing. */
export async function applyPlanInNotebook(panel: NotebookPanel, fs: ContentsFileSystem, plan: PromotionPlan | DemotionPlan): Promise<void> {
  const model = panel.model;
  if (!model) throw new Error('the notebook is not loaded');
  const undo: { tag?: () => void } = {};
  try {
    await applyPlanFiles(fs, plan, async () => {
      undo.tag = applyCellTag(model, plan.cellTag);
      await panel.context.save();
    });
  } catch (error) {
    undo.tag?.();
    await fs.removeCreatedFolders().catch(() => undefined);
    throw error;
  }
}

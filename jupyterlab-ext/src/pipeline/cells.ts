/**
 * The live notebook model as core/pipeline reads it (cells with source, tags and ids), and the plan's tag edit
 * applied to a cell model: the same tags, in the same order, as the CLI's edit of the .ipynb file.
 */
import type { ICellModel } from '@jupyterlab/cells';
import type { INotebookModel } from '@jupyterlab/notebook';
import type { NotebookCellSource } from '@runtrail/core/analysis';

/** The string tags of a cell model. */
export function modelTags(cell: ICellModel): string[] {
  const tags: unknown = cell.getMetadata('tags');
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
}

/** Every cell of the notebook as promotion reads it. */
export function notebookCells(model: INotebookModel): NotebookCellSource[] {
  const cells: NotebookCellSource[] = [];
  for (let i = 0; i < model.cells.length; i++) {
    const cell = model.cells.get(i);
    const kind = cell.type === 'code' || cell.type === 'markdown' ? cell.type : 'raw';
    cells.push({ kind, source: cell.sharedModel.getSource(), tags: modelTags(cell), id: cell.id });
  }
  return cells;
}

/** A plan's tag edit: tags starting with `removePrefix` go, `add` is appended (each once). */
export interface CellTagChange {
  index: number;
  add: string[];
  removePrefix: string;
}

/** Applies a plan's tag edit to the live cell; returns how to undo it. */
export function applyCellTag(model: INotebookModel, change: CellTagChange): () => void {
  const cell = model.cells.get(change.index);
  if (!cell) throw new Error(`the notebook has no cell ${change.index}`);
  const had: unknown = cell.getMetadata('tags');
  const kept = modelTags(cell).filter((t) => !t.startsWith(change.removePrefix));
  const tags = [...kept, ...change.add.filter((t) => !kept.includes(t))];
  if (tags.length) cell.setMetadata('tags', tags);
  else cell.deleteMetadata('tags');
  return () => (had === undefined ? cell.deleteMetadata('tags') : cell.setMetadata('tags', had));
}

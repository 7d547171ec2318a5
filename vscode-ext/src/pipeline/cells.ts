/**
 * Notebook cells as VS Code's ipynb serializer presents them, converted for core/pipeline, and the promoted cell's
 * tag edit as new cell metadata. The serializer keeps the nbformat cell id at `metadata.id` and the nbformat cell
 * metadata (tags) at `metadata.metadata` (`metadata.custom.metadata` in older versions), and writes raw cells as
 * code cells in the `raw` language.
 */
import type { NotebookCellSource } from '@runtrail/core/analysis';
import { stepOfTags } from '@runtrail/core/pipeline';
import { cellTags, nbformatCellId } from '../notebook/cell-items';

type Metadata = Record<string, unknown>;

/** What the extension reads of a VS Code notebook cell. */
export interface EditorCell {
  /** True for code cells (VS Code's `NotebookCellKind.Code`). */
  isCode: boolean;
  languageId: string;
  source: string;
  metadata: Metadata | undefined;
}

/** A cell as promotion and the dataflow analysis take it. */
export function toCellSource(cell: EditorCell): NotebookCellSource {
  const kind = !cell.isCode ? 'markdown' : cell.languageId === 'raw' ? 'raw' : 'code';
  const id = nbformatCellId(cell.metadata);
  return { kind, source: cell.source, tags: cellTags(cell.metadata), ...(id ? { id } : {}) };
}

/** The step a cell is promoted to (its `runtrail-step:<name>` tag), if any. */
export function stepOfCell(metadata: Metadata | undefined): string | undefined {
  return stepOfTags(cellTags(metadata));
}

const object = (value: unknown): Metadata | undefined => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Metadata) : undefined);

/**
 * The cell metadata after a plan's tag edit (the same edit as the CLI makes in the .ipynb: tags starting with
 * `removePrefix` go, `add` is appended once, an empty list is dropped), and the nbformat id when the plan sets one.
 */
export function withCellTagEdit(metadata: Metadata | undefined, cellTag: { add: string[]; removePrefix: string; id?: string }): Metadata {
  const current = metadata ?? {};
  const kept = cellTags(current).filter((t) => !t.startsWith(cellTag.removePrefix));
  const tags = [...kept, ...cellTag.add.filter((t) => !kept.includes(t))];
  const edit = (nbformat: Metadata | undefined): Metadata => {
    const { tags: _old, ...rest } = nbformat ?? {};
    return tags.length ? { ...rest, tags } : rest;
  };
  const custom = object(current.custom);
  const next: Metadata = custom && !object(current.metadata) && object(custom.metadata)
    ? { ...current, custom: { ...custom, metadata: edit(object(custom.metadata)) } }
    : { ...current, metadata: edit(object(current.metadata)) };
  if (cellTag.id && !nbformatCellId(current)) next.id = cellTag.id;
  return next;
}

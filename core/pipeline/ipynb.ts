/**
 * The parts of an .ipynb (nbformat 4) that promotion reads and writes. Writing changes only the promoted cell's
 * `metadata.tags` (and its `id` when it had none); every other key, value and their order are kept, and the
 * original indentation is reused.
 */
import type { NotebookCellSource } from '../analysis';
import { hashText } from '../util/hash';
import { PipelineError } from './errors';

/** The tag that marks a cell as the source of a pipeline step: `runtrail-step:<name>`. */
export const STEP_TAG_PREFIX = 'runtrail-step:';

/** The step tag of a step name. */
export function stepTag(name: string): string {
  return STEP_TAG_PREFIX + name;
}

/** The step a cell is promoted to, read from its tags. */
export function stepOfTags(tags: readonly string[] | undefined): string | undefined {
  return tags?.find((t) => t.startsWith(STEP_TAG_PREFIX))?.slice(STEP_TAG_PREFIX.length);
}

interface RawCell {
  cell_type?: unknown;
  source?: unknown;
  id?: unknown;
  metadata?: { tags?: unknown } & Record<string, unknown>;
}

function parseRaw(text: string, path: string): { cells: RawCell[]; json: Record<string, unknown> } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PipelineError(`not a notebook: invalid JSON (${(error as Error).message})`, path);
  }
  const cells = (json as { cells?: unknown } | null)?.cells;
  if (!json || typeof json !== 'object' || !Array.isArray(cells)) throw new PipelineError('not a notebook: no "cells" list', path);
  return { cells: cells as RawCell[], json: json as Record<string, unknown> };
}

function sourceText(source: unknown): string {
  return Array.isArray(source) ? source.join('') : typeof source === 'string' ? source : '';
}

/** The cells of an .ipynb text as the analysis takes them. */
export function readNotebookCells(text: string, path = 'notebook'): NotebookCellSource[] {
  return parseRaw(text, path).cells.map((c) => {
    const kind = c.cell_type === 'code' || c.cell_type === 'markdown' ? c.cell_type : 'raw';
    const tags = Array.isArray(c.metadata?.tags) ? c.metadata.tags.filter((t): t is string => typeof t === 'string') : [];
    return { kind, source: sourceText(c.source), tags, ...(typeof c.id === 'string' ? { id: c.id } : {}) };
  });
}

/** A stable id for a cell that has none (nbformat < 4.5), derived from the notebook path, position and source. */
export function deriveCellId(path: string, index: number, source: string): string {
  return `rt-${hashText(`${path}\n${index}\n${source}`).slice(0, 12)}`;
}

/** What to change on one cell. */
export interface CellTagEdit {
  index: number;
  /** Tags to add (kept once) and to remove. */
  add?: string[];
  remove?: (tag: string) => boolean;
  /** An id to set when the cell has none. */
  id?: string;
}

/** The notebook text with one cell's tags edited; the rest of the JSON unchanged. */
export function editCellTags(text: string, edit: CellTagEdit, path = 'notebook'): string {
  const { cells, json } = parseRaw(text, path);
  const cell = cells[edit.index];
  if (!cell) throw new PipelineError(`the notebook has no cell ${edit.index}`, path);
  if (edit.id && typeof cell.id !== 'string') {
    // nbformat 4.5 introduced cell ids; older notebooks are upgraded so the id is valid.
    if (typeof json.nbformat_minor === 'number' && json.nbformat_minor < 5) json.nbformat_minor = 5;
    for (const [i, c] of cells.entries()) if (typeof c.id !== 'string') c.id = i === edit.index ? edit.id : deriveCellId(path, i, sourceText(c.source));
  }
  const metadata = (cell.metadata ??= {});
  const old = Array.isArray(metadata.tags) ? (metadata.tags as unknown[]).filter((t): t is string => typeof t === 'string') : [];
  const kept = old.filter((t) => !edit.remove?.(t));
  const tags = [...kept, ...(edit.add ?? []).filter((t) => !kept.includes(t))];
  if (tags.length) metadata.tags = tags;
  else delete metadata.tags;
  const indent = /^\{\n( +)"/.exec(text)?.[1]?.length ?? 1;
  return JSON.stringify(json, null, indent) + (text.endsWith('\n') ? '\n' : '');
}

/** The tag change a promotion or demotion plan asks for, as an edit of the .ipynb text (for file-based callers). */
export function planCellTagEdit(cellTag: { index: number; add: string[]; removePrefix: string; id?: string }): CellTagEdit {
  return {
    index: cellTag.index,
    add: cellTag.add,
    remove: (tag) => tag.startsWith(cellTag.removePrefix),
    ...(cellTag.id ? { id: cellTag.id } : {}),
  };
}

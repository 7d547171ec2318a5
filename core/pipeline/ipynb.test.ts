import { describe, expect, it } from 'vitest';
import { deriveCellId, editCellTags, readNotebookCells, stepOfTags } from './index';

const notebook = (cells: unknown[], minor = 5) => JSON.stringify({ cells, metadata: { custom: { keep: [1, 2] } }, nbformat: 4, nbformat_minor: minor }, null, 2) + '\n';
const cell = (source: string | string[], extra: Record<string, unknown> = {}) => ({ cell_type: 'code', metadata: { collapsed: true }, outputs: [], source, ...extra });

describe('.ipynb edits', () => {
  it('reads cells with their kind, joined source, id and tags', () => {
    const text = notebook([cell(['a = 1\n', 'b = 2'], { id: 'c1', metadata: { tags: ['parameters'] } }), { cell_type: 'markdown', source: '# T', metadata: {} }]);
    expect(readNotebookCells(text)).toEqual([
      { kind: 'code', source: 'a = 1\nb = 2', id: 'c1', tags: ['parameters'] },
      { kind: 'markdown', source: '# T', tags: [] },
    ]);
  });

  it('changes only the tags of one cell, keeping indentation and every other key', () => {
    const text = notebook([cell('x = 1', { id: 'a', metadata: { collapsed: true, tags: ['runtrail-step:old', 'keep'] } }), cell('y = 2', { id: 'b' })]);
    const edited = editCellTags(text, { index: 0, add: ['runtrail-step:new'], remove: (t) => t.startsWith('runtrail-step:') });
    expect(edited.startsWith('{\n  "cells"')).toBe(true);
    const before = JSON.parse(text);
    const after = JSON.parse(edited);
    expect(after.cells[0].metadata).toEqual({ collapsed: true, tags: ['keep', 'runtrail-step:new'] });
    after.cells[0].metadata.tags = before.cells[0].metadata.tags;
    expect(after).toEqual(before);
    expect(stepOfTags(JSON.parse(edited).cells[0].metadata.tags)).toBe('new');
  });

  it('removes an emptied tag list and gives id-less cells stable ids (nbformat 4.5)', () => {
    const text = notebook([cell('x = 1', { metadata: { tags: ['runtrail-step:s'] } }), cell('y = 2')], 4);
    const id = deriveCellId('nb.ipynb', 0, 'x = 1');
    const edited = JSON.parse(editCellTags(text, { index: 0, remove: () => true, id }, 'nb.ipynb'));
    expect(edited.cells[0].metadata).toEqual({});
    expect(edited.cells[0].id).toBe(id);
    expect(edited.cells[1].id).toBe(deriveCellId('nb.ipynb', 1, 'y = 2'));
    expect(edited.nbformat_minor).toBe(5);
  });

  it('names the notebook in errors', () => {
    expect(() => readNotebookCells('{', 'a.ipynb')).toThrow(/^a\.ipynb: not a notebook: invalid JSON/);
    expect(() => editCellTags(notebook([]), { index: 3 }, 'a.ipynb')).toThrow('a.ipynb: the notebook has no cell 3');
  });
});

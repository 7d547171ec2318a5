import { describe, expect, it } from 'vitest';
import { stepOfCell, toCellSource, withCellTagEdit } from './cells';

const promote = { add: ['runtrail-step:clean'], removePrefix: 'runtrail-step:' };
const demote = { add: [], removePrefix: 'runtrail-step:' };

describe('notebook cells for promotion', () => {
  it('reads kind, id and tags the way the ipynb serializer stores them', () => {
    expect(toCellSource({ isCode: true, languageId: 'python', source: 'x = 1', metadata: { id: 'c1', metadata: { tags: ['parameters'] } } }))
      .toEqual({ kind: 'code', source: 'x = 1', tags: ['parameters'], id: 'c1' });
    expect(toCellSource({ isCode: true, languageId: 'raw', source: 'raw', metadata: {} }).kind).toBe('raw');
    expect(toCellSource({ isCode: false, languageId: 'markdown', source: '# T', metadata: undefined })).toEqual({ kind: 'markdown', source: '# T', tags: [] });
  });

  it('adds the step tag under metadata.metadata.tags, replacing an older step tag and keeping other tags and keys', () => {
    const before = { id: 'c1', execution_count: 3, metadata: { tags: ['parameters', 'runtrail-step:old'], collapsed: true } };
    const after = withCellTagEdit(before, promote);
    expect(after).toEqual({ id: 'c1', execution_count: 3, metadata: { tags: ['parameters', 'runtrail-step:clean'], collapsed: true } });
    expect(stepOfCell(after)).toBe('clean');
    expect(before.metadata.tags).toEqual(['parameters', 'runtrail-step:old']);
  });

  it('drops an emptied tag list on demote, as the CLI does', () => {
    expect(withCellTagEdit({ metadata: { tags: ['runtrail-step:clean'] } }, demote)).toEqual({ metadata: {} });
    expect(stepOfCell(withCellTagEdit({ metadata: { tags: ['runtrail-step:clean'] } }, demote))).toBeUndefined();
  });

  it('keeps the older custom.metadata layout, and sets the id only when the cell has none', () => {
    expect(withCellTagEdit({ custom: { metadata: { tags: ['a'] } } }, { ...promote, id: 'new' }))
      .toEqual({ custom: { metadata: { tags: ['a', 'runtrail-step:clean'] } }, id: 'new' });
    expect(withCellTagEdit({ id: 'kept' }, { ...promote, id: 'new' }).id).toBe('kept');
  });
});

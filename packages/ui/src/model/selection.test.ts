import { describe, expect, it } from 'vitest';
import { moveFocus, pruneSelection, selectRange, selectionState, toggleAll, toggleSelection } from './selection';

describe('moveFocus', () => {
  it('moves by one, by page, and to the ends, clamped', () => {
    expect(moveFocus(3, 'ArrowDown', 10, 4)).toBe(4);
    expect(moveFocus(3, 'ArrowUp', 10, 4)).toBe(2);
    expect(moveFocus(9, 'ArrowDown', 10, 4)).toBe(9);
    expect(moveFocus(0, 'ArrowUp', 10, 4)).toBe(0);
    expect(moveFocus(3, 'PageDown', 10, 4)).toBe(7);
    expect(moveFocus(8, 'PageDown', 10, 4)).toBe(9);
    expect(moveFocus(3, 'PageUp', 10, 4)).toBe(0);
    expect(moveFocus(3, 'Home', 10, 4)).toBe(0);
    expect(moveFocus(3, 'End', 10, 4)).toBe(9);
  });
  it('starts from nothing focused', () => {
    expect(moveFocus(-1, 'ArrowDown', 10, 4)).toBe(0);
    expect(moveFocus(-1, 'ArrowUp', 10, 4)).toBe(9);
  });
  it('ignores other keys and empty lists, and clamps a stale index', () => {
    expect(moveFocus(3, 'a', 10, 4)).toBeNull();
    expect(moveFocus(3, 'ArrowDown', 0, 4)).toBe(-1);
    expect(moveFocus(50, 'ArrowUp', 10, 4)).toBe(8);
  });
});

describe('selection', () => {
  it('toggles ids and keeps the picking order', () => {
    const s = toggleSelection(toggleSelection(new Set(), 'b'), 'a');
    expect([...s]).toEqual(['b', 'a']);
    expect([...toggleSelection(s, 'b')]).toEqual(['a']);
  });
  it('selects ranges in either direction', () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    expect([...selectRange(new Set(['x']), ids, 3, 1)]).toEqual(['x', 'b', 'c', 'd']);
    expect([...selectRange(new Set(), ids, 3, 99)]).toEqual(['d', 'e']);
  });
  it('tells and toggles the select-all state', () => {
    const ids = ['a', 'b'];
    expect(selectionState(new Set(), ids)).toBe('none');
    expect(selectionState(new Set(['a', 'z']), ids)).toBe('some');
    expect(selectionState(new Set(['a', 'b']), ids)).toBe('all');
    expect([...toggleAll(new Set(['z', 'a']), ids)]).toEqual(['z', 'a', 'b']);
    expect([...toggleAll(new Set(['z', 'a', 'b']), ids)]).toEqual(['z']);
    expect([...toggleAll(new Set(['z']), [])]).toEqual(['z']);
  });
  it('prunes ids that are gone and keeps the same set otherwise', () => {
    const s = new Set(['a', 'b']);
    expect(pruneSelection(s, new Set(['a', 'b', 'c']))).toBe(s);
    expect([...pruneSelection(s, new Set(['b']))]).toEqual(['b']);
  });
});

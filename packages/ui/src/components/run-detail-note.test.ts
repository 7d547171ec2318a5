import { describe, expect, it } from 'vitest';
import { NOTE_DEBOUNCE_MS, NoteDraft, type EditorState } from './run-detail-note';

/** A draft with a manual clock: `tick()` fires the pending debounce. */
function draft() {
  const sent: [string, string, string][] = [];
  let timer: { callback: () => void; ms: number } | null = null;
  const d = new NoteDraft(
    (runId, previous, next) => sent.push([runId, previous, next]),
    (callback, ms) => {
      timer = { callback, ms };
      return () => (timer = null);
    },
  );
  const tick = () => {
    const t = timer;
    timer = null;
    t?.callback();
    return t?.ms;
  };
  return { d, sent, tick };
}

const editor = (value: string, selectionStart = value.length, selectionEnd = selectionStart): EditorState => ({ value, selectionStart, selectionEnd });

describe('NoteDraft', () => {
  it('sends one edit per typing pause, from the last agreed text', () => {
    const { d, sent, tick } = draft();
    d.show('r1', 'base', editor(''));
    d.input('base.');
    d.input('base. more');
    expect(sent).toEqual([]);
    expect(tick()).toBe(NOTE_DEBOUNCE_MS);
    expect(sent).toEqual([['r1', 'base', 'base. more']]);
    d.input('base. more!');
    d.flush();
    expect(sent[1]).toEqual(['r1', 'base. more', 'base. more!']);
  });

  it('shows a remote edit, keeping the caret and selection on the same characters', () => {
    const { d } = draft();
    d.show('r1', 'hello world', editor(''));
    // Caret after "hello"; someone prepends "> ": the caret moves with the text.
    expect(d.show('r1', '> hello world', editor('hello world', 5))).toEqual(editor('> hello world', 7));
    // Selection over "world"; someone appends at the end: the selection stays.
    expect(d.show('r1', '> hello world!', editor('> hello world', 8, 13))).toEqual(editor('> hello world!', 8, 13));
    expect(d.show('r1', '> hello world!', editor('> hello world!'))).toBeNull();
  });

  it('leaves the editor alone while a local edit waits, so no keystroke is overwritten', () => {
    const { d, sent, tick } = draft();
    d.show('r1', 'a', editor(''));
    d.input('ab');
    expect(d.show('r1', 'xa', editor('ab', 2))).toBeNull();
    tick();
    // The host merges from the text the editor started from; its next show carries the merge.
    expect(sent).toEqual([['r1', 'a', 'ab']]);
    expect(d.show('r1', 'xab', editor('ab', 2))).toEqual(editor('xab', 3));
  });

  it('flushes a waiting edit to the old run when another run is shown', () => {
    const { d, sent } = draft();
    d.show('r1', '', editor(''));
    d.input('note of r1');
    expect(d.show('r2', 'other', editor('note of r1'))).toEqual(editor('other', 0));
    expect(sent).toEqual([['r1', '', 'note of r1']]);
  });

  it('sends nothing when the text ends as it began', () => {
    const { d, sent, tick } = draft();
    d.show('r1', 'same', editor(''));
    d.input('same!');
    d.input('same');
    tick();
    expect(sent).toEqual([]);
  });
});

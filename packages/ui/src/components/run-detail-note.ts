/**
 * The note editor's state, without the DOM: which text the editor last agreed with the host on (`base`), the
 * user's edit waiting for its debounce, and what to do when the host shows a newer note (a remote edit).
 *
 * Edits go out as (previousText = base, nextText = what the user typed); the host turns that into a minimal
 * delta on the shared Y.Text. A remote note replaces the editor's text only while no local edit is waiting
 * (the host merges a waiting edit when it arrives, then shows the merged text), and the caret and selection
 * are carried through the remote change.
 */
import { mapThroughSplice, textSplice } from '@runtrail/core/util';

/** How long typing pauses before an edit is sent. */
export const NOTE_DEBOUNCE_MS = 300;

/** What the editor holds: its text and selection. */
export interface EditorState {
  value: string;
  selectionStart: number;
  selectionEnd: number;
}

/** Sends one note edit to the host. */
export type SendNoteEdit = (runId: string, previousText: string, nextText: string) => void;

/** The note draft of one run detail element. */
export class NoteDraft {
  private runId: string | null = null;
  private base = '';
  private typed: string | null = null;
  private cancelTimer: (() => void) | null = null;

  constructor(
    private readonly send: SendNoteEdit,
    private readonly setTimer: (callback: () => void, ms: number) => () => void = (callback, ms) => {
      const handle = setTimeout(callback, ms);
      return () => clearTimeout(handle);
    },
  ) {}

  /** Whether an edit waits for its debounce. */
  get pending(): boolean {
    return this.typed !== null;
  }

  /**
   * The host shows `note` for run `runId`. Returns the editor state to show, or null to leave the editor alone
   * (the note did not change, or a local edit waits and will be merged by the host).
   */
  show(runId: string, note: string, editor: EditorState): EditorState | null {
    if (runId !== this.runId) {
      this.flush();
      this.runId = runId;
      this.base = note;
      return { value: note, selectionStart: 0, selectionEnd: 0 };
    }
    if (this.typed !== null) return null;
    this.base = note;
    if (editor.value === note) return null;
    const splice = textSplice(editor.value, note);
    return {
      value: note,
      selectionStart: mapThroughSplice(editor.selectionStart, splice),
      selectionEnd: mapThroughSplice(editor.selectionEnd, splice),
    };
  }

  /** The user changed the text; it is sent once typing pauses. */
  input(value: string): void {
    if (this.runId === null) return;
    this.typed = value;
    this.cancelTimer?.();
    this.cancelTimer = this.setTimer(() => this.flush(), NOTE_DEBOUNCE_MS);
  }

  /** Sends a waiting edit now (on blur, on switching runs, before the element goes away). */
  flush(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    const typed = this.typed;
    this.typed = null;
    if (typed === null || this.runId === null || typed === this.base) return;
    const previous = this.base;
    this.base = typed;
    this.send(this.runId, previous, typed);
  }
}

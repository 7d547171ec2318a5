/**
 * Templates and styles of the run detail's editable parts: the note (a plain textarea the element keeps in
 * step with the shared note, see run-detail-note.ts) and the tags (remove buttons, an add form). Plain
 * functions; the element owns the state and the events.
 */
import { css, html, nothing } from 'lit';
import { Tag, type Run } from '@runtrail/core/schema';

/** Styles of the note editor and the tag editor. */
export const annotationStyles = css`
  textarea.note-editor,
  .tag-form input {
    font: inherit;
    color: var(--rt-input-fg);
    background: var(--rt-input-bg);
    border: 1px solid var(--rt-input-border);
    border-radius: 2px;
    padding: 4px 6px;
    box-sizing: border-box;
  }
  textarea.note-editor {
    width: 100%;
    min-height: 5em;
    resize: vertical;
  }
  ul.tags {
    list-style: none;
    padding: 0;
    margin: 0 0 6px;
    display: flex;
    flex-wrap: wrap;
    gap: 4px 8px;
  }
  ul.tags li {
    display: inline-flex;
    align-items: center;
    gap: 2px;
  }
  .tag-form {
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
    align-items: center;
  }
  .tag-form button,
  button.tag-remove {
    font: inherit;
    cursor: pointer;
    color: var(--rt-button2-fg);
    background: var(--rt-button2-bg);
    border: none;
    border-radius: 2px;
    padding: 2px 8px;
  }
  .tag-form button:hover,
  button.tag-remove:hover {
    background: var(--rt-button2-hover);
  }
  .tag-error:empty {
    display: none;
  }
  .note {
    white-space: pre-wrap;
  }
`;

/** The note, read-only (views whose host does not apply edits). */
export function noteView(note: string) {
  return note ? html`<p class="note">${note}</p>` : html`<p class="muted">No note.</p>`;
}

/** The note editor; its text is set by the element (not bound), so typing and remote edits do not fight. */
export function noteEditor(onInput: (e: Event) => void, onBlur: () => void) {
  return html`<textarea
    class="note-editor"
    aria-label="Run note"
    placeholder="Add a note for your team…"
    spellcheck="true"
    @input=${onInput}
    @blur=${onBlur}
  ></textarea>`;
}

/** The tags of a run, each removable, and a form that adds or replaces one (Enter submits). */
export function tagsEditor(run: Run, error: string, onRemove: (key: string) => void, onSubmit: (e: SubmitEvent) => void) {
  const tags = [...run.tags].sort((a, b) => a.key.localeCompare(b.key));
  return html`${tags.length
      ? html`<ul class="tags" aria-label="Tags">
          ${tags.map(
            (t) => html`<li>
              <span class="badge tag" data-key=${t.key}>${t.key}: ${t.value}</span>
              <button class="tag-remove" aria-label="Remove tag ${t.key}" title="Remove tag ${t.key}" @click=${() => onRemove(t.key)}>×</button>
            </li>`,
          )}
        </ul>`
      : html`<p class="muted">No tags.</p>`}
    <form class="tag-form" @submit=${onSubmit} novalidate>
      <input name="key" aria-label="Tag key" placeholder="key" autocomplete="off" aria-describedby="tag-error" />
      <input name="value" aria-label="Tag value" placeholder="value" autocomplete="off" />
      <button type="submit">Set tag</button>
      <span id="tag-error" class="tag-error error-text" role="alert">${error || nothing}</span>
    </form>`;
}

/** Why a tag cannot be set, in the Tag schema's words (as the host would answer), or null when it can. */
export function tagProblem(key: string, value: string): string | null {
  const parsed = Tag.safeParse({ key, value });
  if (parsed.success) return null;
  const issue = parsed.error.issues[0]!;
  return `tag ${issue.path.join('.')}: ${issue.message}`;
}

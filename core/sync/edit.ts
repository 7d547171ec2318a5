/**
 * User edits of a run's note and tags, applied to its experiment doc so that concurrent edits merge.
 *
 * A note edit is applied as the smallest single-span delta (common prefix and suffix kept, one delete, one
 * insert), never as replace-all: yjs then merges two people's edits of the same note character-wise. The view
 * reports the text it showed before the edit (`previousText`); when the doc has moved on since (a remote edit
 * arrived during the debounce), the edited span is mapped through that remote change so neither is lost.
 *
 * Tag values pass the same secret redaction as captured tags (decision 0021); notes are the user's own words
 * and are stored as typed.
 */
import type * as Y from 'yjs';
import type { Redactor } from '../capture/redact';
import { Tag } from '../schema';
import { textSplice, type TextSplice } from '../util/splice';
import { LOCAL_ORIGIN, getRunMap, noteText } from './doc';

export { textSplice, type TextSplice } from '../util/splice';

/** A bad edit: what was wrong and where (the message names the field, as the schema words it). */
export class RunEditError extends Error {
  override readonly name = 'RunEditError';
}

/** Where position `p` of the old text lands after `splice` (inside the replaced span: its `edge`). */
function mapPosition(p: number, splice: TextSplice, edge: 'start' | 'end'): number {
  if (p < splice.index) return p;
  const replacedEnd = splice.index + splice.deleteCount;
  if (p >= replacedEnd && !(p === splice.index && edge === 'start')) return p + splice.insert.length - splice.deleteCount;
  return edge === 'start' ? splice.index : splice.index + splice.insert.length;
}

function runOrThrow(doc: Y.Doc, runId: string): Y.Map<unknown> {
  const run = getRunMap(doc, runId);
  if (!run) throw new RunEditError(`run ${runId}: not in this experiment's history`);
  return run;
}

/**
 * Applies the user's edit of a run's note (`previousText` → `nextText`, as the editor saw it) to the doc's
 * Y.Text as one minimal delete and insert. Returns the splice applied to the doc (nothing when the texts are
 * equal). Throws RunEditError when the run is not in the doc.
 */
export function applyNoteEdit(doc: Y.Doc, runId: string, previousText: string, nextText: string): TextSplice | null {
  const note = noteText(runOrThrow(doc, runId));
  const edit = textSplice(previousText, nextText);
  if (edit.deleteCount === 0 && edit.insert === '') return null;
  const current = note.toString();
  let splice = edit;
  if (current !== previousText) {
    // The doc changed under the editor (a remote edit): move the user's span through that change.
    const remote = textSplice(previousText, current);
    const from = mapPosition(edit.index, remote, 'end');
    const to = Math.max(from, mapPosition(edit.index + edit.deleteCount, remote, 'start'));
    splice = { index: from, deleteCount: to - from, insert: edit.insert };
  }
  doc.transact(() => {
    if (splice.deleteCount > 0) note.delete(splice.index, splice.deleteCount);
    if (splice.insert) note.insert(splice.index, splice.insert);
  }, LOCAL_ORIGIN);
  return splice;
}

function zodMessage(field: string, error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0]!;
  const where = issue.path.length ? `${field} ${issue.path.join('.')}` : field;
  return `${where}: ${issue.message}`;
}

/**
 * Sets (or replaces) one tag of a run. The key and value are checked against the Tag schema, and the value is
 * redacted like a captured tag (a value under a secret-looking key, or shaped like a secret, becomes
 * "[redacted]"). Returns the tag as stored. Throws RunEditError naming the field when the input is invalid.
 */
export function setRunTag(doc: Y.Doc, runId: string, key: string, value: string, redactor: Redactor): Tag {
  const parsed = Tag.safeParse({ key, value });
  if (!parsed.success) throw new RunEditError(zodMessage('tag', parsed.error));
  const redacted = redactor.redactParam({ key, value, origin: 'explicit' });
  if (!redacted) throw new RunEditError(`tag key: looks like a credential itself, so it cannot be stored`);
  const tag: Tag = { key, value: typeof redacted.value === 'string' ? redacted.value : String(redacted.value) };
  const tags = runOrThrow(doc, runId).get('tags') as Y.Map<string>;
  if (tags.get(key) !== tag.value) doc.transact(() => tags.set(key, tag.value), LOCAL_ORIGIN);
  return tag;
}

/** Removes one tag of a run; returns whether it existed. Throws RunEditError when the run is not in the doc. */
export function deleteRunTag(doc: Y.Doc, runId: string, key: string): boolean {
  const tags = runOrThrow(doc, runId).get('tags') as Y.Map<string>;
  if (!tags.has(key)) return false;
  doc.transact(() => tags.delete(key), LOCAL_ORIGIN);
  return true;
}

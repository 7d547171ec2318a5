/**
 * The smallest single-span difference between two texts, as a splice. Used to apply note edits to a
 * Y.Text as deltas (core/sync/edit.ts) and to keep an editor's caret where it was when a remote edit
 * replaces its text (packages/ui); kept free of yjs so views can use it.
 */

/** One contiguous change turning `before` into `after`: `deleteCount` units at `index` replaced by `insert`. */
export interface TextSplice {
  index: number;
  deleteCount: number;
  insert: string;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/**
 * The smallest single splice from `before` to `after` (longest common prefix, then longest common suffix of
 * the rest), never cutting a surrogate pair in half. Indexes are UTF-16 code units, as Y.Text counts them.
 */
export function textSplice(before: string, after: string): TextSplice {
  const max = Math.min(before.length, after.length);
  let start = 0;
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  if (start > 0 && isHighSurrogate(before.charCodeAt(start - 1))) start--;
  let end = 0;
  const room = max - start;
  while (end < room && before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)) end++;
  if (end > 0 && isLowSurrogate(before.charCodeAt(before.length - end))) end--;
  return { index: start, deleteCount: before.length - start - end, insert: after.slice(start, after.length - end) };
}

/**
 * Where a caret or selection end at `position` of the old text lands after `splice`: before the span it stays,
 * after it moves by the length change, inside it goes to the end of the inserted text.
 */
export function mapThroughSplice(position: number, splice: TextSplice): number {
  if (position <= splice.index) return position;
  if (position >= splice.index + splice.deleteCount) return position + splice.insert.length - splice.deleteCount;
  return splice.index + splice.insert.length;
}

/** Small helpers over @lezer/common syntax nodes shared by the walker and its parsers. */
import type { SyntaxNode } from '@lezer/common';

/** The child nodes of `node`, in order. */
export function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

/** Leaf nodes that separate or bracket expressions. */
export const PUNCTUATION: ReadonlySet<string> = new Set([',', '(', ')', '[', ']', '{', '}', ':', '*', '**', '.', ';']);

/** Literal Python values (`0.1`, `"adam"`, `[1, 2]`, `{"a": True}`) read from the syntax tree as JSON values. */
import type { SyntaxNode } from '@lezer/common';
import { PUNCTUATION, children } from './syntax';

/** The JSON value of a literal expression (numbers, strings, booleans, None, lists and dicts of them), else undefined. */
export function literalValue(node: SyntaxNode, textOf: (node: SyntaxNode) => string): unknown {
  const text = textOf(node);
  switch (node.name) {
    case 'Number':
      return /^-?[\d_]+(\.[\d_]*)?([eE][-+]?\d+)?$/.test(text) ? Number(text.replace(/_/g, '')) : undefined;
    case 'Boolean':
      return text === 'True';
    case 'None':
      return null;
    case 'String': {
      const m = /^(['"])((?:(?!\1)[^\\\n])*)\1$/.exec(text);
      return m ? m[2] : undefined;
    }
    case 'UnaryExpression': {
      const [op, operand] = children(node);
      const v = operand ? literalValue(operand, textOf) : undefined;
      return op && textOf(op) === '-' && typeof v === 'number' ? -v : undefined;
    }
    case 'ArrayExpression':
    case 'TupleExpression': {
      const items = children(node).filter((c) => !PUNCTUATION.has(c.name)).map((c) => literalValue(c, textOf));
      return items.every((v) => v !== undefined) ? items : undefined;
    }
    case 'DictionaryExpression': {
      const kids = children(node).filter((c) => !PUNCTUATION.has(c.name) || c.name === ':');
      const entries: Array<[string, unknown]> = [];
      for (let i = 0; i < kids.length; i += 3) {
        const key = literalValue(kids[i]!, textOf);
        const value = kids[i + 2] ? literalValue(kids[i + 2]!, textOf) : undefined;
        if (typeof key !== 'string' || value === undefined || kids[i + 1]?.name !== ':') return undefined;
        entries.push([key, value]);
      }
      // fromEntries defines own properties, so a "__proto__" key stays data.
      return Object.fromEntries(entries);
    }
    default:
      return undefined;
  }
}

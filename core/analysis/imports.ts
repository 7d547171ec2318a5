/** The names an `import` / `from ... import` statement binds, read from its syntax node. */
import type { SyntaxNode } from '@lezer/common';
import { children } from './syntax';

/** One name an import statement binds. */
export interface ImportBinding {
  /** The module as written (`numpy`, `a.b`, `.local`). */
  module: string;
  /** The imported member for `from m import name`; null for `import m`. */
  name: string | null;
  /** The name bound in the notebook (`np` for `import numpy as np`, `a` for `import a.b`). */
  bound: string;
  /** `from m import *`: the bound names are unknown. */
  star: boolean;
  line: number;
}

/** The bindings of one ImportStatement node, without their line. */
export function importBindings(node: SyntaxNode, textOf: (node: SyntaxNode) => string): Array<Omit<ImportBinding, 'line'>> {
  const kids = children(node);
  const out: Array<Omit<ImportBinding, 'line'>> = [];
  if (kids[0]?.name === 'from') {
    const importAt = kids.findIndex((k) => k.name === 'import');
    const module = kids.slice(1, importAt).map(textOf).join('');
    const names = kids.slice(importAt + 1).filter((k) => k.name !== '(' && k.name !== ')');
    for (let i = 0; i < names.length; i++) {
      const k = names[i]!;
      if (k.name === '*') out.push({ module, name: '*', bound: '*', star: true });
      else if (k.name === 'VariableName') {
        const alias = names[i + 1]?.name === 'as' ? names[i + 2] : undefined;
        out.push({ module, name: textOf(k), bound: textOf(alias ?? k), star: false });
        if (alias) i += 2;
      }
    }
    return out;
  }
  // import a.b.c [as x], d
  let parts: string[] = [];
  for (let i = 1; i <= kids.length; i++) {
    const k = kids[i];
    if (!k || k.name === ',') {
      if (parts.length) out.push({ module: parts.join('.'), name: null, bound: parts[0]!, star: false });
      parts = [];
    } else if (k.name === 'as') {
      const alias = kids[i + 1];
      if (alias) out.push({ module: parts.join('.'), name: null, bound: textOf(alias), star: false });
      parts = [];
      i++;
    } else if (k.name === 'VariableName') parts.push(textOf(k));
  }
  return out;
}

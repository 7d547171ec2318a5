import { describe, expect, it } from 'vitest';
import { analyzeCell } from './cell';
import { CORPUS } from './corpus';

const sorted = (xs: Iterable<string>) => [...xs].sort();

describe('analyzeCell corpus', () => {
  it('has at least 60 cases with unique names', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CORPUS.map((c) => c.name)).size).toBe(CORPUS.length);
  });

  for (const c of CORPUS) {
    it(c.name, () => {
      const a = analyzeCell(c.source);
      const check = (field: string, actual: string[], expected: string[] | undefined) => {
        if (expected) expect(sorted(actual), field).toEqual(sorted(expected));
      };
      check('reads', a.reads, c.reads);
      check('writes', a.writes, c.writes);
      check('builtins', a.builtins, c.builtins);
      check('mutations', a.mutations.map((m) => `${m.name}:${m.kind}`), c.mutations);
      check('deletes', a.deletes, c.deletes);
      check('imports', a.imports.map((i) => i.bound), c.imports);
      check('functions', a.functions, c.functions);
      check('classes', a.classes, c.classes);
      check('globals', a.globals, c.globals);
      check('magics', a.magics.map((m) => `${m.kind}:${m.name}`), c.magics);
      if (c.literals) expect(a.literals).toEqual(c.literals);
      if (c.error === null) expect(a.syntaxError).toBeUndefined();
      if (c.error) expect(a.syntaxError && `${a.syntaxError.line}:${a.syntaxError.column}`).toBe(c.error);
    });
  }
});

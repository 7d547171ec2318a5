import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeCell } from './cell';

const name = fc.constantFrom('a', 'b', 'c', 'd', 'e');

describe('analyzeCell properties', () => {
  it('never throws, whatever the text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (source) => {
      const a = analyzeCell(source);
      expect(a.python.split('\n').length).toBe(source.split('\n').length);
    }));
  });

  it('on straight-line assignments, reads are exactly the names used before their first binding', () => {
    const statement = fc.tuple(name, fc.array(name, { maxLength: 3 }));
    fc.assert(fc.property(fc.array(statement, { maxLength: 8 }), (statements) => {
      const source = statements.map(([target, used]) => `${target} = f(${used.join(', ')})`).join('\n');
      const bound = new Set<string>();
      const reads = new Set<string>(statements.length ? ['f'] : []);
      for (const [target, used] of statements) {
        for (const u of used) if (!bound.has(u)) reads.add(u);
        bound.add(target);
      }
      const a = analyzeCell(source);
      expect(new Set(a.reads)).toEqual(reads);
      expect(new Set(a.writes)).toEqual(bound);
    }));
  });
});

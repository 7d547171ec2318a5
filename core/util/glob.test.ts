import { describe, expect, it } from 'vitest';
import { matchesAnyGlob } from './glob';

describe('matchesAnyGlob', () => {
  it.each([
    ['scratch/a.ipynb', ['scratch/**'], true],
    ['scratch/deep/a.ipynb', ['scratch/**'], true],
    ['work/a.ipynb', ['scratch/**'], false],
    ['work/a-draft.ipynb', ['*-draft.ipynb'], true],
    ['work/a.ipynb', ['*-draft.ipynb'], false],
    ['a/b/c.ipynb', ['**/c.ipynb'], true],
    ['c.ipynb', ['**/c.ipynb'], true],
    ['x/c.ipynb', ['?/c.ipynb'], true],
    ['a.b.ipynb', ['a.b.ipynb'], true],
    ['axb.ipynb', ['a.b.ipynb'], false],
  ])('%s against %j is %s', (path, globs, expected) => {
    expect(matchesAnyGlob(path, globs)).toBe(expected);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashText } from './hash';

describe('hashText', () => {
  it('is deterministic, 16 hex characters, and tells different sources apart', () => {
    expect(hashText('x = 1')).toBe(hashText('x = 1'));
    expect(hashText('x = 1')).toMatch(/^[0-9a-f]{16}$/);
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => a === b || hashText(a) !== hashText(b)));
  });
});

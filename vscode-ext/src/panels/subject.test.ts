import { describe, expect, it } from 'vitest';
import { compareSubject, parseSubject, runSubject, subjectKey } from './subject';

describe('panel subjects', () => {
  it('round-trips through the restore state', () => {
    for (const subject of [runSubject('r1'), compareSubject(['a', 'b', 'c'])]) {
      expect(parseSubject(JSON.parse(JSON.stringify(subject)))).toEqual(subject);
    }
  });

  it('rejects states that are not subjects', () => {
    for (const state of [undefined, null, {}, { view: 'run', runIds: [] }, { view: 'compare', runIds: ['a'] }, { view: 'run', runIds: ['../x'] }]) {
      expect(parseSubject(state)).toBeNull();
    }
  });

  it('drops duplicate ids from a compare and keys panels by view and ids', () => {
    expect(compareSubject(['a', 'b', 'a']).runIds).toEqual(['a', 'b']);
    expect(subjectKey(runSubject('a'))).toBe('run:a');
    expect(subjectKey(compareSubject(['a', 'b']))).toBe('compare:a,b');
  });
});

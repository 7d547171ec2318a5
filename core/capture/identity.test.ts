import { describe, expect, it } from 'vitest';
import { decideExperimentIdentity } from './identity';

const base = { path: 'b.ipynb', newId: () => 'fresh' };

describe('decideExperimentIdentity', () => {
  it('gives a notebook without an id a new experiment', () => {
    expect(decideExperimentIdentity({ ...base, metadataId: null, knownPath: undefined, knownPathExists: false })).toEqual({ kind: 'new', experimentId: 'fresh' });
  });
  it('keeps the id of a notebook seen at the same path, or never seen here', () => {
    expect(decideExperimentIdentity({ ...base, metadataId: 'e1', knownPath: 'b.ipynb', knownPathExists: true }).kind).toBe('same');
    expect(decideExperimentIdentity({ ...base, metadataId: 'e1', knownPath: undefined, knownPathExists: false }).kind).toBe('same');
  });
  it('keeps the id across a rename (old path gone)', () => {
    expect(decideExperimentIdentity({ ...base, metadataId: 'e1', knownPath: 'a.ipynb', knownPathExists: false })).toEqual({ kind: 'renamed', experimentId: 'e1', from: 'a.ipynb' });
  });
  it('gives a copy (old path still there) a new experiment', () => {
    expect(decideExperimentIdentity({ ...base, metadataId: 'e1', knownPath: 'a.ipynb', knownPathExists: true })).toEqual({ kind: 'copied', experimentId: 'fresh', copiedFrom: 'a.ipynb' });
  });
  it('finds the experiment of an unsaved notebook (no id in its file yet) by its path', () => {
    expect(decideExperimentIdentity({ ...base, metadataId: null, knownPath: undefined, knownPathExists: false, idForPath: 'e1' })).toEqual({ kind: 'same', experimentId: 'e1' });
  });
});

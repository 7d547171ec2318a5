import { describe, expect, it } from 'vitest';
import { experimentIdOf, withExperimentId } from './metadata';

describe('experiment id in the notebook metadata', () => {
  it('is read from and written to the nbformat metadata, keeping every other key', () => {
    const doc = { nbformat: 4, metadata: { kernelspec: { name: 'python3' } } };
    expect(experimentIdOf(doc)).toBeNull();
    const saved = withExperimentId(doc, 'exp-1');
    expect(saved).toEqual({ nbformat: 4, metadata: { kernelspec: { name: 'python3' }, runtrail: { experimentId: 'exp-1' } } });
    expect(experimentIdOf(saved)).toBe('exp-1');
    expect(doc.metadata).toEqual({ kernelspec: { name: 'python3' } });
  });

  it('understands the older layout under custom.metadata', () => {
    const old = { custom: { metadata: { runtrail: { experimentId: 'exp-2', other: 1 } }, cells: [] } };
    expect(experimentIdOf(old)).toBe('exp-2');
    expect(withExperimentId(old, 'exp-3')).toEqual({ custom: { metadata: { runtrail: { experimentId: 'exp-3', other: 1 } }, cells: [] } });
  });

  it('ignores ids that are not strings', () => {
    expect(experimentIdOf({ metadata: { runtrail: { experimentId: 42 } } })).toBeNull();
    expect(experimentIdOf(undefined)).toBeNull();
  });
});

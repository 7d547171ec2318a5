import { describe, expect, it } from 'vitest';
import { testExperiment, testRun } from '../test-data';
import { runIdsFromArgs, runPickItems, searchRunItems } from './pick';

describe('runIdsFromArgs', () => {
  const node = (runId: string) => ({ kind: 'run', runId });

  it('takes the multi-selection of a context menu over the clicked node', () => {
    expect(runIdsFromArgs([node('a'), [node('a'), node('b')]])).toEqual(['a', 'b']);
  });

  it('takes a single node, an id, or an array, and drops experiments and duplicates', () => {
    expect(runIdsFromArgs([node('a')])).toEqual(['a']);
    expect(runIdsFromArgs(['r1'])).toEqual(['r1']);
    expect(runIdsFromArgs([[node('a'), { kind: 'experiment', experimentId: 'e' }, node('a'), node('c')]])).toEqual(['a', 'c']);
    expect(runIdsFromArgs([])).toEqual([]);
    expect(runIdsFromArgs([undefined, []])).toEqual([]);
  });
});

describe('runPickItems', () => {
  it('lists runs newest first with experiment and id searchable', () => {
    const items = runPickItems(
      [{ experiment: testExperiment('e', { name: 'exp name' }), runs: [testRun('old-run', { startTime: 1 }), testRun('new-run', { startTime: 2, status: 'failed' })] }],
      10,
    );
    expect(items.map((i) => i.runId)).toEqual(['new-run', 'old-run']);
    expect(items[0]!.label).toBe('$(error) new-run');
    expect(items[0]!.detail).toContain('exp name');
    expect(items[0]!.detail).toContain('new-run');
  });
});

describe('searchRunItems', () => {
  const items = runPickItems(
    [{ experiment: testExperiment('e'), runs: [testRun('0190aaaa-1111', { name: 'ResNet lr=0.1', startTime: 2 }), testRun('0190bbbb-2222', { name: 'vit small', startTime: 1 })] }],
    10,
  );

  it('finds runs by any part of the name or the id, case-insensitive, every term', () => {
    expect(searchRunItems(items, 'resnet').map((i) => i.runId)).toEqual(['0190aaaa-1111']);
    expect(searchRunItems(items, 'BBBB').map((i) => i.runId)).toEqual(['0190bbbb-2222']);
    expect(searchRunItems(items, 'vit 2222').map((i) => i.runId)).toEqual(['0190bbbb-2222']);
    expect(searchRunItems(items, '0190').length).toBe(2);
    expect(searchRunItems(items, 'resnet 2222')).toEqual([]);
  });
});

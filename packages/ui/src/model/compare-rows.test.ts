import { describe, expect, it } from 'vitest';
import { diffMany, diffRuns } from '@runtrail/core/diff';
import { metrics, params, run } from '../test-data';
import { compareViewFromDiff, compareViewFromTable, differenceCounts, metricKeysOf, visibleCompareRows } from './compare-rows';

const a = run('ra', { name: 'baseline', params: params({ lr: 0.1, opt: 'adam', seed: 1, tag: null }), metrics: metrics({ acc: 0.8, loss: 0.5 }) });
const b = run('rb', { name: 'candidate', params: params({ lr: 0.2, opt: 'adam', layers: 3, tag: null }), metrics: metrics({ acc: 0.9, f1: 0.7 }) });
const c = run('rc', { name: 'third', params: params({ lr: 0.1, opt: 'adam' }), metrics: metrics({ acc: 0.8 }) });

describe('compareViewFromDiff', () => {
  const view = compareViewFromDiff(diffRuns({ run: a, executions: [] }, { run: b, executions: [] }));
  const row = (section: string, key: string) => view.rows.find((r) => r.section === section && r.key === key)!;

  it('makes the baseline the first column', () => {
    expect(view.runs).toEqual([{ id: 'ra', name: 'baseline' }, { id: 'rb', name: 'candidate' }]);
    expect(view.pairwise).toBe(true);
  });
  it('flattens params with status, telling absent from null', () => {
    expect(row('params', 'lr')).toMatchObject({ cells: ['0.1', '0.2'], differs: true, status: 'changed' });
    expect(row('params', 'opt')).toMatchObject({ cells: ['adam', 'adam'], differs: false, status: 'same' });
    expect(row('params', 'seed')).toMatchObject({ cells: ['1', '—'], status: 'removed' });
    expect(row('params', 'layers')).toMatchObject({ cells: ['—', '3'], status: 'added' });
    expect(row('params', 'tag')).toMatchObject({ cells: ['—', '—'], status: 'same' });
  });
  it('flattens metrics with deltas and their direction', () => {
    expect(row('metrics', 'acc')).toMatchObject({ cells: ['0.8', '0.9'], delta: '+0.1', relativeDelta: '+12.5%', trend: 'up' });
    expect(row('metrics', 'loss')).toMatchObject({ status: 'removed', delta: '—' });
    expect(row('metrics', 'loss').trend).toBeUndefined();
  });
  it('names unnamed runs by id', () => {
    const unnamed = compareViewFromDiff(diffRuns({ run: run('x1', { name: '' }), executions: [] }, { run: b, executions: [] }));
    expect(unnamed.runs[0]).toEqual({ id: 'x1', name: 'x1' });
    expect(compareViewFromTable(diffMany([a, b]), { ra: '' }).runs[0]!.name).toBe('ra');
  });
  it('lists params before metrics and counts differences', () => {
    const sections = view.rows.map((r) => r.section);
    expect(sections.lastIndexOf('params')).toBeLessThan(sections.indexOf('metrics'));
    expect(differenceCounts(view.rows)).toEqual({ params: 3, metrics: 3 });
    expect(metricKeysOf(view)).toEqual(['acc', 'f1', 'loss']);
  });
  it('hides equal rows on request', () => {
    expect(visibleCompareRows(view.rows, true).every((r) => r.differs)).toBe(true);
    expect(visibleCompareRows(view.rows, false)).toHaveLength(view.rows.length);
  });
});

describe('compareViewFromTable', () => {
  const table = diffMany([a, b, c]);
  it('names columns from the host, else by id', () => {
    const view = compareViewFromTable(table, { ra: 'baseline' });
    expect(view.runs).toEqual([{ id: 'ra', name: 'baseline' }, { id: 'rb', name: 'rb' }, { id: 'rc', name: 'rc' }]);
    expect(view.pairwise).toBe(false);
  });
  it('formats each run value and marks differing keys', () => {
    const view = compareViewFromTable(table);
    const lr = view.rows.find((r) => r.key === 'lr')!;
    expect(lr).toMatchObject({ section: 'params', cells: ['0.1', '0.2', '0.1'], differs: true });
    const opt = view.rows.find((r) => r.key === 'opt')!;
    expect(opt.differs).toBe(false);
    const f1 = view.rows.find((r) => r.key === 'f1')!;
    expect(f1).toMatchObject({ section: 'metrics', cells: ['—', '0.7', '—'], differs: true });
    expect(lr.status).toBeUndefined();
  });
});

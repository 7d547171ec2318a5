import { describe, expect, it } from 'vitest';
import { execution, metrics, run } from '../test-data';
import { environmentView, executionTotals, metricViews, orderedExecutions, shapeLabel, sourceLabel } from './detail';

describe('sourceLabel', () => {
  it('names each kind of source', () => {
    expect(sourceLabel({ kind: 'notebook', path: 'train.ipynb', cellIds: [] })).toBe('train.ipynb');
    expect(sourceLabel({ kind: 'script', path: 'train.py' })).toBe('train.py');
    expect(sourceLabel({ kind: 'pipeline', pipeline: 'pipeline.yaml', step: 'clean' })).toBe('pipeline.yaml › clean');
    expect(sourceLabel({ kind: 'pipeline', pipeline: 'pipeline.yaml' })).toBe('pipeline.yaml');
    expect(sourceLabel({ kind: 'api' })).toBe('API');
  });
});

describe('executions', () => {
  const list = [
    execution('e3', 'c3', 'c', { startedAt: 30, executionCount: 3, durationMs: 1500, status: 'error' }),
    execution('e1', 'c1', 'a', { startedAt: 10, executionCount: 1, durationMs: 500 }),
    execution('e2b', 'c2', 'b', { startedAt: 20, executionCount: 5 }),
    execution('e2a', 'c2', 'b', { startedAt: 20, executionCount: 2 }),
  ];
  it('orders by start, then execution count', () => {
    expect(orderedExecutions(list).map((e) => e.id)).toEqual(['e1', 'e2a', 'e2b', 'e3']);
  });
  it('totals count, failures and time', () => {
    expect(executionTotals(list)).toEqual({ count: 4, errors: 1, duration: '2.0 s' });
  });
});

describe('environmentView', () => {
  it('sorts packages and shortens the commit', () => {
    const v = environmentView({ python: '3.11.4', packages: { torch: '2.3.0', numpy: '1.26.4' }, git: { commit: '0123456789abcdef0123', dirty: true } });
    expect(v).toEqual({
      python: '3.11.4',
      os: '—',
      packages: [['numpy', '1.26.4'], ['torch', '2.3.0']],
      git: { commit: '0123456789', fullCommit: '0123456789abcdef0123', branch: null, dirty: true },
    });
    expect(environmentView(null)).toBeNull();
  });
});

describe('shapes and metrics', () => {
  it('prints shapes', () => {
    expect(shapeLabel([1000, 12])).toBe('1,000 × 12');
    expect(shapeLabel([])).toBe('—');
  });
  it('lists metrics by key with their series by identity', () => {
    const series = { loss: [{ step: 0, value: 1 }] };
    const views = metricViews(run('r', { metrics: metrics({ loss: 0.25, acc: 0.9 }) }), series);
    expect(views.map((m) => m.key)).toEqual(['acc', 'loss']);
    expect(views[0]).toMatchObject({ last: '0.9', series: null });
    expect(views[1]!.series).toBe(series.loss);
  });
});

import { describe, expect, it } from 'vitest';
import { metrics, params, run } from '../test-data';
import {
  availableColumns,
  cellText,
  cellValue,
  columnDef,
  defaultColumns,
  gridTemplate,
  keyFrequencies,
  paramComparable,
  toggleColumn,
  visibleColumnDefs,
} from './columns';

const runs = [
  run('a', { params: params({ lr: 0.1, opt: 'adam' }), metrics: metrics({ acc: 0.9, loss: 0.3 }) }),
  run('b', { params: params({ lr: 0.2 }), metrics: metrics({ acc: 0.8 }) }),
  run('c', { params: params({ seed: 1 }), metrics: metrics({ f1: 0.5 }) }),
];

describe('column ids', () => {
  it('resolves base, param and metric ids and rejects others', () => {
    expect(columnDef('started')?.kind).toBe('started');
    expect(columnDef('params.lr')).toMatchObject({ kind: 'param', key: 'lr', numeric: false });
    expect(columnDef('metrics.val/acc')).toMatchObject({ kind: 'metric', key: 'val/acc', numeric: true });
    expect(columnDef('tags.x')).toBeNull();
  });
  it('always shows status and name first, once, skipping unknown ids', () => {
    expect(visibleColumnDefs(['metrics.acc', 'name', 'bogus', 'started']).map((d) => d.id)).toEqual(['status', 'name', 'metrics.acc', 'started']);
  });
  it('builds a grid template with the checkbox track first', () => {
    expect(gridTemplate(visibleColumnDefs([])).split(' ')[0]).toBe('2em');
  });
});

describe('column choice', () => {
  it('orders keys by how many runs have them', () => {
    expect(keyFrequencies(runs)).toEqual({ params: ['lr', 'opt', 'seed'], metrics: ['acc', 'f1', 'loss'] });
  });
  it('offers base columns then params and metrics by name', () => {
    expect(availableColumns(runs)).toEqual(['started', 'duration', 'params.lr', 'params.opt', 'params.seed', 'metrics.acc', 'metrics.f1', 'metrics.loss']);
  });
  it('defaults to the most common keys', () => {
    expect(defaultColumns(runs, 1, 2)).toEqual(['started', 'duration', 'params.lr', 'metrics.acc', 'metrics.f1']);
  });
  it('toggles chosen columns but never the fixed ones', () => {
    expect(toggleColumn(['started'], 'metrics.acc')).toEqual(['started', 'metrics.acc']);
    expect(toggleColumn(['started', 'metrics.acc'], 'started')).toEqual(['metrics.acc']);
    expect(toggleColumn(['started'], 'name')).toEqual(['started']);
  });
});

describe('cell values', () => {
  const r = run('r1', { name: 'baseline', startTime: 0, endTime: 90_000, params: params({ lr: '0.5', opt: 'adam', layers: [1, 2] }), metrics: metrics({ acc: 0.91234, nan: null }) });
  it('reads params as the backend indexes them', () => {
    expect(paramComparable(3)).toEqual({ text: '3', num: 3 });
    expect(paramComparable('0.5')).toEqual({ text: '0.5', num: 0.5 });
    expect(paramComparable(' ')).toEqual({ text: ' ', num: null });
    expect(paramComparable({ a: 1 })).toEqual({ text: '{"a":1}', num: null });
    expect(cellValue(r, columnDef('params.lr')!, 0)).toBe(0.5);
    expect(cellValue(r, columnDef('params.opt')!, 0)).toBe('adam');
    expect(cellValue(r, columnDef('params.missing')!, 0)).toBeNull();
  });
  it('reads metrics, durations and names', () => {
    expect(cellValue(r, columnDef('metrics.acc')!, 0)).toBe(0.91234);
    expect(cellValue(r, columnDef('metrics.nan')!, 0)).toBeNull();
    expect(cellValue(r, columnDef('duration')!, 0)).toBe(90_000);
    expect(cellText(r, columnDef('duration')!, 0)).toBe('1m 30s');
    expect(cellText(r, columnDef('metrics.acc')!, 0)).toBe('0.9123');
    expect(cellText(r, columnDef('params.layers')!, 0)).toBe('[1,2]');
    expect(cellText(r, columnDef('params.missing')!, 0)).toBe('—');
    expect(cellText(run('noname', { name: '' }), columnDef('name')!, 0)).toBe('noname');
  });
  it('measures running runs until now', () => {
    const open = run('o', { startTime: 1000, endTime: null, status: 'running' });
    expect(cellValue(open, columnDef('duration')!, 6000)).toBe(5000);
  });
});

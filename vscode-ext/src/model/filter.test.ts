import { describe, expect, it } from 'vitest';
import { testExperiment, testMetric, testRun } from '../test-data';
import { filterDescription, filterEntries, filterFields, filterPickItems, parseRunsFilter, withField } from './filter';

const adam = testRun('r-adam', { name: 'adam run', params: [{ key: 'optimizer', value: 'adam', origin: 'explicit' }], metrics: [testMetric('acc', 0.95)], tags: [{ key: 'team', value: 'vision' }] });
const sgd = testRun('r-sgd', { name: 'sgd run', params: [{ key: 'optimizer', value: 'sgd', origin: 'explicit' }], metrics: [testMetric('acc', 0.7)] });
const other = testRun('r-other', { experimentId: 'exp-2', name: 'other' });
const entries = [
  { experiment: testExperiment('exp-1'), runs: [adam, sgd] },
  { experiment: testExperiment('exp-2'), runs: [other] },
];

describe('parseRunsFilter', () => {
  it('accepts the search grammar and keeps runs that pass every clause', () => {
    const parsed = parseRunsFilter("metrics.acc > 0.9 and params.optimizer = 'adam'");
    expect(parsed.ok).toBe(true);
    const filter = parsed.ok ? parsed.filter : null;
    expect([adam, sgd, other].filter((r) => filter!.test(r)).map((r) => r.id)).toEqual(['r-adam']);
    const tag = parseRunsFilter("tags.team = 'vision'");
    expect(tag.ok && tag.filter!.test(adam) && !tag.filter!.test(sgd)).toBe(true);
  });

  it('clears on empty text', () => {
    expect(parseRunsFilter('   ')).toEqual({ ok: true, filter: null });
  });

  it('says what is wrong: plain words, bad syntax, a metric compared with text', () => {
    expect(parseRunsFilter('adam')).toMatchObject({ ok: false, error: expect.stringContaining('starts with a field') });
    expect(parseRunsFilter('metrics.acc >')).toMatchObject({ ok: false, error: expect.stringMatching(/Not a valid filter: .*ended/) });
    expect(parseRunsFilter("metrics.acc = 'high'")).toMatchObject({ ok: false, error: expect.stringContaining('compares with numbers') });
  });
});

describe('filterEntries and filterDescription', () => {
  it('drops runs that fail and experiments left empty; counts for the title', () => {
    const parsed = parseRunsFilter('metrics.acc >= 0.7');
    const filter = parsed.ok ? parsed.filter : null;
    expect(filterEntries(entries, filter).map((e) => [e.experiment.id, e.runs.map((r) => r.id)])).toEqual([['exp-1', ['r-adam', 'r-sgd']]]);
    expect(filterDescription(entries, filter)).toBe('metrics.acc >= 0.7 (2 of 3 runs)');
    expect(filterEntries(entries, null)).toHaveLength(2);
    expect(filterDescription(entries, null)).toBe('');
  });
});

describe('filter quick pick items', () => {
  it('lists fields with example values, most common first', () => {
    expect(filterFields(entries).map((f) => [f.field, f.runs, f.examples])).toEqual([
      ['metrics.acc', 2, ['0.95', '0.7']],
      ['params.optimizer', 2, ['adam', 'sgd']],
      ['tags.team', 1, ['vision']],
    ]);
  });

  it('offers to apply a valid filter with its match count, then the fields', () => {
    const items = filterPickItems('metrics.acc > 0.9', entries, null);
    expect(items[0]).toMatchObject({ label: '$(filter) Filter: metrics.acc > 0.9', description: '1 of 3 runs', action: { kind: 'apply', text: 'metrics.acc > 0.9' } });
    expect(items.slice(1).map((i) => i.action)).toContainEqual({ kind: 'insert', text: 'metrics.acc > 0.9 and params.optimizer ' });
  });

  it('shows the error instead of applying, and completes the field being typed', () => {
    const items = filterPickItems('metrics.acc > 0.9 and para', entries, null);
    expect(items[0]).toMatchObject({ action: { kind: 'invalid' } });
    expect(items.slice(1).map((i) => i.action)).toEqual([{ kind: 'insert', text: 'metrics.acc > 0.9 and params.optimizer ' }]);
  });

  it('offers no field where a value is due', () => {
    expect(filterPickItems('metrics.acc > ', entries, null).map((i) => i.action.kind)).toEqual(['invalid']);
    expect(filterPickItems("params.optimizer like", entries, null).map((i) => i.action.kind)).toEqual(['invalid']);
    expect(filterPickItems('metrics.in', entries, null).map((i) => i.action.kind)).toContain('invalid');
  });

  it('offers to clear an active filter when the box is emptied', () => {
    const active = parseRunsFilter('metrics.acc > 0.9');
    const items = filterPickItems('', entries, active.ok ? active.filter : null);
    expect(items[0]).toMatchObject({ action: { kind: 'clear' }, description: 'metrics.acc > 0.9' });
    expect(filterPickItems('', entries, null)[0]!.action.kind).toBe('insert');
  });

  it('appends a field as a new clause', () => {
    expect(withField('', 'params.lr')).toBe('params.lr ');
    expect(withField('metrics.acc > 1 and ', 'params.lr')).toBe('metrics.acc > 1 and params.lr ');
    expect(withField('metrics.acc > 1', 'params.lr')).toBe('metrics.acc > 1 and params.lr ');
  });
});

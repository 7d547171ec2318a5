import { describe, expect, it } from 'vitest';
import { metrics, params, run } from '../test-data';
import { compileRunFilter, filterRuns, likeToRegExp, looksLikeExpression, matchesClause } from './filter';

const runs = [
  run('r1', { name: 'baseline', status: 'finished', params: params({ opt: 'adam', lr: 0.1, batch: '32' }), metrics: metrics({ acc: 0.95 }), tags: [{ key: 'team', value: 'vision' }] }),
  run('r2', { name: 'wide net', status: 'failed', params: params({ opt: 'sgd', lr: 0.01 }), metrics: metrics({ acc: 0.85, loss: 0.4 }) }),
  run('r3', { name: 'Deep net', status: 'running', startTime: 5000, params: params({ layers: [64, 64] }), metrics: metrics({ acc: null }) }),
];
const ids = (text: string) => filterRuns(runs, compileRunFilter(text)).map((r) => r.id);

describe('text filter', () => {
  it('matches everything when empty', () => {
    expect(compileRunFilter('  ').mode).toBe('all');
    expect(ids('')).toEqual(['r1', 'r2', 'r3']);
  });
  it('matches names, ids and status case-insensitively', () => {
    expect(ids('NET')).toEqual(['r2', 'r3']);
    expect(ids('r1')).toEqual(['r1']);
    expect(ids('failed')).toEqual(['r2']);
  });
  it('matches param and metric keys and values', () => {
    expect(ids('adam')).toEqual(['r1']);
    expect(ids('loss')).toEqual(['r2']);
    expect(ids('opt=sgd')).toEqual(['r2']);
    expect(ids('0.95')).toEqual(['r1']);
    expect(ids('vision')).toEqual(['r1']);
  });
  it('requires every term', () => {
    expect(ids('net sgd')).toEqual(['r2']);
    expect(ids('net adam')).toEqual([]);
  });
});

describe('expression filter', () => {
  it('recognises expressions by their field prefix', () => {
    expect(looksLikeExpression('metrics.acc > 0.9')).toBe(true);
    expect(looksLikeExpression('param.opt = "adam"')).toBe(true);
    expect(looksLikeExpression('accuracy')).toBe(false);
  });
  it('filters by metrics with numbers', () => {
    const f = compileRunFilter('metrics.acc > 0.9');
    expect(f).toMatchObject({ mode: 'expression', error: null });
    expect(ids('metrics.acc > 0.9')).toEqual(['r1']);
    expect(ids('metrics.acc <= 0.85')).toEqual(['r2']);
    expect(ids('metrics.acc != 0.85')).toEqual(['r1']);
  });
  it('never matches a run without the field', () => {
    expect(ids('metrics.loss < 1')).toEqual(['r2']);
    expect(ids('params.opt != "adam"')).toEqual(['r2']);
  });
  it('compares params as numbers or text like the server', () => {
    expect(ids("params.opt = 'adam'")).toEqual(['r1']);
    expect(ids('params.lr < 0.05')).toEqual(['r2']);
    expect(ids('params.batch = 32')).toEqual(['r1']);
    expect(ids("params.layers = '[64,64]'")).toEqual(['r3']);
    expect(ids("params.opt in ('sgd', 'rmsprop')")).toEqual(['r2']);
  });
  it('supports like, tags, attributes and and', () => {
    expect(ids("attributes.name like '%net'")).toEqual(['r2', 'r3']);
    expect(ids("attributes.status = 'running'")).toEqual(['r3']);
    expect(ids('attributes.startTime >= 5000')).toEqual(['r3']);
    expect(ids("tags.team = 'vision'")).toEqual(['r1']);
    expect(ids("metrics.acc > 0.5 and params.opt = 'sgd'")).toEqual(['r2']);
  });
  it('reports syntax errors and falls back to text matching', () => {
    const f = compileRunFilter('metrics.acc >');
    expect(f.mode).toBe('text');
    expect(f.error).toMatch(/ended/);
    expect(compileRunFilter('metrics.acc > 0.9 or x').error).toMatch(/expected 'and'/);
  });
  it('reports clauses the server would reject', () => {
    expect(compileRunFilter("metrics.acc = 'high'").error).toMatch(/numbers/);
    expect(compileRunFilter('params.lr like 1').error).toMatch(/like/);
    expect(compileRunFilter('params.lr in 1').error).toBeTruthy();
  });
  it('evaluates single clauses', () => {
    expect(matchesClause(runs[0]!, { field: 'metrics.acc', op: '>=', value: 0.95 })).toBe(true);
    expect(matchesClause(runs[2]!, { field: 'metrics.acc', op: '>=', value: 0 })).toBe(false);
    expect(matchesClause(runs[0]!, { field: 'params.opt', op: 'in', value: ['adam'] })).toBe(true);
  });
});

describe('likeToRegExp', () => {
  it('translates % and _ and escapes the rest', () => {
    expect(likeToRegExp('a%c').test('ABBBC')).toBe(true);
    expect(likeToRegExp('a_c').test('abc')).toBe(true);
    expect(likeToRegExp('a_c').test('abbc')).toBe(false);
    expect(likeToRegExp('a.c').test('abc')).toBe(false);
    expect(likeToRegExp('(x)').test('(x)')).toBe(true);
  });
});

describe('scale', () => {
  it('filters 10k runs by text and expression quickly', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => run(`r${i}`, { name: `run ${i}`, params: params({ lr: i / 1e4 }), metrics: metrics({ acc: (i % 100) / 100 }) }));
    const t0 = performance.now();
    expect(filterRuns(many, compileRunFilter('metrics.acc >= 0.99')).length).toBe(100);
    expect(filterRuns(many, compileRunFilter('run 99')).length).toBeGreaterThan(0);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

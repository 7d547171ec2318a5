import { describe, expect, it } from 'vitest';
import { FilterSyntaxError, parseFilter } from './filter';

describe('parseFilter', () => {
  it('parses MLflow-style clauses joined by and', () => {
    expect(parseFilter(`metrics.acc > 0.9 and params.opt = 'adam' AND tags."my tag" != "x"`)).toEqual([
      { field: 'metrics.acc', op: '>', value: 0.9 },
      { field: 'params.opt', op: '=', value: 'adam' },
      { field: 'tags.my tag', op: '!=', value: 'x' },
    ]);
  });

  it('parses in-lists, like and attributes', () => {
    expect(parseFilter(`attributes.status IN ('finished', 'failed') and params.model LIKE 'res%'`)).toEqual([
      { field: 'attributes.status', op: 'in', value: ['finished', 'failed'] },
      { field: 'params.model', op: 'like', value: 'res%' },
    ]);
  });

  it('names the position of a syntax error', () => {
    expect(() => parseFilter('metrics.acc >')).toThrow(/expected a value but the filter ended/);
    expect(() => parseFilter('metrics.acc > 1 or params.x = 2')).toThrow(FilterSyntaxError);
    expect(() => parseFilter('metrics.acc > 1 or params.x = 2')).toThrow(/expected 'and', got 'or' at character 17/);
    expect(() => parseFilter('attributes.color = 1')).toThrow(/attributes/);
  });

  it('accepts an empty filter', () => {
    expect(parseFilter('  ')).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { mlflowRunFilter, mlflowRunOrder, registryFilter, tagsMatch } from './search';

describe("MLflow's search syntax on runtrail's search", () => {
  it('maps attribute names and status words onto runtrail fields', () => {
    expect(mlflowRunFilter("attributes.start_time > 5 and run_name = 'a' and status IN ('FINISHED', 'FAILED')")).toEqual([
      { field: 'attributes.startTime', op: '>', value: 5 },
      { field: 'attributes.name', op: '=', value: 'a' },
      { field: 'attributes.status', op: 'in', value: ['finished', 'failed'] },
    ]);
  });

  it('keeps params, metrics and quoted tag keys; ILIKE becomes LIKE', () => {
    expect(mlflowRunFilter("metrics.acc >= 0.5 AND params.opt ILIKE 'ad%' and tags.`mlflow.runName` != 'x'")).toEqual([
      { field: 'metrics.acc', op: '>=', value: 0.5 },
      { field: 'params.opt', op: 'like', value: 'ad%' },
      { field: 'tags.mlflow.runName', op: '!=', value: 'x' },
    ]);
    expect(mlflowRunFilter('  ')).toEqual([]);
  });

  it('reports a syntax error as INVALID_PARAMETER_VALUE with the position', () => {
    expect(() => mlflowRunFilter('metrics.acc >> 1')).toThrow(/Error parsing filter .* at character/);
  });

  it('translates order_by terms, ascending by default', () => {
    expect(mlflowRunOrder(['metrics.acc DESC', 'start_time', 'params.`lr`', 'attributes.run_name asc'].slice(0, 3))).toEqual([
      { field: 'metrics.acc', direction: 'desc' },
      { field: 'attributes.startTime', direction: 'asc' },
      { field: 'params.lr', direction: 'asc' },
    ]);
    expect(() => mlflowRunOrder(['a', 'b', 'c', 'd'])).toThrow(/at most 3/);
    expect(() => mlflowRunOrder(['colour'])).toThrow(/unknown field/);
  });

  it('parses registry filters, including the tag condition MLflow clients append', () => {
    expect(registryFilter("name LIKE 'it-%' AND tag.`mlflow.prompt.is_prompt` != 'true'")).toEqual({
      nameLike: 'it-%',
      tags: [{ key: 'mlflow.prompt.is_prompt', op: '!=', value: 'true' }],
    });
    expect(registryFilter("name = 'm' and run_id = 'r1'")).toEqual({ name: 'm', runId: 'r1', tags: [] });
    expect(() => registryFilter('version > 2')).toThrow(/Unsupported filter/);
    expect(tagsMatch([], [{ key: 'mlflow.prompt.is_prompt', op: '!=', value: 'true' }])).toBe(true);
    expect(tagsMatch([{ key: 'k', value: 'v' }], [{ key: 'k', op: '=', value: 'w' }])).toBe(false);
  });
});

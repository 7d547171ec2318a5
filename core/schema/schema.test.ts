import { describe, expect, it } from 'vitest';
import { exportJsonSchemas, LogBatchRequest, Param, routes } from './index';

describe('schemas', () => {
  it('exports a JSON Schema for every record of the data model', () => {
    const schemas = exportJsonSchemas();
    for (const name of ['Workspace', 'Project', 'Experiment', 'Run', 'CellExecution', 'Param', 'Metric', 'DataSnapshot',
      'Artifact', 'BlobRef', 'Environment', 'RegisteredModel', 'ModelVersion', 'ModelAlias', 'AuditEntry', 'PipelineSpec', 'PipelineStep']) {
      expect(schemas[name], name).toMatchObject({ type: 'object' });
    }
  });

  it('rejects a metric batch over the MLflow limit and names the rule', () => {
    const metrics = Array.from({ length: 1001 }, (_, i) => ({ key: 'm', value: i, step: i, timestamp: 1 }));
    const r = LogBatchRequest.safeParse({ metrics });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['metrics']);
    expect(r.error?.issues[0]?.message).toContain('1000');
  });

  it('rejects over-long param values and keys with forbidden characters', () => {
    expect(Param.safeParse({ key: 'lr', value: 'x'.repeat(6001) }).success).toBe(false);
    expect(Param.safeParse({ key: 'a\nb', value: 1 }).success).toBe(false);
    expect(Param.parse({ key: 'lr', value: 0.1 })).toEqual({ key: 'lr', value: 0.1, origin: 'explicit' });
  });

  it('has unique method+path pairs in the route table', () => {
    const seen = new Set(Object.values(routes).map((r) => `${r.method} ${r.path}`));
    expect(seen.size).toBe(Object.keys(routes).length);
  });
});

import { describe, expect, it } from 'vitest';
import type { ModelVersion, RegisteredModel } from '@runtrail/core/schema';
import { buildModelsView, modelTargetOf, modelUri, modelsViewMessage, type ModelsSnapshot } from './models';

const T = Date.UTC(2026, 0, 2, 3, 4);

function model(name: string, aliases: { alias: string; version: number }[], latestVersion: number): RegisteredModel {
  return { name, workspaceId: 'default', description: `${name} model`, tags: [], aliases, latestVersion, createdAt: T, updatedAt: T };
}

function version(modelName: string, n: number, aliases: string[] = [], stage: ModelVersion['stage'] = 'None'): ModelVersion {
  return {
    modelName, version: n, runId: `0190aaaa-bbbb-7ccc-8ddd-00000000000${n}`, source: 'model', artifacts: [], snapshotIds: [], cellIds: [],
    stage, description: '', tags: [], aliases, createdBy: 'local', createdAt: T, updatedAt: T,
  };
}

const snapshot: ModelsSnapshot = {
  fetchedAt: T,
  models: [
    { model: model('zeta', [], 0), versions: [] },
    { model: model('churn', [{ alias: 'champion', version: 2 }], 2), versions: [version('churn', 1, [], 'Archived'), version('churn', 2, ['champion'], 'Production')] },
  ],
};

describe('buildModelsView', () => {
  it('lists models by name, versions newest first, aliases in the descriptions', () => {
    const runNames: Record<string, string> = { '0190aaaa-bbbb-7ccc-8ddd-000000000002': 'tuned' };
    const [churn, zeta] = buildModelsView(snapshot, (id) => runNames[id]);
    expect([churn!.label, zeta!.label]).toEqual(['churn', 'zeta']);
    expect(churn!.description).toBe('2 versions · @champion → v2');
    expect(zeta!.description).toBe('0 versions');
    const [v2, v1] = churn!.versions;
    expect(v2).toMatchObject({ id: 'version:churn/2', label: 'Version 2', description: '@champion · Production · run tuned', contextValue: 'modelVersionAliased', aliases: ['champion'] });
    // A run the views do not know shows its short id.
    expect(v1).toMatchObject({ label: 'Version 1', description: 'Archived · run 00000001', contextValue: 'modelVersion', icon: { id: 'archive' } });
    expect(v2!.tooltip).toContain('models:/churn/2');
    expect(v2!.tooltip).toContain('Aliases: champion');
  });

  it('is empty before anything is known', () => {
    expect(buildModelsView(null, () => undefined)).toEqual([]);
  });
});

describe('modelUri', () => {
  it("follows MLflow's models:/ scheme", () => {
    expect(modelUri('churn')).toBe('models:/churn');
    expect(modelUri('churn', 3)).toBe('models:/churn/3');
    expect(modelUri('churn', 'champion')).toBe('models:/churn@champion');
  });
});

describe('modelTargetOf', () => {
  it('reads view nodes and plain arguments, refuses the rest', () => {
    const [churn] = buildModelsView(snapshot, () => undefined);
    expect(modelTargetOf(churn)).toEqual({ modelName: 'churn' });
    expect(modelTargetOf(churn!.versions[0])).toEqual({ modelName: 'churn', version: 2 });
    expect(modelTargetOf({ modelName: 'x', version: 1.5 })).toEqual({ modelName: 'x' });
    for (const bad of [undefined, 'churn', { modelName: '' }, { version: 1 }]) expect(modelTargetOf(bad)).toBeNull();
  });
});

describe('modelsViewMessage', () => {
  it('says when the list is the cached one, or why there is none', () => {
    expect(modelsViewMessage({ kind: 'offline', reason: 'ECONNREFUSED' }, snapshot)).toMatch(/^Offline: showing the last known models \(fetched \d{4}-/);
    expect(modelsViewMessage({ kind: 'offline', reason: 'ECONNREFUSED' }, null)).toMatch(/ECONNREFUSED.*no models list was saved/);
    expect(modelsViewMessage({ kind: 'unauthorized' }, snapshot)).toMatch(/refused the token/);
    expect(modelsViewMessage({ kind: 'loading' }, null)).toBe('Loading registered models…');
    expect(modelsViewMessage({ kind: 'online' }, snapshot)).toBeUndefined();
  });
});

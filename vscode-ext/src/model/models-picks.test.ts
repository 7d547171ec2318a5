import { describe, expect, it } from 'vitest';
import type { Artifact, ModelLineage } from '@runtrail/core/schema';
import { aliasError, artifactPickItems, deleteConfirmationError, lineagePickItems, modelNameError, modelNamePickItems } from './models-picks';

const sha = 'a'.repeat(64);
const artifact = (path: string, size: number): Artifact => ({ path, size, sha256: sha, blob: { sha256: sha, size } });

describe('artifactPickItems', () => {
  it('offers folders, then files, then all artifacts', () => {
    const items = artifactPickItems([artifact('plot.png', 2048), artifact('model/weights/w.bin', 3 * 1024 * 1024), artifact('model/MLmodel', 100)]);
    expect(items.map((i) => [i.path, i.description])).toEqual([
      ['model', '2 files, 3.0 MB'],
      ['model/weights', '1 file, 3.0 MB'],
      ['model/MLmodel', '100 B'],
      ['model/weights/w.bin', '3.0 MB'],
      ['plot.png', '2.0 KB'],
      ['', '3 files, 3.0 MB'],
    ]);
    expect(items[0]!.label).toBe('$(folder) model/');
  });

  it('offers a lone file without "All artifacts", and nothing for a run without artifacts', () => {
    expect(artifactPickItems([artifact('model.pkl', 1)]).map((i) => i.path)).toEqual(['model.pkl']);
    expect(artifactPickItems([])).toEqual([]);
  });
});

describe('modelNamePickItems', () => {
  const models = [{ name: 'zeta', latestVersion: 1 }, { name: 'churn', latestVersion: 4 }];

  it('puts a valid new name first, existing models after', () => {
    const items = modelNamePickItems(models, ' fraud ');
    expect(items.map((i) => [i.name, i.isNew])).toEqual([['fraud', true], ['churn', false], ['zeta', false]]);
    expect(items[1]!.description).toBe('next version after v4');
  });

  it('offers no new item for an existing name or empty text, and explains an invalid one', () => {
    expect(modelNamePickItems(models, 'churn').every((i) => !i.isNew)).toBe(true);
    expect(modelNamePickItems(models, '').length).toBe(2);
    const bad = modelNamePickItems(models, 'a/b');
    expect(bad.at(-1)).toMatchObject({ isNew: true, error: expect.stringContaining('must not contain "/"') });
    expect(modelNameError('a/b')).toMatch(/must not contain/);
    expect(modelNameError('churn')).toBeNull();
  });
});

describe('aliasError and deleteConfirmationError', () => {
  it("apply the registry's rules", () => {
    expect(aliasError('champion')).toBeNull();
    expect(aliasError('latest')).toMatch(/reserved/);
    expect(aliasError('v2')).toMatch(/reserved/);
    expect(aliasError('1st')).toMatch(/must start with a letter/);
    expect(deleteConfirmationError('churn', 'churn')).toBeNull();
    expect(deleteConfirmationError('chur', 'churn')).toBe('Type "churn" to delete the model and all its versions permanently.');
  });
});

describe('lineagePickItems', () => {
  it('groups version, run, snapshots and cells, and links the run and the code', () => {
    const lineage = {
      version: {
        modelName: 'churn', version: 2, runId: 'run-1', source: 'model', artifacts: [artifact('model/MLmodel', 1)], snapshotIds: ['s1'], cellIds: ['c1'],
        stage: 'None', description: '', tags: [], aliases: ['champion'], createdBy: 'local', createdAt: 1, updatedAt: 1,
      },
      run: { id: 'run-1', name: 'tuned', status: 'finished' },
      snapshots: [{ id: 's1', name: 'df', kind: 'pandas', fingerprint: 'f'.repeat(32), sampled: false, shape: [10, 2] }],
      cells: [{ cellId: 'c1', executionCount: 3, source: '\nmodel = fit(df)\nsave(model)', sourceHash: 'abcdefgh', startedAt: 1, status: 'ok' }],
    } as unknown as ModelLineage;
    const items = lineagePickItems(lineage);
    expect(items.filter((i) => i.kind === 'separator').map((i) => i.label)).toEqual(['Version', 'Source run', 'Data snapshots (1)', 'Code cells (1)']);
    expect(items.find((i) => i.kind === 'version')).toMatchObject({ label: '$(versions) churn v2', description: '@champion · None' });
    expect(items.find((i) => i.kind === 'run')).toMatchObject({ label: '$(beaker) tuned', runId: 'run-1' });
    expect(items.find((i) => i.kind === 'snapshot')).toMatchObject({ label: '$(database) df', description: 'pandas · 10 × 2' });
    expect(items.find((i) => i.kind === 'cell')).toMatchObject({ label: '$(code) [3] model = fit(df)', code: '\nmodel = fit(df)\nsave(model)' });
    expect(items.some((i) => i.kind === 'none')).toBe(false);
  });

  it('says when the source run is gone', () => {
    const lineage = { version: { modelName: 'm', version: 1, runId: 'gone-run-0001', source: '', artifacts: [], aliases: [], stage: 'None', createdAt: 1 }, run: null, snapshots: [], cells: [] } as unknown as ModelLineage;
    expect(lineagePickItems(lineage).find((i) => i.kind === 'run')).toMatchObject({ description: 'no longer on the server' });
    expect(lineagePickItems(lineage).filter((i) => i.kind === 'none').map((i) => i.label)).toEqual([
      '$(info) No data snapshot was recorded in this run',
      '$(info) No code cell was recorded in this run',
    ]);
  });
});

/**
 * The contract every RegistryStore adapter meets. Adapters add themselves to ADAPTERS (a PostgreSQL adapter
 * runs the same cases against its database).
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RegisteredModel } from '@runtrail/core/schema';
import type { Store } from '../store/port';
import { openSqliteStore } from '../store/sqlite';
import { postgresAdapter } from '../store/postgres/test-adapter';
import type { LoggedModelRecord, RegistryStore, StoredVersion } from './port';

const ADAPTERS: { name: string; open: () => Promise<Store> }[] = [
  { name: 'sqlite', open: async () => openSqliteStore(':memory:') },
  postgresAdapter,
];
afterAll(() => postgresAdapter.stop());

const model = (name: string, extra: Partial<RegisteredModel> = {}): RegisteredModel => ({
  name, workspaceId: 'default', description: '', tags: [], aliases: [], latestVersion: 0, createdAt: 1, updatedAt: 1, ...extra,
});
const version = (modelName: string, n: number, runId = 'run-1', createdAt = n): StoredVersion => ({
  modelName, version: n, runId, source: 'model', artifacts: [], snapshotIds: [], cellIds: [], stage: 'None',
  description: '', tags: [], createdBy: 'local', createdAt, updatedAt: createdAt,
});
const logged = (modelId: string, experimentId: string, name: string, createdAt: number): LoggedModelRecord => ({
  modelId, experimentId, runId: 'run-1', name, modelType: '', status: 'LOGGED_MODEL_PENDING', createdAt, updatedAt: createdAt, params: [], tags: [],
});

for (const adapter of ADAPTERS) {
  describe(`RegistryStore contract: ${adapter.name}`, () => {
    let store: Store;
    let registry: RegistryStore;
    beforeEach(async () => {
      store = await adapter.open();
      registry = store.registry;
    });
    afterEach(async () => {
      await store.close();
    });

    it('stores models and versions, and reads them back outside the transaction', async () => {
      await registry.write(async (tx) => {
        await tx.putModel(model('b'));
        await tx.putModel(model('a', { description: 'first' }));
        await tx.putVersion(version('a', 1));
        await tx.putVersion(version('a', 2, 'run-2'));
        expect((await tx.listVersions('a')).map((v) => v.version)).toEqual([2, 1]);
      });
      expect(await registry.getModel('a')).toMatchObject({ name: 'a', description: 'first' });
      expect((await registry.listModels(undefined, 10, 0)).map((m) => m.name)).toEqual(['a', 'b']);
      expect((await registry.listModels('A%', 10, 0)).map((m) => m.name)).toEqual(['a']);
      expect((await registry.listModels(undefined, 1, 1)).map((m) => m.name)).toEqual(['b']);
      expect(await registry.getVersion('a', 2)).toMatchObject({ runId: 'run-2' });
      expect((await registry.findVersions({ runId: 'run-2', limit: 10, offset: 0 })).map((v) => v.version)).toEqual([2]);
      expect((await registry.findVersions({ modelName: 'a', limit: 1, offset: 1 })).map((v) => v.version)).toEqual([1]);
    });

    it('writes all of a transaction or nothing', async () => {
      await expect(
        registry.write(async (tx) => {
          await tx.putModel(model('doomed'));
          await tx.appendAudit({ id: 'e1', at: 1, actor: 'local', modelName: 'doomed', action: 'model.create', target: 'model:doomed', from: null, to: 'doomed' });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await registry.getModel('doomed')).toBeNull();
      expect(await registry.audit('doomed')).toEqual([]);
    });

    it('deletes a model with its versions and keeps its audit log in order', async () => {
      await registry.write(async (tx) => {
        await tx.putModel(model('m'));
        await tx.putVersion(version('m', 1));
        for (const [i, action] of (['model.create', 'version.create', 'model.delete'] as const).entries()) {
          await tx.appendAudit({ id: `e${i}`, at: i, actor: 'local', modelName: 'm', action, target: 'x', from: null, to: null });
        }
        await tx.deleteModel('m');
      });
      expect(await registry.getModel('m')).toBeNull();
      expect(await registry.getVersion('m', 1)).toBeNull();
      expect((await registry.audit('m')).map((e) => e.action)).toEqual(['model.create', 'version.create', 'model.delete']);
    });

    it('stores logged models, finds them by experiment and name, newest first', async () => {
      await registry.putLoggedModel(logged('m1', 'e1', 'model', 1));
      await registry.putLoggedModel(logged('m2', 'e1', 'model', 2));
      await registry.putLoggedModel(logged('m3', 'e2', 'other', 3));
      await registry.putLoggedModel({ ...logged('m1', 'e1', 'model', 1), status: 'LOGGED_MODEL_READY' });
      expect((await registry.getLoggedModel('m1'))?.status).toBe('LOGGED_MODEL_READY');
      expect((await registry.findLoggedModels(['e1'], 'model', 10, 0)).map((m) => m.modelId)).toEqual(['m2', 'm1']);
      expect((await registry.findLoggedModels([], undefined, 10, 0)).map((m) => m.modelId)).toEqual(['m3', 'm2', 'm1']);
      await registry.deleteLoggedModel('m2');
      expect(await registry.getLoggedModel('m2')).toBeNull();
    });
  });
}

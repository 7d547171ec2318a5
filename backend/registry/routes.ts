/** Handlers of the registry routes under /api/v1/models (contract: core/schema/registry.ts). */
import { registryRoutes } from '@runtrail/core/schema';
import { ApiError } from '../errors';
import type { ApiContext } from '../api/context';
import type { Handlers } from '../api/router';
import { decodeCursor, encodeCursor } from '../store/cursor';
import { requestActor } from './actor';
import { ModelRegistry } from './service';

type RegistryRoutes = keyof typeof registryRoutes;

function confirm(given: string, expected: string): void {
  if (given !== expected) {
    throw new ApiError(400, 'CONFIRMATION_REQUIRED', `permanent delete: pass confirm=${expected} to confirm`, 'query.confirm');
  }
}

/** Registry routes bound to `ctx`. */
export function registryHandlers(ctx: ApiContext): Pick<Handlers, RegistryRoutes> {
  const registry = new ModelRegistry(ctx);
  return {
    async createModel({ body, context }) {
      return context.json(await registry.createModel(body, requestActor(context)), 201);
    },
    async listModels({ query }) {
      const scope = { list: 'models', nameLike: query.nameLike ?? null };
      const offset = decodeCursor(query.cursor, scope, 'query.cursor');
      const rows = await registry.listModels(query.nameLike, query.pageSize + 1, offset);
      const more = rows.length > query.pageSize;
      return { models: rows.slice(0, query.pageSize), nextCursor: more ? encodeCursor(offset + query.pageSize, scope) : null };
    },
    async getModel({ params }) {
      return registry.getModel(params.modelName);
    },
    async updateModel({ params, body }) {
      return registry.updateModel(params.modelName, body);
    },
    async deleteModel({ params, query, context }) {
      await registry.getModel(params.modelName);
      confirm(query.confirm, params.modelName);
      await registry.deleteModel(params.modelName, requestActor(context));
      return { deleted: params.modelName };
    },
    async createModelVersion({ params, body, context }) {
      return context.json(await registry.createVersion(params.modelName, body, requestActor(context)), 201);
    },
    async listModelVersions({ params }) {
      await registry.getModel(params.modelName);
      return { versions: await registry.findVersions({ modelName: params.modelName, limit: 100_000, offset: 0 }) };
    },
    async getModelVersion({ params }) {
      return registry.getVersion(params.modelName, params.version);
    },
    async updateModelVersion({ params, body }) {
      return registry.updateVersion(params.modelName, params.version, body);
    },
    async transitionModelVersionStage({ params, body, context }) {
      return registry.transitionStage(params.modelName, params.version, body.stage, body.archiveExisting, requestActor(context));
    },
    async deleteModelVersion({ params, query, context }) {
      await registry.getVersion(params.modelName, params.version);
      confirm(query.confirm, `${params.modelName}/${params.version}`);
      await registry.deleteVersion(params.modelName, params.version, requestActor(context));
      return { deleted: `${params.modelName}/${params.version}` };
    },
    async modelVersionLineage({ params }) {
      return registry.lineage(params.modelName, params.version);
    },
    async setModelAlias({ params, body, context }) {
      return registry.setAlias(params.modelName, params.alias, body.version, requestActor(context));
    },
    async deleteModelAlias({ params, context }) {
      await registry.deleteAlias(params.modelName, params.alias, requestActor(context));
      return { deleted: `${params.modelName}@${params.alias}` };
    },
    async modelAudit({ params }) {
      return { entries: await registry.auditLog(params.modelName) };
    },
  };
}

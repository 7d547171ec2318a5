/** MLflow registered-model and model-version routes on runtrail's registry (backend/registry). */
import type { Context } from 'hono';
import { AliasName, ModelName, type ModelStage, type ModelVersion, type RegisteredModel } from '@runtrail/core/schema';
import type { ApiContext } from '../api/context';
import { requestActor } from '../registry/actor';
import type { ModelRegistry } from '../registry/service';
import { toMlflowModelVersion, toMlflowRegisteredModel } from './convert';
import { doesNotExist, invalidParameter } from './errors';
import type { MlflowHandlers } from './router';
import { registryFilter, tagsMatch } from './search';

type ModelRoutes =
  | 'createRegisteredModel' | 'getRegisteredModel' | 'searchRegisteredModels' | 'updateRegisteredModel'
  | 'deleteRegisteredModel' | 'setRegisteredModelTag' | 'deleteRegisteredModelTag' | 'getLatestVersions'
  | 'setRegisteredModelAlias' | 'deleteRegisteredModelAlias' | 'getModelVersionByAlias' | 'createModelVersion'
  | 'getModelVersion' | 'searchModelVersions' | 'updateModelVersion' | 'deleteModelVersion'
  | 'transitionModelVersionStage' | 'setModelVersionTag' | 'deleteModelVersionTag' | 'getModelVersionDownloadUri';

const STAGES: Record<string, ModelStage> = { none: 'None', staging: 'Staging', production: 'Production', archived: 'Archived' };

function stageOf(word: string): ModelStage {
  const stage = STAGES[word.toLowerCase()];
  if (!stage) throw invalidParameter(`Invalid Model Version stage: ${word}. Value must be one of None, Staging, Production, Archived.`);
  return stage;
}

function checked<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } }, value: unknown, field: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidParameter(`Invalid value '${String(value)}' for parameter '${field}': ${result.error.issues[0]!.message}`);
  return result.data;
}

/**
 * Resolves a version's `source` to a run and an artifact path: `runs:/<run>/<path>`, or an artifact URI of the
 * run (`mlflow-artifacts:/<experiment>/<run>/artifacts/<path>`, or its http(s) proxy form).
 */
export function sourceToRunPath(source: string, runId: string | undefined): { runId: string; path: string } {
  const runs = /^runs:\/([^/]+)(?:\/(.*))?$/.exec(source);
  if (runs) return { runId: runs[1]!, path: runs[2] ?? '' };
  const proxied = /(?:^mlflow-artifacts:\/{1,3}(?:[^/]*@?[^/]*\/)?|\/api\/2\.0\/mlflow-artifacts\/artifacts\/)([^/]+)\/([^/]+)\/artifacts(?:\/(.*))?$/.exec(source);
  if (proxied && (!runId || proxied[2] === runId)) return { runId: proxied[2]!, path: proxied[3] ?? '' };
  throw invalidParameter(
    `Invalid model version source '${source}': runtrail registers versions from run artifacts (runs:/<run_id>/<path> or the run's artifact URI)`,
  );
}

/** The registry routes of the MLflow API. */
export function mlflowModelHandlers(ctx: ApiContext, registry: ModelRegistry): Pick<MlflowHandlers, ModelRoutes> {
  const experimentOf = new Map<string, string | null>();
  async function version(v: ModelVersion) {
    if (!experimentOf.has(v.runId)) experimentOf.set(v.runId, (await ctx.store.getRun(v.runId))?.experimentId ?? null);
    return toMlflowModelVersion(v, experimentOf.get(v.runId) ?? null);
  }
  async function latestPerStage(name: string, stages: ModelStage[] = []) {
    const versions = await registry.findVersions({ modelName: name, limit: 100_000, offset: 0 });
    const latest = new Map<ModelStage, ModelVersion>();
    for (const v of versions) if (!latest.has(v.stage)) latest.set(v.stage, v);
    const picked = [...latest.values()].filter((v) => stages.length === 0 || stages.includes(v.stage));
    return Promise.all(picked.sort((a, b) => a.version - b.version).map(version));
  }
  async function model(m: RegisteredModel) {
    return toMlflowRegisteredModel(m, await latestPerStage(m.name));
  }
  const name = (value: string) => checked(ModelName, value, 'name');
  const alias = (value: string) => checked(AliasName, value, 'alias');
  const actor = (c: Context) => requestActor(c);
  const modelMissing = (n: string) => doesNotExist(`Registered Model with name=${n} not found`);
  async function getModel(n: string): Promise<RegisteredModel> {
    const found = await ctx.store.registry.getModel(n);
    if (!found) throw modelMissing(n);
    return found;
  }
  async function getVersion(n: string, v: number): Promise<ModelVersion> {
    await getModel(n);
    const found = await ctx.store.registry.getVersion(n, v);
    if (!found) throw doesNotExist(`Model Version (name=${n}, version=${v}) not found`);
    return registry.getVersion(n, v);
  }

  return {
    async createRegisteredModel(req, c) {
      const created = await registry.createModel({ name: name(req.name), description: req.description ?? '', tags: req.tags }, actor(c));
      return { registered_model: await model(created) };
    },
    async getRegisteredModel(req) {
      return { registered_model: await model(await getModel(req.name)) };
    },
    async searchRegisteredModels(req) {
      const filter = registryFilter(req.filter);
      if (filter.runId) throw invalidParameter("registered model search filters on 'name' only");
      const max = req.max_results ?? 100;
      if (max < 1 || max > 1000) throw invalidParameter(`Invalid value ${max} for parameter 'max_results': must be between 1 and 1000`);
      const offset = req.page_token ? Number(Buffer.from(req.page_token, 'base64url').toString('utf8')) : 0;
      if (!Number.isInteger(offset) || offset < 0) throw invalidParameter(`Invalid page token '${req.page_token}'`);
      const like = filter.name !== undefined ? filter.name.replace(/[%_\\]/g, '\\$&') : filter.nameLike;
      const rows = await registry.listModels(like, max + 1, offset);
      const next = rows.length > max ? Buffer.from(String(offset + max)).toString('base64url') : undefined;
      // Tag conditions apply within the page (a page may come back short; the token still moves on).
      const page = rows.slice(0, max).filter((m) => tagsMatch(m.tags, filter.tags));
      return { registered_models: await Promise.all(page.map(model)), ...(next ? { next_page_token: next } : {}) };
    },
    async updateRegisteredModel(req) {
      await getModel(req.name);
      const updated = await registry.updateModel(req.name, { ...(req.description !== undefined ? { description: req.description } : {}), setTags: [], deleteTags: [] });
      return { registered_model: await model(updated) };
    },
    async deleteRegisteredModel(req, c) {
      await getModel(req.name);
      await registry.deleteModel(req.name, actor(c));
      return {};
    },
    async setRegisteredModelTag(req) {
      await getModel(req.name);
      await registry.updateModel(req.name, { setTags: [{ key: req.key, value: req.value }], deleteTags: [] });
      return {};
    },
    async deleteRegisteredModelTag(req) {
      await getModel(req.name);
      await registry.updateModel(req.name, { setTags: [], deleteTags: [req.key] });
      return {};
    },
    async getLatestVersions(req) {
      await getModel(req.name);
      return { model_versions: await latestPerStage(req.name, req.stages.map(stageOf)) };
    },
    async setRegisteredModelAlias(req, c) {
      await getVersion(req.name, req.version);
      await registry.setAlias(req.name, alias(req.alias), req.version, actor(c));
      return {};
    },
    async deleteRegisteredModelAlias(req, c) {
      await getModel(req.name);
      const a = alias(req.alias);
      if (!(await getModel(req.name)).aliases.some((x) => x.alias === a)) {
        throw doesNotExist(`Registered model alias ${a} not found for model ${req.name}`);
      }
      await registry.deleteAlias(req.name, a, actor(c));
      return {};
    },
    async getModelVersionByAlias(req) {
      const m = await getModel(req.name);
      const target = m.aliases.find((a) => a.alias === req.alias);
      if (!target) throw doesNotExist(`Registered model alias ${req.alias} not found for model ${req.name}`);
      return { model_version: await version(await registry.getVersion(req.name, target.version)) };
    },
    async createModelVersion(req, c) {
      await getModel(req.name);
      const { runId, path } = sourceToRunPath(req.source, req.run_id);
      const created = await registry.createVersion(
        req.name,
        { runId, path, description: req.description ?? '', tags: req.tags },
        actor(c),
        { model: 'name', run: 'run_id', path: 'source' },
      );
      return { model_version: await version(created) };
    },
    async getModelVersion(req) {
      return { model_version: await version(await getVersion(req.name, req.version)) };
    },
    async searchModelVersions(req) {
      const filter = registryFilter(req.filter);
      if (filter.nameLike !== undefined) throw invalidParameter("model version search filters on name = '...' and run_id = '...'");
      const max = req.max_results ?? 10_000;
      if (max < 1 || max > 200_000) throw invalidParameter(`Invalid value ${max} for parameter 'max_results'`);
      const offset = req.page_token ? Number(Buffer.from(req.page_token, 'base64url').toString('utf8')) : 0;
      if (!Number.isInteger(offset) || offset < 0) throw invalidParameter(`Invalid page token '${req.page_token}'`);
      const rows = await registry.findVersions({ modelName: filter.name, runId: filter.runId, limit: max + 1, offset });
      const next = rows.length > max ? Buffer.from(String(offset + max)).toString('base64url') : undefined;
      const page = rows.slice(0, max).filter((v) => tagsMatch(v.tags, filter.tags));
      return { model_versions: await Promise.all(page.map(version)), ...(next ? { next_page_token: next } : {}) };
    },
    async updateModelVersion(req) {
      await getVersion(req.name, req.version);
      const updated = await registry.updateVersion(req.name, req.version, { ...(req.description !== undefined ? { description: req.description } : {}), setTags: [], deleteTags: [] });
      return { model_version: await version(updated) };
    },
    async deleteModelVersion(req, c) {
      await getVersion(req.name, req.version);
      await registry.deleteVersion(req.name, req.version, actor(c));
      return {};
    },
    async transitionModelVersionStage(req, c) {
      await getVersion(req.name, req.version);
      const updated = await registry.transitionStage(req.name, req.version, stageOf(req.stage), req.archive_existing_versions, actor(c));
      return { model_version: await version(updated) };
    },
    async setModelVersionTag(req) {
      await getVersion(req.name, req.version);
      await registry.updateVersion(req.name, req.version, { setTags: [{ key: req.key, value: req.value }], deleteTags: [] });
      return {};
    },
    async deleteModelVersionTag(req) {
      await getVersion(req.name, req.version);
      await registry.updateVersion(req.name, req.version, { setTags: [], deleteTags: [req.key] });
      return {};
    },
    async getModelVersionDownloadUri(req) {
      return { artifact_uri: (await version(await getVersion(req.name, req.version))).source };
    },
  };
}

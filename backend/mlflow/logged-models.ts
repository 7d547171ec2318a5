/**
 * MLflow 3 logged models. runtrail keeps a model's files with the run that produced it: a logged model's
 * artifact URI is `<run artifact URI>/<name>`, so `log_model` uploads land as ordinary run artifacts (visible in
 * both extensions, registrable as versions) and `runs:/<run>/<name>` resolves to them directly. The logged-model
 * record itself (status, params, tags) is kept in SQL next to the registry.
 */
import type { ApiContext } from '../api/context';
import type { LoggedModelRecord } from '../registry/port';
import { runArtifactUri } from './convert';
import { doesNotExist, invalidParameter } from './errors';
import type { MlflowHandlers } from './router';
import type { MlflowRuns } from './runs';

type LoggedModelRoutes =
  | 'createLoggedModel' | 'getLoggedModel' | 'finalizeLoggedModel' | 'deleteLoggedModel' | 'logLoggedModelParams'
  | 'setLoggedModelTags' | 'deleteLoggedModelTag' | 'searchLoggedModels' | 'logOutputs';

type KeyValue = { key: string; value: string };

function merge(list: KeyValue[], changes: KeyValue[]): KeyValue[] {
  const map = new Map(list.map((t) => [t.key, t.value]));
  for (const t of changes) map.set(t.key, t.value);
  return [...map].map(([key, value]) => ({ key, value }));
}

/** MLflow's LoggedModel JSON. */
function toMlflowLoggedModel(m: LoggedModelRecord) {
  return {
    info: {
      model_id: m.modelId,
      experiment_id: m.experimentId,
      name: m.name,
      creation_timestamp_ms: m.createdAt,
      last_updated_timestamp_ms: m.updatedAt,
      artifact_uri: `${runArtifactUri({ id: m.runId, experimentId: m.experimentId })}/${m.name}`,
      status: m.status,
      model_type: m.modelType,
      source_run_id: m.runId,
      tags: m.tags,
    },
    data: { params: m.params, metrics: [] },
  };
}

/** Parses the filters MLflow clients send for logged models: `name = '...'` and `source_run_id = '...'`. */
function loggedModelFilter(filter: string | undefined): { name?: string; runId?: string } {
  const out: { name?: string; runId?: string } = {};
  if (!filter?.trim()) return out;
  for (const part of filter.split(/\s+and\s+/i)) {
    const m = /^\s*(name|source_run_id)\s*=\s*'((?:[^'\\]|\\.)*)'\s*$/i.exec(part);
    if (!m) throw invalidParameter(`Unsupported logged model filter '${filter}': use name = '...' and source_run_id = '...'`);
    if (m[1]!.toLowerCase() === 'name') out.name = m[2]!;
    else out.runId = m[2]!;
  }
  return out;
}

/** The logged-model routes of the MLflow API. */
export function mlflowLoggedModelHandlers(ctx: ApiContext, runs: MlflowRuns): Pick<MlflowHandlers, LoggedModelRoutes> {
  const store = ctx.store.registry;
  async function get(modelId: string): Promise<LoggedModelRecord> {
    const found = await store.getLoggedModel(modelId);
    if (!found) throw doesNotExist(`Logged model with ID '${modelId}' not found`);
    return found;
  }
  async function update(modelId: string, change: (m: LoggedModelRecord) => LoggedModelRecord) {
    const next = { ...change(await get(modelId)), updatedAt: ctx.now() };
    await store.putLoggedModel(next);
    return next;
  }
  return {
    async createLoggedModel(req) {
      if (!req.source_run_id) {
        throw invalidParameter('runtrail keeps model files with the run that made them: log the model inside a run (source_run_id)');
      }
      const run = await runs.get(req.source_run_id);
      if (run.experimentId !== req.experiment_id) {
        throw invalidParameter(`Run ${run.id} belongs to experiment ${run.experimentId}, not ${req.experiment_id}`);
      }
      const id = `m-${ctx.newId().replace(/-/g, '')}`;
      const name = req.name ?? `model-${id.slice(-8)}`;
      if (name.split('/').some((p) => p === '..' || p === '.' || p === '')) throw invalidParameter(`Invalid logged model name '${name}'`);
      const now = ctx.now();
      const model: LoggedModelRecord = {
        modelId: id, experimentId: run.experimentId, runId: run.id, name, modelType: req.model_type ?? '',
        status: 'LOGGED_MODEL_PENDING', createdAt: now, updatedAt: now, params: merge([], req.params), tags: merge([], req.tags),
      };
      await store.putLoggedModel(model);
      return { model: toMlflowLoggedModel(model) };
    },
    async getLoggedModel(req) {
      return { model: toMlflowLoggedModel(await get(req.model_id)) };
    },
    async finalizeLoggedModel(req) {
      return { model: toMlflowLoggedModel(await update(req.model_id, (m) => ({ ...m, status: req.status }))) };
    },
    async deleteLoggedModel(req) {
      await get(req.model_id);
      await store.deleteLoggedModel(req.model_id);
      return {};
    },
    async logLoggedModelParams(req) {
      await update(req.model_id, (m) => ({ ...m, params: merge(m.params, req.params) }));
      return {};
    },
    async setLoggedModelTags(req) {
      await update(req.model_id, (m) => ({ ...m, tags: merge(m.tags, req.tags) }));
      return {};
    },
    async deleteLoggedModelTag(req) {
      await update(req.model_id, (m) => ({ ...m, tags: m.tags.filter((t) => t.key !== req.tag_key) }));
      return {};
    },
    async searchLoggedModels(req) {
      const filter = loggedModelFilter(req.filter);
      const max = req.max_results ?? 100;
      if (max < 1 || max > 1000) throw invalidParameter(`Invalid value ${max} for parameter 'max_results': must be between 1 and 1000`);
      const offset = req.page_token ? Number(Buffer.from(req.page_token, 'base64url').toString('utf8')) : 0;
      if (!Number.isInteger(offset) || offset < 0) throw invalidParameter(`Invalid page token '${req.page_token}'`);
      const rows = await store.findLoggedModels(req.experiment_ids, filter.name, max + 1, offset);
      const next = rows.length > max ? Buffer.from(String(offset + max)).toString('base64url') : undefined;
      const page = rows.slice(0, max).filter((m) => !filter.runId || m.runId === filter.runId);
      return { models: page.map(toMlflowLoggedModel), ...(next ? { next_page_token: next } : {}) };
    },
    async logOutputs(req) {
      await runs.get(req.run_id);
      for (const output of req.models) {
        const model = await get(output.model_id);
        if (model.runId !== req.run_id) throw invalidParameter(`Logged model ${model.modelId} was made by run ${model.runId}, not ${req.run_id}`);
      }
      return {};
    },
  };
}

/** MLflow experiment routes on runtrail's experiment docs (one Y.Doc per experiment, as every other write). */
import type { Experiment, Tag } from '@runtrail/core/schema';
import { readExperiment, writeExperiment } from '@runtrail/core/sync';
import type { ApiContext } from '../api/context';
import { toMlflowExperiment } from './convert';
import { alreadyExists, doesNotExist, invalidParameter } from './errors';
import type { MlflowHandlers } from './router';

/** MLflow clients assume experiment `0` ("Default") exists. */
export const DEFAULT_EXPERIMENT_ID = '0';
const DEFAULT_PROJECT = 'default';

type ExperimentRoutes =
  | 'createExperiment' | 'getExperiment' | 'getExperimentByName' | 'searchExperiments'
  | 'updateExperiment' | 'deleteExperiment' | 'restoreExperiment' | 'setExperimentTag';

/** Experiment lookups shared by the run routes. */
export interface ExperimentAccess {
  /** The experiment, creating the Default one (`0`) on first use; 404 otherwise. */
  get(id: string): Promise<Experiment>;
  /** Writes changed fields of an experiment into its doc. */
  write(experiment: Experiment): Promise<void>;
}

/** Experiment access bound to `ctx`. */
export function experimentAccess(ctx: ApiContext): ExperimentAccess {
  async function write(experiment: Experiment): Promise<void> {
    await ctx.docs.mutate(experiment.id, (doc) => writeExperiment(doc, experiment));
  }
  return {
    write,
    async get(id) {
      const found = await ctx.store.getExperiment(id);
      if (found) return found;
      if (id === DEFAULT_EXPERIMENT_ID) {
        return ctx.docs.mutate(id, (doc) => {
          const existing = readExperiment(doc);
          if (existing) return existing;
          const fresh: Experiment = {
            id, projectId: DEFAULT_PROJECT, name: 'Default', kind: 'named', notebookPath: null, lifecycle: 'active', createdAt: ctx.now(),
          };
          writeExperiment(doc, fresh);
          return fresh;
        });
      }
      throw doesNotExist(`No Experiment with id=${id} exists`);
    },
  };
}

async function allExperiments(ctx: ApiContext): Promise<Experiment[]> {
  const out: Experiment[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.store.listExperiments(1000, cursor);
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

function matchesFilter(e: Experiment, filter: string | undefined): boolean {
  if (!filter?.trim()) return true;
  return filter.split(/\s+and\s+/i).every((part) => {
    const m = /^\s*(name|attributes\.name|tags\.`?([\w.\-/ :]+)`?)\s*(=|!=|i?like)\s*'((?:[^'\\]|\\.)*)'\s*$/i.exec(part);
    if (!m) throw invalidParameter(`Unsupported experiment filter '${filter}': use name = '...', name LIKE '...' or tags.<key> = '...'`);
    const actual = m[2] ? e.tags?.find((t) => t.key === m[2])?.value : e.name;
    if (actual === undefined) return false;
    const op = m[3]!.toLowerCase();
    if (op === '=') return actual === m[4];
    if (op === '!=') return actual !== m[4];
    const pattern = new RegExp(`^${m[4]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.')}$`, op === 'ilike' ? 'is' : 's');
    return pattern.test(actual);
  });
}

function upsertTag(tags: Tag[] | undefined, tag: Tag): Tag[] {
  return [...(tags ?? []).filter((t) => t.key !== tag.key), tag];
}

/** The experiment routes of the MLflow API. */
export function mlflowExperimentHandlers(ctx: ApiContext, experiments: ExperimentAccess): Pick<MlflowHandlers, ExperimentRoutes> {
  // Name checks and the writes they guard run one at a time, so two concurrent creates cannot both pass.
  let naming: Promise<unknown> = Promise.resolve();
  function oneAtATime<T>(fn: () => Promise<T>): Promise<T> {
    const result = naming.then(fn, fn);
    naming = result.catch(() => undefined);
    return result;
  }
  async function uniqueName(name: string): Promise<void> {
    if (await ctx.store.findExperimentByName(name)) alreadyExistsError(name);
  }
  function alreadyExistsError(name: string): never {
    throw alreadyExists(`Experiment(name=${name}) already exists. Error: experiment names must be unique`);
  }
  return {
    createExperiment: (req) => oneAtATime(async () => {
      if (req.name === 'Default') await experiments.get(DEFAULT_EXPERIMENT_ID);
      await uniqueName(req.name);
      const experiment: Experiment = {
        id: ctx.newId(),
        projectId: DEFAULT_PROJECT,
        name: req.name,
        kind: 'named',
        notebookPath: null,
        lifecycle: 'active',
        createdAt: ctx.now(),
        ...(req.tags.length > 0 ? { tags: req.tags } : {}),
      };
      await experiments.write(experiment);
      return { experiment_id: experiment.id };
    }),

    async getExperiment(req) {
      return { experiment: toMlflowExperiment(await experiments.get(req.experiment_id)) };
    },

    async getExperimentByName(req) {
      if (req.experiment_name === 'Default') await experiments.get(DEFAULT_EXPERIMENT_ID);
      const found = await ctx.store.findExperimentByName(req.experiment_name);
      if (!found) throw doesNotExist(`Could not find experiment with name '${req.experiment_name}'`);
      return { experiment: toMlflowExperiment(found) };
    },

    async searchExperiments(req) {
      await experiments.get(DEFAULT_EXPERIMENT_ID);
      const max = req.max_results ?? 1000;
      if (max < 1 || max > 50_000) throw invalidParameter(`Invalid value ${max} for parameter 'max_results': must be between 1 and 50000`);
      const offset = req.page_token ? Number(Buffer.from(req.page_token, 'base64url').toString()) : 0;
      if (!Number.isInteger(offset) || offset < 0) throw invalidParameter(`Invalid page token '${req.page_token}'`);
      const view = req.view_type;
      let rows = (await allExperiments(ctx)).filter(
        (e) => (view === 'ALL' || (view === 'ACTIVE_ONLY') === (e.lifecycle === 'active')) && matchesFilter(e, req.filter),
      );
      const order = req.order_by[0] ?? 'creation_time DESC';
      const m = /^\s*(?:attributes\.)?(name|creation_time|last_update_time|experiment_id)(?:\s+(asc|desc))?\s*$/i.exec(order);
      if (!m) throw invalidParameter(`Invalid order_by clause '${order}'`);
      const key = m[1]!.toLowerCase();
      const sign = m[2]?.toLowerCase() === 'desc' ? -1 : 1;
      const value = (e: Experiment) => (key === 'name' ? e.name : key === 'experiment_id' ? e.id : e.createdAt);
      rows = rows.sort((a, b) => (value(a) < value(b) ? -sign : value(a) > value(b) ? sign : a.id < b.id ? 1 : -1));
      const page = rows.slice(offset, offset + max);
      const next = offset + max < rows.length ? Buffer.from(String(offset + max)).toString('base64url') : undefined;
      return { experiments: page.map(toMlflowExperiment), ...(next ? { next_page_token: next } : {}) };
    },

    updateExperiment: (req) => oneAtATime(async () => {
      const experiment = await experiments.get(req.experiment_id);
      if (experiment.name !== req.new_name) {
        await uniqueName(req.new_name);
        await experiments.write({ ...experiment, name: req.new_name });
      }
      return {};
    }),

    async deleteExperiment(req) {
      const experiment = await experiments.get(req.experiment_id);
      await experiments.write({ ...experiment, lifecycle: 'deleted' });
      return {};
    },

    async restoreExperiment(req) {
      const experiment = await experiments.get(req.experiment_id);
      if (experiment.lifecycle !== 'deleted') throw invalidParameter(`Cannot restore an active experiment (id=${experiment.id})`);
      await experiments.write({ ...experiment, lifecycle: 'active' });
      return {};
    },

    async setExperimentTag(req) {
      const experiment = await experiments.get(req.experiment_id);
      await experiments.write({ ...experiment, tags: upsertTag(experiment.tags, { key: req.key, value: req.value }) });
      return {};
    },
  };
}

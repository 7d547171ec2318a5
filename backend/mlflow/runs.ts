/**
 * MLflow run routes. Every write goes through the experiment's doc (`DocManager.mutate`), in one transaction
 * with its metric rows and search projection, so runs logged by MLflow clients show live in both extensions.
 */
import { createHash } from 'node:crypto';
import type * as Y from 'yjs';
import { LIMITS, type DataSnapshot, type Metric, type Param, type Run, type RunSource } from '@runtrail/core/schema';
import { createRedactor } from '@runtrail/core/capture';
import {
  attachSnapshots,
  createRun,
  deleteTags,
  finishRun,
  getRunMap,
  mergeMetricSummaries,
  readRun,
  renameRun,
  writeParams,
  writeTags,
} from '@runtrail/core/sync';
import type { ApiContext } from '../api/context';
import { encodeCursor } from '../store/cursor';
import type { StoreTx } from '../store/port';
import { LIFECYCLE_TAG, STATUS_FROM_MLFLOW, isDeleted, paramText, protoDouble, toMlflowRun, toMlflowRunInfo } from './convert';
import { doesNotExist, invalidParameter } from './errors';
import { DEFAULT_EXPERIMENT_ID, type ExperimentAccess } from './experiments';
import type { MlflowHandlers } from './router';
import { mlflowRunFilter, mlflowRunOrder } from './search';

type RunRoutes =
  | 'createRun' | 'getRun' | 'updateRun' | 'deleteRun' | 'restoreRun' | 'searchRuns' | 'logBatch' | 'logMetric'
  | 'logParam' | 'setTag' | 'deleteTag' | 'logInputs' | 'getMetricHistory';

/** MLflow's limit on metrics + params + tags in one log-batch. */
const MAX_ENTITIES_PER_BATCH = 1000;

/** A batch in runtrail's terms. */
interface Batch {
  metrics: Metric[];
  params: { key: string; value: string }[];
  tags: { key: string; value: string }[];
}

const runIdOf = (req: { run_id?: string | undefined; run_uuid?: string | undefined }) => (req.run_id ?? req.run_uuid)!;

/** Run access and writes shared by the MLflow run and artifact routes. */
export class MlflowRuns {
  private readonly redactor = createRedactor();
  /** Experiment of recently written runs (it never changes), so a write need not read the run's record first. */
  private readonly experimentOf = new Map<string, string>();

  constructor(private readonly ctx: ApiContext) {}

  /** The run, or MLflow's 404. */
  async get(runId: string): Promise<Run> {
    const run = await this.ctx.store.getRun(runId);
    if (!run) throw doesNotExist(`Run with id=${runId} not found`);
    return run;
  }

  /** Runs `fn` on the run's map in its experiment doc; `active` refuses deleted runs as MLflow does. */
  async mutate<T>(runId: string, fn: (run: Y.Map<unknown>, tx: StoreTx, doc: Y.Doc) => Promise<T> | T, active = true): Promise<T> {
    let experimentId = this.experimentOf.get(runId);
    if (experimentId === undefined || !(await this.ctx.docs.read(experimentId, (doc) => getRunMap(doc, runId) !== undefined))) {
      experimentId = (await this.get(runId)).experimentId;
      this.remember(runId, experimentId);
    }
    if (active) {
      const deleted = await this.ctx.docs.read(experimentId, (doc) => lifecycleTag(getRunMap(doc, runId)) === 'deleted');
      if (deleted) throw invalidParameter(`The run ${runId} must be in the 'active' state. Current state is deleted.`);
    }
    return this.ctx.docs.mutate(experimentId, (doc, tx) => {
      const map = getRunMap(doc, runId);
      if (!map) throw doesNotExist(`Run with id=${runId} not found`);
      return fn(map, tx, doc);
    });
  }

  /** Notes the experiment of a run just created or read, so writes to it go straight to its doc. */
  remember(runId: string, experimentId: string): void {
    if (this.experimentOf.size >= EXPERIMENT_CACHE_SIZE) this.experimentOf.delete(this.experimentOf.keys().next().value!);
    this.experimentOf.set(runId, experimentId);
  }

  /** Logs a batch with MLflow's rules: params are immutable, limits per batch, one transaction. */
  async logBatch(runId: string, batch: Batch): Promise<void> {
    const total = batch.metrics.length + batch.params.length + batch.tags.length;
    if (total > MAX_ENTITIES_PER_BATCH) {
      throw invalidParameter(`A batch logging request can contain at most ${MAX_ENTITIES_PER_BATCH} metrics, params and tags in total; got ${total}`);
    }
    const runName = batch.tags.findLast((t) => t.key === 'mlflow.runName')?.value;
    if (runName !== undefined && runName.length > LIMITS.maxNameLength) {
      throw invalidParameter(`Run name (tag mlflow.runName) must be at most ${LIMITS.maxNameLength} characters`);
    }
    const params = batch.params
      .map((p) => this.redactor.redactParam({ key: p.key, value: p.value, origin: 'mlflow' }))
      .filter((p): p is Param => p !== null);
    await this.mutate(runId, async (run, tx, doc) => {
      const seen = new Map<string, string>();
      for (const p of params) {
        const before = storedParam(run, p.key);
        const old = before ? paramText(before) : seen.get(p.key);
        if (old !== undefined && old !== p.value) {
          throw invalidParameter(
            `Changing param values is not allowed. Param with key='${p.key}' was already logged with value='${old}' for run ID='${runId}'. Attempted logging new value '${String(p.value)}'.`,
          );
        }
        seen.set(p.key, String(p.value));
      }
      const inserted = await tx.insertMetrics(runId, batch.metrics);
      doc.transact(() => {
        writeParams(run, params);
        writeTags(run, batch.tags);
        if (runName !== undefined) renameRun(run, runName);
        mergeMetricSummaries(run, inserted);
      });
    });
  }
}

/** Runs whose experiment `MlflowRuns` remembers. */
const EXPERIMENT_CACHE_SIZE = 10_000;

/** One stored param of a run's map, without reading the others (a run may hold thousands). */
function storedParam(run: Y.Map<unknown>, key: string): Param | undefined {
  const value = (run.get('params') as Y.Map<Omit<Param, 'key'>> | undefined)?.get(key);
  return value ? { key, ...value } : undefined;
}

/** The value of a run map's MLflow lifecycle tag (undefined for a missing run or tag). */
function lifecycleTag(run: Y.Map<unknown> | undefined): string | undefined {
  return (run?.get('tags') as Y.Map<string> | undefined)?.get(LIFECYCLE_TAG);
}

function sourceOf(tags: { key: string; value: string }[]): RunSource {
  const name = tags.find((t) => t.key === 'mlflow.source.name')?.value;
  return name ? { kind: 'script', path: name.slice(0, 4096) } : { kind: 'api' };
}

/** The run routes of the MLflow API. */
export function mlflowRunHandlers(ctx: ApiContext, experiments: ExperimentAccess, runs: MlflowRuns): Pick<MlflowHandlers, RunRoutes> {
  return {
    async createRun(req) {
      const experiment = await experiments.get(req.experiment_id ?? DEFAULT_EXPERIMENT_ID);
      if (experiment.lifecycle !== 'active') {
        throw invalidParameter(`The experiment ${experiment.id} must be in the 'active' state. Current state is ${experiment.lifecycle}.`);
      }
      const id = ctx.newId().replace(/-/g, '');
      const name = req.run_name || req.tags.findLast((t) => t.key === 'mlflow.runName')?.value || `run-${id.slice(-8)}`;
      if (name.length > LIMITS.maxNameLength) throw invalidParameter(`Run name must be at most ${LIMITS.maxNameLength} characters`);
      const tags = req.tags.filter((t) => t.key !== 'mlflow.runName' && t.key !== LIFECYCLE_TAG);
      tags.push({ key: 'mlflow.runName', value: name });
      if (req.user_id && !tags.some((t) => t.key === 'mlflow.user')) tags.push({ key: 'mlflow.user', value: req.user_id });
      // Nested runs: MLflow names the parent in a tag; runtrail keeps it as the run's parent (pipelines use it too).
      const parentTag = tags.find((t) => t.key === 'mlflow.parentRunId')?.value;
      const parentRunId = parentTag && (await ctx.store.getRun(parentTag)) ? parentTag : null;
      const run = await ctx.docs.mutate(experiment.id, (doc) => {
        doc.transact(() => {
          createRun(doc, {
            id,
            experimentId: experiment.id,
            name,
            startTime: req.start_time ?? ctx.now(),
            source: sourceOf(tags),
            parentRunId,
            environment: null,
          });
          writeTags(getRunMap(doc, id)!, tags);
        });
        return readRun(getRunMap(doc, id)!);
      });
      runs.remember(id, experiment.id);
      return { run: toMlflowRun(run) };
    },

    async getRun(req) {
      return { run: toMlflowRun(await runs.get(runIdOf(req))) };
    },

    async updateRun(req) {
      const runId = runIdOf(req);
      const run = await runs.mutate(runId, (map, _tx, doc) => {
        doc.transact(() => {
          if (req.run_name) {
            renameRun(map, req.run_name);
            writeTags(map, [{ key: 'mlflow.runName', value: req.run_name }]);
          }
          const status = req.status ? STATUS_FROM_MLFLOW[req.status]! : undefined;
          if (status && status !== 'running') finishRun(map, status, req.end_time ?? ctx.now());
        });
        return readRun(map);
      });
      return { run_info: toMlflowRunInfo(run) };
    },

    async deleteRun(req) {
      await runs.mutate(req.run_id, (map, _tx, doc) => doc.transact(() => writeTags(map, [{ key: LIFECYCLE_TAG, value: 'deleted' }])), false);
      return {};
    },

    async restoreRun(req) {
      await runs.mutate(req.run_id, (map, _tx, doc) => doc.transact(() => deleteTags(map, [LIFECYCLE_TAG])), false);
      return {};
    },

    async searchRuns(req) {
      const max = req.max_results ?? 1000;
      if (max < 1 || max > 50_000) throw invalidParameter(`Invalid value ${max} for parameter 'max_results' supplied: must be between 1 and 50000`);
      const query = {
        experimentIds: req.experiment_ids,
        filter: mlflowRunFilter(req.filter),
        orderBy: mlflowRunOrder(req.order_by),
        pageSize: Math.min(max, 1000),
      };
      let offset = 0;
      if (req.page_token) {
        offset = Number(Buffer.from(req.page_token, 'base64url').toString('utf8'));
        if (!Number.isInteger(offset) || offset < 0) throw invalidParameter(`Invalid page token '${req.page_token}'`);
      }
      // Deleted runs are hidden (or shown alone) by the view type: filter them here, paging through the store.
      const wanted = (run: Run) => req.run_view_type === 'ALL' || (req.run_view_type === 'DELETED_ONLY') === isDeleted(run);
      const out: Run[] = [];
      let more = true;
      while (out.length < max && more) {
        // The store's cursors are offsets bound to the query; this one is issued for exactly that query.
        const page = await ctx.store.searchRuns({ ...query, cursor: offset > 0 ? encodeCursor(offset, query) : null });
        more = page.nextCursor !== null;
        let consumed = 0;
        for (const run of page.items) {
          if (out.length >= max) break;
          consumed++;
          if (wanted(run)) out.push(run);
        }
        offset += consumed;
        if (consumed < page.items.length) more = true;
      }
      const next = more ? Buffer.from(String(offset)).toString('base64url') : undefined;
      return { runs: out.map(toMlflowRun), ...(next ? { next_page_token: next } : {}) };
    },

    async logBatch(req) {
      await runs.logBatch(req.run_id, req);
      return {};
    },

    async logMetric(req) {
      await runs.logBatch(runIdOf(req), { metrics: [{ key: req.key, value: req.value, step: req.step, timestamp: req.timestamp }], params: [], tags: [] });
      return {};
    },

    async logParam(req) {
      await runs.logBatch(runIdOf(req), { metrics: [], params: [{ key: req.key, value: req.value }], tags: [] });
      return {};
    },

    async setTag(req) {
      await runs.logBatch(runIdOf(req), { metrics: [], params: [], tags: [{ key: req.key, value: req.value }] });
      return {};
    },

    async deleteTag(req) {
      await runs.mutate(req.run_id, (map, _tx, doc) => {
        let removed = 0;
        doc.transact(() => (removed = deleteTags(map, [req.key])));
        if (removed === 0) throw doesNotExist(`No tag with name: ${req.key} in run with id ${req.run_id}`);
      });
      return {};
    },

    async logInputs(req) {
      const snapshots: DataSnapshot[] = req.datasets.map(({ dataset, tags }) => ({
        // The same dataset logged again (same name and digest) is the same snapshot: attaching it is idempotent.
        id: `ds-${createHash('sha256').update(`${dataset.name}\u0000${dataset.digest}`).digest('hex').slice(0, 40)}`,
        name: dataset.name,
        kind: 'dataset',
        fingerprint: dataset.digest.padEnd(8, '0'),
        sampled: false,
        shape: profileRows(dataset.profile),
        columns: [],
        capturedAt: ctx.now(),
        dataset: {
          digest: dataset.digest,
          sourceType: dataset.source_type,
          source: dataset.source,
          ...(dataset.schema !== undefined ? { schema: dataset.schema } : {}),
          ...(dataset.profile !== undefined ? { profile: dataset.profile } : {}),
          tags,
        },
      }));
      await runs.mutate(req.run_id, (map, _tx, doc) => doc.transact(() => attachSnapshots(map, snapshots)));
      return {};
    },

    async getMetricHistory(req) {
      const runId = runIdOf(req);
      await runs.get(runId);
      const points = await ctx.store.metricHistory(runId, req.metric_key);
      const offset = req.page_token ? Number(Buffer.from(req.page_token, 'base64url').toString('utf8')) : 0;
      if (!Number.isInteger(offset) || offset < 0) throw invalidParameter(`Invalid page token '${req.page_token}'`);
      const max = req.max_results ?? points.length;
      const page = points.slice(offset, offset + max);
      const next = offset + max < points.length ? Buffer.from(String(offset + max)).toString('base64url') : undefined;
      return {
        metrics: page.map((p) => ({ key: req.metric_key, value: protoDouble(p.value), timestamp: p.timestamp, step: p.step })),
        ...(next ? { next_page_token: next } : {}),
      };
    },
  };
}

function profileRows(profile: string | undefined): number[] {
  if (!profile) return [];
  try {
    const rows = (JSON.parse(profile) as { num_rows?: unknown }).num_rows;
    return typeof rows === 'number' && Number.isInteger(rows) && rows >= 0 ? [rows] : [];
  } catch {
    return [];
  }
}

/** Handlers of the run routes: create, append cells, log batch, finish, attach, get, search, history. */
import type * as Y from 'yjs';
import type { Param, Run } from '@runtrail/core/schema';
import {
  appendCellExecutions,
  attachArtifacts,
  attachSnapshots,
  createRun,
  finishRun,
  getRunMap,
  mergeMetricSummaries,
  readCellExecutions,
  readParams,
  readRun,
  writeParams,
  writeTags,
} from '@runtrail/core/sync';
import { createRedactor, redactCellExecution } from '@runtrail/core/capture';
import { ApiError, notFound } from '../errors';
import type { StoreTx } from '../store/port';
import type { ApiContext } from './context';
import type { Handlers } from './router';

type RunRoutes =
  | 'createRun' | 'getRun' | 'appendCells' | 'listCells' | 'logBatch' | 'finishRun'
  | 'attachSnapshots' | 'attachArtifacts' | 'searchRuns' | 'metricHistory';

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Origins whose values follow the notebook: the last captured value wins (see docs/decisions/0005). */
const CAPTURED_ORIGINS = new Set<Param['origin']>(['parameters-cell', 'literal-assignment']);

/**
 * Params logged explicitly (API, `runtrail.log_param`, MLflow) are immutable once logged, as in MLflow: a
 * different value for such a key is rejected before anything is written. Captured params may change.
 */
function checkParams(existing: Map<string, Param>, params: Param[]): void {
  const inBatch = new Map<string, Param>();
  params.forEach((p, i) => {
    const before = existing.get(p.key) ?? inBatch.get(p.key);
    const captured = CAPTURED_ORIGINS.has(p.origin) && (!before || CAPTURED_ORIGINS.has(before.origin));
    if (before && !captured && !sameJson(before.value, p.value)) {
      throw new ApiError(
        400,
        'INVALID_PARAMETER_VALUE',
        `param '${p.key}' was already logged as ${JSON.stringify(before.value)}; params cannot change within a run`,
        `body.params.${i}.value`,
      );
    }
    inBatch.set(p.key, p);
  });
}

/** Run routes bound to `ctx`. */
export function runHandlers(ctx: ApiContext): Pick<Handlers, RunRoutes> {
  // Clients redact before sending; the server redacts again so no client can store a secret param.
  const redactor = createRedactor();
  async function locate(runId: string): Promise<Run> {
    const run = await ctx.store.getRun(runId);
    if (!run) throw notFound('run', runId, 'params.runId');
    return run;
  }

  /**
   * Runs `fn` on the run's map inside its experiment doc, in one transaction with the SQL writes of `fn`.
   * Doc writes go inside `transact` so they make one Y.Doc update.
   */
  async function mutateRun<T>(
    runId: string,
    fn: (run: Y.Map<unknown>, tx: StoreTx, transact: <R>(write: () => R) => R) => Promise<T> | T,
  ): Promise<T> {
    const { experimentId } = await locate(runId);
    return ctx.docs.mutate(experimentId, (doc, tx) => {
      const map = getRunMap(doc, runId);
      if (!map) throw notFound('run', runId, 'params.runId');
      return fn(map, tx, <R>(write: () => R): R => {
        let result!: R;
        doc.transact(() => (result = write()));
        return result;
      });
    });
  }

  async function requireBlob(sha256: string, path: string): Promise<void> {
    if (!(await ctx.blobs.stat(sha256))) {
      throw new ApiError(409, 'BLOB_MISSING', `blob ${sha256} has not been uploaded; PUT it to /api/v1/blobs/${sha256} first`, path);
    }
  }

  return {
    async createRun({ body, context }) {
      const experiment = await ctx.store.getExperiment(body.experimentId);
      if (!experiment) throw notFound('experiment', body.experimentId, 'body.experimentId');
      const other = await ctx.store.getRun(body.id);
      if (other && other.experimentId !== body.experimentId) {
        throw new ApiError(409, 'RESOURCE_ALREADY_EXISTS', `run '${body.id}' exists in another experiment`, 'body.id');
      }
      if (body.parentRunId && !(await ctx.store.getRun(body.parentRunId))) {
        throw notFound('run', body.parentRunId, 'body.parentRunId');
      }
      const { run, created } = await ctx.docs.mutate(body.experimentId, (doc) => {
        let created = false;
        doc.transact(() => {
          created = createRun(doc, {
            id: body.id,
            experimentId: body.experimentId,
            name: body.name,
            startTime: body.startTime ?? ctx.now(),
            source: body.source,
            parentRunId: body.parentRunId,
            environment: body.environment,
          });
          if (created) writeTags(getRunMap(doc, body.id)!, body.tags);
        });
        return { run: readRun(getRunMap(doc, body.id)!), created };
      });
      return context.json(run, created ? 201 : 200);
    },

    async getRun({ params }) {
      return locate(params.runId);
    },

    async appendCells({ params, body }) {
      const executions = body.executions.map((e) => redactCellExecution(e, redactor));
      const accepted = await mutateRun(params.runId, (run, _tx, transact) => transact(() => appendCellExecutions(run, executions)));
      return { accepted, duplicates: body.executions.length - accepted };
    },

    async listCells({ params }) {
      const { experimentId } = await locate(params.runId);
      const executions = await ctx.docs.read(experimentId, (doc) => {
        const map = getRunMap(doc, params.runId);
        return map ? readCellExecutions(map) : [];
      });
      return { executions };
    },

    async logBatch({ params, body }) {
      const redacted = body.params.map((p) => redactor.redactParam(p)).filter((p): p is Param => p !== null);
      return mutateRun(params.runId, async (run, tx, transact) => {
        checkParams(readParams(run), redacted);
        const inserted = await tx.insertMetrics(params.runId, body.metrics);
        const newParams = transact(() => {
          writeTags(run, body.tags);
          mergeMetricSummaries(run, inserted);
          return writeParams(run, redacted);
        });
        const duplicates = body.metrics.length - inserted.length + (redacted.length - newParams);
        return { accepted: body.metrics.length + redacted.length + body.tags.length - duplicates, duplicates };
      });
    },

    async finishRun({ params, body }) {
      return mutateRun(params.runId, (run, _tx, transact) => {
        transact(() => finishRun(run, body.status, body.endTime ?? ctx.now()));
        return readRun(run);
      });
    },

    async attachSnapshots({ params, body }) {
      for (const [i, s] of body.snapshots.entries()) if (s.blob) await requireBlob(s.blob.sha256, `body.snapshots.${i}.blob.sha256`);
      const accepted = await mutateRun(params.runId, (run, _tx, transact) => transact(() => attachSnapshots(run, body.snapshots)));
      return { accepted, duplicates: body.snapshots.length - accepted };
    },

    async attachArtifacts({ params, body }) {
      for (const [i, a] of body.artifacts.entries()) {
        if (a.blob.sha256 !== a.sha256) {
          throw new ApiError(400, 'INVALID_PARAMETER_VALUE', 'artifact sha256 must equal its blob sha256', `body.artifacts.${i}.blob.sha256`);
        }
        await requireBlob(a.sha256, `body.artifacts.${i}.sha256`);
      }
      const accepted = await mutateRun(params.runId, (run, _tx, transact) => transact(() => attachArtifacts(run, body.artifacts)));
      return { accepted, duplicates: body.artifacts.length - accepted };
    },

    async searchRuns({ body }) {
      const page = await ctx.store.searchRuns(body);
      return { runs: page.items, nextCursor: page.nextCursor };
    },

    async metricHistory({ params, query }) {
      await locate(params.runId);
      return { key: query.key, points: await ctx.store.metricHistory(params.runId, query.key) };
    },
  };
}

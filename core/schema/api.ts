/**
 * The REST contract of `/api/v1`: every request and response body, and the route table that both the
 * backend (validation, OpenAPI) and the typed client are generated from.
 */
import { z } from 'zod';
import {
  Artifact,
  CellExecution,
  DataSnapshot,
  Environment,
  Experiment,
  Metric,
  Param,
  Run,
  RunSource,
  RunStatus,
} from './records';
import { EntityId, Key, LIMITS, Name, Sha256, Tag, Timestamp } from './primitives';
import { registryRoutes } from './registry';
import type { RouteSpec } from './route';

export type { RouteSpec } from './route';

/** The body of every 4xx answer: which rule was broken and where. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    path: z.string(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Answer of the health probe. */
export const Health = z.object({ status: z.literal('ok'), version: z.string() });

/** Create an experiment; an existing id is returned unchanged (idempotent retry). */
export const CreateExperimentRequest = z.strictObject({
  id: EntityId.optional(),
  name: Name,
  projectId: EntityId.optional(),
  kind: z.enum(['notebook', 'named']).default('named'),
  notebookPath: z.string().max(4096).nullable().default(null),
});
export type CreateExperimentRequest = z.input<typeof CreateExperimentRequest>;

/** A page of experiments. */
export const ExperimentList = z.object({ experiments: z.array(Experiment), nextCursor: z.string().nullable() });

/** Query of list endpoints. */
export const PageQuery = z.strictObject({
  pageSize: z.coerce.number().int().min(1).max(LIMITS.maxPageSize).default(100),
  cursor: z.string().max(1024).optional(),
});

/** Start a run; the client picks the id so that a retried create never makes two runs. */
export const CreateRunRequest = z.strictObject({
  id: EntityId,
  experimentId: EntityId,
  name: z.string().max(LIMITS.maxNameLength).default(''),
  startTime: Timestamp.optional(),
  source: RunSource.default({ kind: 'api' }),
  parentRunId: EntityId.nullable().default(null),
  tags: z.array(Tag).max(LIMITS.maxTagsPerBatch).default([]),
  environment: Environment.nullable().default(null),
});
export type CreateRunRequest = z.input<typeof CreateRunRequest>;

/** Append cell executions to a run; executions already stored (same id) are ignored. */
export const AppendCellsRequest = z.strictObject({
  executions: z.array(CellExecution).min(1).max(LIMITS.maxCellsPerBatch),
});
export type AppendCellsRequest = z.input<typeof AppendCellsRequest>;

/** Log params, metric points and tags in one transaction. */
export const LogBatchRequest = z.strictObject({
  params: z.array(Param).max(LIMITS.maxParamsPerBatch, `at most ${LIMITS.maxParamsPerBatch} params per batch`).default([]),
  metrics: z
    .array(Metric)
    .max(LIMITS.maxMetricsPerBatch, `at most ${LIMITS.maxMetricsPerBatch} metrics per batch`)
    .default([]),
  tags: z.array(Tag).max(LIMITS.maxTagsPerBatch, `at most ${LIMITS.maxTagsPerBatch} tags per batch`).default([]),
});
export type LogBatchRequest = z.input<typeof LogBatchRequest>;

/** End a run. */
export const FinishRunRequest = z.strictObject({
  status: RunStatus.exclude(['running']).default('finished'),
  endTime: Timestamp.optional(),
});
export type FinishRunRequest = z.input<typeof FinishRunRequest>;

/** Attach data snapshots to a run. */
export const AttachSnapshotsRequest = z.strictObject({ snapshots: z.array(DataSnapshot).min(1).max(1000) });
export type AttachSnapshotsRequest = z.input<typeof AttachSnapshotsRequest>;

/** Attach artifacts (already uploaded as blobs) to a run. */
export const AttachArtifactsRequest = z.strictObject({ artifacts: z.array(Artifact).min(1).max(1000) });
export type AttachArtifactsRequest = z.input<typeof AttachArtifactsRequest>;

/** Fields runs can be filtered and sorted on: `params.<key>`, `metrics.<key>`, `tags.<key>`, `attributes.<name>`. */
export const RunField = z
  .string()
  .max(LIMITS.maxKeyLength + 12)
  .regex(
    /^(params|metrics|tags)\.[\w\-. /:]+$|^attributes\.(name|status|startTime|endTime|experimentId)$/,
    'must be params.<key>, metrics.<key>, tags.<key> or attributes.(name|status|startTime|endTime|experimentId)',
  );

/** One condition of a run search. */
export const FilterClause = z.strictObject({
  field: RunField,
  op: z.enum(['=', '!=', '<', '<=', '>', '>=', 'like', 'in']),
  value: z.union([z.string().max(6000), z.number(), z.array(z.union([z.string(), z.number()])).max(100)]),
});
export type FilterClause = z.infer<typeof FilterClause>;

/** Search runs: all clauses must hold; results sorted, paginated by an opaque cursor. */
export const SearchRunsRequest = z.strictObject({
  experimentIds: z.array(EntityId).max(100).default([]),
  filter: z.array(FilterClause).max(20).default([]),
  orderBy: z
    .array(z.strictObject({ field: RunField, direction: z.enum(['asc', 'desc']).default('desc') }))
    .max(3)
    .default([]),
  pageSize: z.number().int().min(1).max(LIMITS.maxPageSize).default(100),
  cursor: z.string().max(2048).nullable().default(null),
});
export type SearchRunsRequest = z.input<typeof SearchRunsRequest>;

/** A page of runs. */
export const RunPage = z.object({ runs: z.array(Run), nextCursor: z.string().nullable() });
export type RunPage = z.infer<typeof RunPage>;

/** Query of the metric-history endpoint. */
export const MetricHistoryQuery = z.strictObject({ key: Key });

/** One metric series. */
export const MetricHistory = z.object({
  key: z.string(),
  points: z.array(z.object({ step: z.number(), value: z.number().nullable(), timestamp: z.number() })),
});

/** Acknowledgement of a write: what was stored now versus already present. */
export const WriteAck = z.object({ accepted: z.number().int(), duplicates: z.number().int() });

/** Acknowledgement of a blob upload. */
export const BlobAck = z.object({ sha256: Sha256, size: z.number().int(), created: z.boolean() });

/** Path parameter holding a run id. */
export const RunIdParams = z.strictObject({ runId: EntityId });
/** Path parameter holding an experiment id. */
export const ExperimentIdParams = z.strictObject({ experimentId: EntityId });
/** Path parameter holding a blob address. */
export const BlobParams = z.strictObject({ sha256: Sha256 });

/** Every route of `/api/v1`. The OpenAPI document and the client are derived from this table. */
export const routes = {
  health: { method: 'get', path: '/api/v1/health', summary: 'Liveness probe', auth: false, response: Health, status: 200 },
  createExperiment: {
    method: 'post', path: '/api/v1/experiments', summary: 'Create an experiment (idempotent by id)', auth: true,
    body: CreateExperimentRequest, response: Experiment, status: 201,
  },
  listExperiments: {
    method: 'get', path: '/api/v1/experiments', summary: 'List experiments', auth: true,
    query: PageQuery, response: ExperimentList, status: 200,
  },
  getExperiment: {
    method: 'get', path: '/api/v1/experiments/:experimentId', summary: 'Get an experiment', auth: true,
    params: ExperimentIdParams, response: Experiment, status: 200,
  },
  createRun: {
    method: 'post', path: '/api/v1/runs', summary: 'Start a run (idempotent by id)', auth: true,
    body: CreateRunRequest, response: Run, status: 201,
  },
  getRun: {
    method: 'get', path: '/api/v1/runs/:runId', summary: 'Get a run', auth: true,
    params: RunIdParams, response: Run, status: 200,
  },
  appendCells: {
    method: 'post', path: '/api/v1/runs/:runId/cells', summary: 'Append cell executions', auth: true,
    params: RunIdParams, body: AppendCellsRequest, response: WriteAck, status: 200,
  },
  listCells: {
    method: 'get', path: '/api/v1/runs/:runId/cells', summary: 'Cell executions of a run, in order', auth: true,
    params: RunIdParams, response: z.object({ executions: z.array(CellExecution) }), status: 200,
  },
  logBatch: {
    method: 'post', path: '/api/v1/runs/:runId/log-batch', summary: 'Log params, metrics and tags atomically',
    auth: true, params: RunIdParams, body: LogBatchRequest, response: WriteAck, status: 200,
  },
  finishRun: {
    method: 'post', path: '/api/v1/runs/:runId/finish', summary: 'End a run', auth: true,
    params: RunIdParams, body: FinishRunRequest, response: Run, status: 200,
  },
  attachSnapshots: {
    method: 'post', path: '/api/v1/runs/:runId/snapshots', summary: 'Attach data snapshots', auth: true,
    params: RunIdParams, body: AttachSnapshotsRequest, response: WriteAck, status: 200,
  },
  attachArtifacts: {
    method: 'post', path: '/api/v1/runs/:runId/artifacts', summary: 'Attach artifacts (blobs must exist)',
    auth: true, params: RunIdParams, body: AttachArtifactsRequest, response: WriteAck, status: 200,
  },
  searchRuns: {
    method: 'post', path: '/api/v1/runs/search', summary: 'Search runs: filter, sort, paginate', auth: true,
    body: SearchRunsRequest, response: RunPage, status: 200,
  },
  metricHistory: {
    method: 'get', path: '/api/v1/runs/:runId/metric-history', summary: 'Full series of one metric', auth: true,
    params: RunIdParams, query: MetricHistoryQuery, response: MetricHistory, status: 200,
  },
  putBlob: {
    method: 'put', path: '/api/v1/blobs/:sha256', summary: 'Upload a blob; its sha256 is verified', auth: true,
    params: BlobParams, bodyKind: 'binary', response: BlobAck, status: 201,
  },
  getBlob: {
    method: 'get', path: '/api/v1/blobs/:sha256', summary: 'Download a blob', auth: true,
    params: BlobParams, response: 'binary', status: 200,
  },
  headBlob: {
    method: 'head', path: '/api/v1/blobs/:sha256', summary: 'Does a blob exist', auth: true,
    params: BlobParams, response: 'none', status: 200,
  },
  ...registryRoutes,
} as const satisfies Record<string, RouteSpec>;

/** Name of a route in the table. */
export type RouteName = keyof typeof routes;

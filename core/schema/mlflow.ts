/**
 * The MLflow-compatible REST contract (`/api/2.0/mlflow/...`): request schemas in MLflow's JSON shapes
 * (snake_case, int64 as number or numeric string, as MLflow's protobuf JSON allows) and the route table the
 * backend mounts and the OpenAPI document lists. Unknown fields are ignored, as MLflow's server does.
 */
import { z } from 'zod';
import { KEY_PATTERN, Key, LIMITS } from './primitives';

/** An int64 as MLflow clients send it: a JSON number or a decimal string. */
export const MlflowInt64 = z.union([
  z.number().int('must be an integer'),
  z.string().regex(/^-?\d{1,19}$/, 'must be an integer').transform(Number),
]).refine(Number.isSafeInteger, 'is out of range');

/** A boolean that may arrive as a query-string word. */
const MlflowBool = z.union([z.boolean(), z.enum(['true', 'false', 'True', 'False']).transform((v) => v.toLowerCase() === 'true')]);

const Id = z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters');
/** Metric, param and tag keys: MLflow's character set and length (the same rule as runtrail's keys). */
const MlflowKey = Key;
const Str = (max: number) => z.string().max(max, `must be at most ${max} characters`);
/** One value or a list (query strings repeat keys for lists). */
const List = <T extends z.ZodType>(item: T, max: number) =>
  z.union([z.array(item).max(max, `at most ${max} items`), item.transform((v) => [v])]).default([]);

/** A tag in MLflow's shape. */
export const MlflowTag = z.object({ key: MlflowKey, value: Str(LIMITS.maxTagValueLength).default('') });
/** A model registry tag (MLflow allows longer values there). */
export const MlflowRegistryTag = z.object({ key: MlflowKey, value: Str(100_000).default('') });
/** A metric point in MLflow's shape. */
export const MlflowMetric = z.object({
  key: MlflowKey,
  value: z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity']).transform(Number)]),
  timestamp: MlflowInt64.refine((t) => t >= 0, 'must be a non-negative time in ms'),
  step: MlflowInt64.refine((s) => s >= 0, 'must be non-negative (runtrail keys series by step >= 0)').default(0),
});

/** A metric point as `MlflowMetric` outputs it. */
export type MlflowMetricPoint = z.output<typeof MlflowMetric>;

/**
 * The points of a log-batch when every one is plain (a valid key, a JSON number value, timestamp and step as
 * non-negative safe integers, step possibly absent), as `MlflowMetric` would output them; null when any is not,
 * or when there are too many, so the caller validates with the schema, which converts numeric strings and words
 * and names what is wrong. A batch of 1,000 plain points is the common case, and the schema's unions cost several
 * times its whole handling (decision 31).
 */
export function plainMlflowMetrics(value: unknown): MlflowMetricPoint[] | null {
  if (!Array.isArray(value) || value.length > LIMITS.maxMetricsPerBatch) return null;
  const out = new Array<MlflowMetricPoint>(value.length);
  for (let i = 0; i < value.length; i++) {
    const m: unknown = value[i];
    if (m === null || typeof m !== 'object' || Array.isArray(m)) return null;
    const { key, value: v, timestamp, step = 0 } = m as Record<string, unknown>;
    if (typeof key !== 'string' || key.length === 0 || key.length > LIMITS.maxKeyLength || !KEY_PATTERN.test(key)) return null;
    if (typeof v !== 'number' || !Number.isFinite(v)) return null;
    if (!isCount(timestamp) || !isCount(step)) return null;
    out[i] = { key, value: v, timestamp, step };
  }
  return out;
}

const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

/**
 * A log-batch request checked without the schema's per-point unions, when all its points are plain
 * (`plainMlflowMetrics`); null when they are not or the rest of the request is invalid: then the caller validates
 * with `MlflowRequests.logBatch`, which names what is wrong. The output is what that schema would give.
 */
export function plainMlflowLogBatch(value: unknown): z.output<typeof MlflowRequests.logBatch> | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const body = value as Record<string, unknown>;
  const metrics = plainMlflowMetrics(body.metrics === undefined ? [] : body.metrics);
  if (!metrics) return null;
  const rest = MlflowRequests.logBatch.safeParse({ ...body, metrics: [] });
  return rest.success ? { ...rest.data, metrics } : null;
}

/** Routes with a validation fast path for their common requests (decision 31); null answers mean "use the schema". */
export const MLFLOW_FAST_PARSERS: { [K in MlflowRouteName]?: (value: unknown) => z.output<(typeof MlflowRequests)[K]> | null } = {
  logBatch: plainMlflowLogBatch,
};

/** A time in ms since the epoch. */
const MlflowTime = MlflowInt64.refine((t) => t >= 0, 'must be a non-negative time in ms');
/** A param in MLflow's shape: values are strings. */
export const MlflowParam = z.object({ key: MlflowKey, value: Str(LIMITS.maxParamValueLength) });

const RunRef = z
  .object({ run_id: Id.optional(), run_uuid: Id.optional() })
  .refine((r) => r.run_id ?? r.run_uuid, { message: 'run_id is required', path: ['run_id'] });
const Paging = { max_results: MlflowInt64.optional(), page_token: Str(2048).optional() };
const ViewType = z.enum(['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL']).default('ACTIVE_ONLY');

/** The body (or query) schemas of the MLflow routes, keyed by route name. */
export const MlflowRequests = {
  createExperiment: z.object({ name: Str(LIMITS.maxNameLength).min(1, 'must not be empty'), artifact_location: Str(4096).optional(), tags: List(MlflowTag, 100) }),
  getExperiment: z.object({ experiment_id: Id }),
  getExperimentByName: z.object({ experiment_name: Str(LIMITS.maxNameLength).min(1, 'must not be empty') }),
  searchExperiments: z.object({ ...Paging, filter: Str(4096).optional(), order_by: List(Str(256), 10), view_type: ViewType }),
  updateExperiment: z.object({ experiment_id: Id, new_name: Str(LIMITS.maxNameLength).min(1, 'must not be empty') }),
  deleteExperiment: z.object({ experiment_id: Id }),
  restoreExperiment: z.object({ experiment_id: Id }),
  setExperimentTag: z.object({ experiment_id: Id, key: MlflowKey, value: Str(LIMITS.maxTagValueLength) }),
  createRun: z.object({
    experiment_id: Id.optional(),
    user_id: Str(256).optional(),
    run_name: Str(LIMITS.maxNameLength).optional(),
    start_time: MlflowTime.optional(),
    tags: List(MlflowTag, LIMITS.maxTagsPerBatch),
  }),
  getRun: RunRef,
  updateRun: z.intersection(
    RunRef,
    z.object({ status: z.enum(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']).optional(), end_time: MlflowTime.optional(), run_name: Str(LIMITS.maxNameLength).optional() }),
  ),
  deleteRun: z.object({ run_id: Id }),
  restoreRun: z.object({ run_id: Id }),
  searchRuns: z.object({
    experiment_ids: List(Id, 100),
    filter: Str(10_000).optional(),
    run_view_type: ViewType,
    max_results: MlflowInt64.optional(),
    order_by: List(Str(300), 10),
    page_token: Str(2048).optional(),
  }),
  logBatch: z.object({
    run_id: Id,
    metrics: z.array(MlflowMetric).max(LIMITS.maxMetricsPerBatch, `at most ${LIMITS.maxMetricsPerBatch} metrics per batch`).default([]),
    params: z.array(MlflowParam).max(LIMITS.maxParamsPerBatch, `at most ${LIMITS.maxParamsPerBatch} params per batch`).default([]),
    tags: z.array(MlflowTag).max(LIMITS.maxTagsPerBatch, `at most ${LIMITS.maxTagsPerBatch} tags per batch`).default([]),
  }),
  logMetric: z.intersection(RunRef, MlflowMetric),
  logParam: z.intersection(RunRef, MlflowParam),
  setTag: z.intersection(RunRef, MlflowTag),
  deleteTag: z.object({ run_id: Id, key: MlflowKey }),
  logInputs: z.object({
    run_id: Id,
    datasets: z
      .array(
        z.object({
          tags: z.array(MlflowTag).max(100).default([]),
          dataset: z.object({
            name: Str(500).min(1, 'must not be empty'),
            digest: Str(64).min(1, 'must not be empty'),
            source_type: Str(255),
            source: Str(65_536),
            schema: Str(1_048_576).optional(),
            profile: Str(65_536).optional(),
          }),
        }),
      )
      .max(1000)
      .default([]),
  }),
  getMetricHistory: z.intersection(z.object({ metric_key: MlflowKey, ...Paging }), RunRef),
  listArtifacts: z.intersection(z.object({ path: Str(1024).optional(), page_token: Str(2048).optional() }), RunRef),
  createRegisteredModel: z.object({ name: Str(256).min(1, 'must not be empty'), tags: List(MlflowRegistryTag, 100), description: Str(20_000).optional() }),
  getRegisteredModel: z.object({ name: Str(256).min(1, 'must not be empty') }),
  searchRegisteredModels: z.object({ ...Paging, filter: Str(4096).optional(), order_by: List(Str(256), 10) }),
  updateRegisteredModel: z.object({ name: Str(256).min(1), description: Str(20_000).optional() }),
  deleteRegisteredModel: z.object({ name: Str(256).min(1) }),
  setRegisteredModelTag: z.object({ name: Str(256).min(1), key: MlflowKey, value: Str(100_000) }),
  deleteRegisteredModelTag: z.object({ name: Str(256).min(1), key: MlflowKey }),
  getLatestVersions: z.object({ name: Str(256).min(1), stages: List(Str(64), 10) }),
  setRegisteredModelAlias: z.object({ name: Str(256).min(1), alias: Str(255).min(1), version: MlflowInt64 }),
  deleteRegisteredModelAlias: z.object({ name: Str(256).min(1), alias: Str(255).min(1) }),
  getModelVersionByAlias: z.object({ name: Str(256).min(1), alias: Str(255).min(1) }),
  createModelVersion: z.object({
    name: Str(256).min(1, 'must not be empty'),
    source: Str(4096).min(1, 'must not be empty'),
    run_id: Id.optional(),
    tags: List(MlflowRegistryTag, 100),
    run_link: Str(4096).optional(),
    description: Str(20_000).optional(),
  }),
  getModelVersion: z.object({ name: Str(256).min(1), version: MlflowInt64 }),
  searchModelVersions: z.object({ ...Paging, filter: Str(4096).optional(), order_by: List(Str(256), 10) }),
  updateModelVersion: z.object({ name: Str(256).min(1), version: MlflowInt64, description: Str(20_000).optional() }),
  deleteModelVersion: z.object({ name: Str(256).min(1), version: MlflowInt64 }),
  transitionModelVersionStage: z.object({
    name: Str(256).min(1),
    version: MlflowInt64,
    stage: z.string().max(64),
    archive_existing_versions: MlflowBool.default(false),
  }),
  setModelVersionTag: z.object({ name: Str(256).min(1), version: MlflowInt64, key: MlflowKey, value: Str(100_000) }),
  deleteModelVersionTag: z.object({ name: Str(256).min(1), version: MlflowInt64, key: MlflowKey }),
  getModelVersionDownloadUri: z.object({ name: Str(256).min(1), version: MlflowInt64 }),
  searchLoggedModels: z.object({ experiment_ids: List(Id, 100), filter: Str(4096).optional(), ...Paging }),
  createLoggedModel: z.object({
    experiment_id: Id,
    name: Str(500).min(1, 'must not be empty').optional(),
    model_type: Str(500).optional(),
    source_run_id: Id.optional(),
    params: z.array(MlflowParam).max(LIMITS.maxParamsPerBatch).default([]),
    tags: z.array(MlflowTag).max(LIMITS.maxTagsPerBatch).default([]),
  }),
  getLoggedModel: z.object({ model_id: Id }),
  finalizeLoggedModel: z.object({
    model_id: Id,
    status: z.enum(['LOGGED_MODEL_PENDING', 'LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED']),
  }),
  deleteLoggedModel: z.object({ model_id: Id }),
  logLoggedModelParams: z.object({ model_id: Id, params: z.array(MlflowParam).max(LIMITS.maxParamsPerBatch).default([]) }),
  setLoggedModelTags: z.object({ model_id: Id, tags: z.array(MlflowTag).max(LIMITS.maxTagsPerBatch).default([]) }),
  deleteLoggedModelTag: z.object({ model_id: Id, tag_key: MlflowKey }),
  logOutputs: z.object({ run_id: Id, models: z.array(z.object({ model_id: Id, step: MlflowInt64.default(0) })).max(100).default([]) }),
} as const;

/** Name of an MLflow route. */
export type MlflowRouteName = keyof typeof MlflowRequests;

/**
 * One MLflow route: GET routes read the request from the query string, others from the JSON body; `:name`
 * path parameters are merged into the request.
 */
export interface MlflowRouteSpec {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  summary: string;
}

const P = '/api/2.0/mlflow';

/** Every MLflow route served under `/api/2.0/mlflow` (paths as MLflow's REST API documents them). */
export const mlflowRoutes: Record<MlflowRouteName, MlflowRouteSpec> = {
  createExperiment: { method: 'post', path: `${P}/experiments/create`, summary: 'MLflow: create an experiment' },
  getExperiment: { method: 'get', path: `${P}/experiments/get`, summary: 'MLflow: get an experiment' },
  getExperimentByName: { method: 'get', path: `${P}/experiments/get-by-name`, summary: 'MLflow: get an experiment by name' },
  searchExperiments: { method: 'post', path: `${P}/experiments/search`, summary: 'MLflow: search experiments' },
  updateExperiment: { method: 'post', path: `${P}/experiments/update`, summary: 'MLflow: rename an experiment' },
  deleteExperiment: { method: 'post', path: `${P}/experiments/delete`, summary: 'MLflow: delete an experiment' },
  restoreExperiment: { method: 'post', path: `${P}/experiments/restore`, summary: 'MLflow: restore an experiment' },
  setExperimentTag: { method: 'post', path: `${P}/experiments/set-experiment-tag`, summary: 'MLflow: set an experiment tag' },
  createRun: { method: 'post', path: `${P}/runs/create`, summary: 'MLflow: create a run' },
  getRun: { method: 'get', path: `${P}/runs/get`, summary: 'MLflow: get a run' },
  updateRun: { method: 'post', path: `${P}/runs/update`, summary: 'MLflow: update a run' },
  deleteRun: { method: 'post', path: `${P}/runs/delete`, summary: 'MLflow: delete a run' },
  restoreRun: { method: 'post', path: `${P}/runs/restore`, summary: 'MLflow: restore a run' },
  searchRuns: { method: 'post', path: `${P}/runs/search`, summary: 'MLflow: search runs' },
  logBatch: { method: 'post', path: `${P}/runs/log-batch`, summary: 'MLflow: log metrics, params and tags' },
  logMetric: { method: 'post', path: `${P}/runs/log-metric`, summary: 'MLflow: log a metric' },
  logParam: { method: 'post', path: `${P}/runs/log-parameter`, summary: 'MLflow: log a param' },
  setTag: { method: 'post', path: `${P}/runs/set-tag`, summary: 'MLflow: set a run tag' },
  deleteTag: { method: 'post', path: `${P}/runs/delete-tag`, summary: 'MLflow: delete a run tag' },
  logInputs: { method: 'post', path: `${P}/runs/log-inputs`, summary: 'MLflow: log dataset inputs' },
  getMetricHistory: { method: 'get', path: `${P}/metrics/get-history`, summary: 'MLflow: metric history' },
  listArtifacts: { method: 'get', path: `${P}/artifacts/list`, summary: "MLflow: list a run's artifacts" },
  createRegisteredModel: { method: 'post', path: `${P}/registered-models/create`, summary: 'MLflow: register a model' },
  getRegisteredModel: { method: 'get', path: `${P}/registered-models/get`, summary: 'MLflow: get a registered model' },
  searchRegisteredModels: { method: 'get', path: `${P}/registered-models/search`, summary: 'MLflow: search registered models' },
  updateRegisteredModel: { method: 'patch', path: `${P}/registered-models/update`, summary: 'MLflow: update a registered model' },
  deleteRegisteredModel: { method: 'delete', path: `${P}/registered-models/delete`, summary: 'MLflow: delete a registered model' },
  setRegisteredModelTag: { method: 'post', path: `${P}/registered-models/set-tag`, summary: 'MLflow: set a registered model tag' },
  deleteRegisteredModelTag: { method: 'delete', path: `${P}/registered-models/delete-tag`, summary: 'MLflow: delete a registered model tag' },
  getLatestVersions: { method: 'post', path: `${P}/registered-models/get-latest-versions`, summary: 'MLflow: latest version per stage' },
  setRegisteredModelAlias: { method: 'post', path: `${P}/registered-models/alias`, summary: 'MLflow: set an alias' },
  deleteRegisteredModelAlias: { method: 'delete', path: `${P}/registered-models/alias`, summary: 'MLflow: delete an alias' },
  getModelVersionByAlias: { method: 'get', path: `${P}/registered-models/alias`, summary: 'MLflow: get the version of an alias' },
  createModelVersion: { method: 'post', path: `${P}/model-versions/create`, summary: 'MLflow: create a model version' },
  getModelVersion: { method: 'get', path: `${P}/model-versions/get`, summary: 'MLflow: get a model version' },
  searchModelVersions: { method: 'get', path: `${P}/model-versions/search`, summary: 'MLflow: search model versions' },
  updateModelVersion: { method: 'patch', path: `${P}/model-versions/update`, summary: 'MLflow: update a model version' },
  deleteModelVersion: { method: 'delete', path: `${P}/model-versions/delete`, summary: 'MLflow: delete a model version' },
  transitionModelVersionStage: { method: 'post', path: `${P}/model-versions/transition-stage`, summary: 'MLflow: transition a stage' },
  setModelVersionTag: { method: 'post', path: `${P}/model-versions/set-tag`, summary: 'MLflow: set a model version tag' },
  deleteModelVersionTag: { method: 'delete', path: `${P}/model-versions/delete-tag`, summary: 'MLflow: delete a model version tag' },
  getModelVersionDownloadUri: { method: 'get', path: `${P}/model-versions/get-download-uri`, summary: 'MLflow: download URI of a version' },
  searchLoggedModels: { method: 'post', path: `${P}/logged-models/search`, summary: 'MLflow 3: search logged models' },
  createLoggedModel: { method: 'post', path: `${P}/logged-models`, summary: "MLflow 3: create a logged model (its files go to the run's artifacts)" },
  getLoggedModel: { method: 'get', path: `${P}/logged-models/:model_id`, summary: 'MLflow 3: get a logged model' },
  finalizeLoggedModel: { method: 'patch', path: `${P}/logged-models/:model_id`, summary: 'MLflow 3: finalize a logged model' },
  deleteLoggedModel: { method: 'delete', path: `${P}/logged-models/:model_id`, summary: 'MLflow 3: delete a logged model' },
  logLoggedModelParams: { method: 'post', path: `${P}/logged-models/:model_id/params`, summary: 'MLflow 3: log params of a logged model' },
  setLoggedModelTags: { method: 'patch', path: `${P}/logged-models/:model_id/tags`, summary: 'MLflow 3: set tags of a logged model' },
  deleteLoggedModelTag: { method: 'delete', path: `${P}/logged-models/:model_id/tags/:tag_key`, summary: 'MLflow 3: delete a tag of a logged model' },
  logOutputs: { method: 'post', path: `${P}/runs/outputs`, summary: 'MLflow 3: record the models a run produced' },
};

/** The body of every MLflow error answer. */
export const MlflowErrorBody = z.object({ error_code: z.string(), message: z.string() });

/** The mlflow-artifacts proxy: upload (PUT), download (GET) and list (GET without a path). */
export const MLFLOW_ARTIFACTS_ROOT = '/api/2.0/mlflow-artifacts/artifacts';

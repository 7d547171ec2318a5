/**
 * Every stored record of runtrail (DESIGN.md "Data model"). These schemas are the single source of the
 * types: everything else derives from them with `z.infer`.
 */
import { z } from 'zod';
import { EntityId, JsonValue, Key, LIMITS, Name, Sha256, Tag, Timestamp } from './primitives';

/** A team's space: the unit of access control. */
export const Workspace = z.object({ id: EntityId, name: Name, createdAt: Timestamp });
export type Workspace = z.infer<typeof Workspace>;

/** A group of experiments inside a workspace (a repository, a folder of notebooks). */
export const Project = z.object({ id: EntityId, workspaceId: EntityId, name: Name, createdAt: Timestamp });
export type Project = z.infer<typeof Project>;

/** One notebook's history (kind `notebook`) or a named experiment from the MLflow API or the CLI. */
export const Experiment = z.object({
  id: EntityId,
  projectId: EntityId,
  name: Name,
  kind: z.enum(['notebook', 'named']),
  notebookPath: z.string().max(4096).nullable(),
  lifecycle: z.enum(['active', 'deleted']),
  createdAt: Timestamp,
  /** Key-value tags (set through the MLflow API); absent on experiments that never had one. */
  tags: z.array(Tag).optional(),
});
export type Experiment = z.infer<typeof Experiment>;

/** Where a param came from. */
export const ParamOrigin = z.enum(['parameters-cell', 'literal-assignment', 'explicit', 'mlflow']);

/** A run parameter: a JSON value, never a secret (redacted before it is recorded). */
export const Param = z.object({
  key: Key,
  // Strings count their characters (MLflow's rule); other values their JSON text.
  value: JsonValue.refine((v) => (typeof v === 'string' ? v : JSON.stringify(v)).length <= LIMITS.maxParamValueLength, {
    message: `must be at most ${LIMITS.maxParamValueLength} characters (as JSON text unless a string)`,
  }),
  origin: ParamOrigin.default('explicit'),
});
export type Param = z.infer<typeof Param>;

/** One point of a metric series. */
export const Metric = z.object({
  key: Key,
  value: z.number().or(z.enum(['NaN', 'Infinity', '-Infinity']).transform(Number)),
  step: z.number().int('must be an integer').min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  timestamp: Timestamp,
});
export type Metric = z.infer<typeof Metric>;

/** The latest state of one metric of a run, kept in the run record (series live in SQL only). */
export const MetricSummary = z.object({
  key: Key,
  last: z.number().nullable(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  step: z.number().int(),
  timestamp: Timestamp,
  count: z.number().int().nonnegative(),
});
export type MetricSummary = z.infer<typeof MetricSummary>;

/** A pointer to content in the blob store. */
export const BlobRef = z.object({
  sha256: Sha256,
  size: z.number().int().nonnegative(),
  mediaType: z.string().max(255).optional(),
});
export type BlobRef = z.infer<typeof BlobRef>;

/** A file a run produced, stored as a blob. */
export const Artifact = z.object({
  path: z
    .string()
    .min(1)
    .max(1024)
    .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'must be a relative path without ".."'),
  size: z.number().int().nonnegative(),
  sha256: Sha256,
  blob: BlobRef,
});
export type Artifact = z.infer<typeof Artifact>;

/** Per-column statistics of a data snapshot. */
export const ColumnStats = z.object({
  column: z.string().max(1024),
  dtype: z.string().max(255),
  count: z.number().int().nonnegative(),
  nulls: z.number().int().nonnegative(),
  min: JsonValue.optional(),
  max: JsonValue.optional(),
  mean: z.number().nullable().optional(),
  std: z.number().nullable().optional(),
  distinct: z.number().int().nonnegative().nullable().optional(),
});
export type ColumnStats = z.infer<typeof ColumnStats>;

/** Kinds of data a snapshot can describe. */
export const SnapshotKind = z.enum(['pandas', 'polars', 'numpy', 'arrow', 'file', 'dataset']);

/** What an MLflow client said about a dataset it logged with `log_input` (kind `dataset`). */
export const DatasetSource = z.object({
  digest: z.string().max(64),
  sourceType: z.string().max(255),
  source: z.string().max(65_536),
  schema: z.string().max(1_048_576).optional(),
  profile: z.string().max(65_536).optional(),
  /** `mlflow.data.context` and other input tags (`train`, `eval`). */
  tags: z.array(Tag).max(100).default([]),
});
export type DatasetSource = z.infer<typeof DatasetSource>;

/** The fingerprint and shape of a data object a cell touched. */
export const DataSnapshot = z.object({
  id: EntityId,
  name: z.string().min(1).max(1024),
  kind: SnapshotKind,
  fingerprint: z.string().min(8).max(128),
  sampled: z.boolean().default(false),
  shape: z.array(z.number().int().nonnegative()).max(32),
  columns: z.array(ColumnStats).max(10_000).default([]),
  /** The column statistics are still being computed (kernel background thread); `columns` is filled in later. */
  statsPending: z.boolean().optional(),
  blob: BlobRef.optional(),
  capturedAt: Timestamp,
  /** Present on datasets logged by MLflow clients: their own description of the data. */
  dataset: DatasetSource.optional(),
});
export type DataSnapshot = z.infer<typeof DataSnapshot>;

/** The software environment a run executed in. */
export const Environment = z.object({
  python: z.string().max(255).optional(),
  os: z.string().max(255).optional(),
  packages: z.record(z.string().max(255), z.string().max(255)).default({}),
  git: z
    .object({
      commit: z.string().max(64),
      branch: z.string().max(255).optional(),
      dirty: z.boolean(),
      diff: z.string().max(1_000_000).optional(),
    })
    .optional(),
});
export type Environment = z.infer<typeof Environment>;

/** Summary of one cell output: enough to show it, never the megabytes. */
export const OutputSummary = z.object({
  outputType: z.enum(['stream', 'display_data', 'execute_result', 'error']),
  mimeTypes: z.array(z.string().max(255)).max(50),
  text: z.string().max(4096).optional(),
  truncated: z.boolean().default(false),
  blob: BlobRef.optional(),
});
export type OutputSummary = z.infer<typeof OutputSummary>;

/** Status of one cell execution. */
export const CellStatus = z.enum(['ok', 'error', 'aborted']);

/** One execution of one notebook cell, as captured. */
export const CellExecution = z.object({
  id: EntityId,
  cellId: z.string().min(1).max(255),
  executionCount: z.number().int().nonnegative().nullable(),
  source: z.string().max(LIMITS.maxSourceLength),
  sourceHash: z.string().min(8).max(128),
  startedAt: Timestamp,
  durationMs: z.number().nonnegative(),
  status: CellStatus,
  error: z
    .object({
      ename: z.string().max(255),
      evalue: z.string().max(4096),
      tracebackDigest: z.string().max(128),
    })
    .nullable()
    .default(null),
  outputs: z.array(OutputSummary).max(100).default([]),
  namesRead: z.array(z.string().max(255)).max(1000).default([]),
  namesWritten: z.array(z.string().max(255)).max(1000).default([]),
  snapshotIds: z.array(EntityId).max(1000).default([]),
});
export type CellExecution = z.infer<typeof CellExecution>;

/** Lifecycle states of a run. */
export const RunStatus = z.enum(['running', 'finished', 'failed', 'killed']);
export type RunStatus = z.infer<typeof RunStatus>;

/** What produced a run. */
export const RunSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('notebook'), path: z.string().max(4096), cellIds: z.array(z.string().max(255)).default([]) }),
  z.object({ kind: z.literal('script'), path: z.string().max(4096) }),
  z.object({ kind: z.literal('pipeline'), pipeline: z.string().max(4096), step: z.string().max(255).optional() }),
  z.object({ kind: z.literal('api') }),
]);
export type RunSource = z.infer<typeof RunSource>;

/** One experiment run: the unit users browse, compare and register models from. */
export const Run = z.object({
  id: EntityId,
  experimentId: EntityId,
  name: z.string().max(LIMITS.maxNameLength),
  status: RunStatus,
  startTime: Timestamp,
  endTime: Timestamp.nullable(),
  source: RunSource,
  params: z.array(Param),
  metrics: z.array(MetricSummary),
  tags: z.array(Tag),
  note: z.string(),
  environment: Environment.nullable(),
  snapshots: z.array(DataSnapshot),
  artifacts: z.array(Artifact),
  cellCount: z.number().int().nonnegative(),
  parentRunId: EntityId.nullable(),
});
export type Run = z.infer<typeof Run>;

// Registry records (RegisteredModel, ModelVersion, ...) live in ./registry.ts.

// The pipeline.yaml model (PipelineSpec, PipelineStep) lives in core/pipeline/model.ts.

/**
 * The model registry's records and its REST contract under `/api/v1/models`. The registry is
 * server-authoritative (SQL): version numbers are assigned by the server, and every alias or stage change
 * is written to an audit log in the same transaction.
 */
import { z } from 'zod';
import { Artifact, CellExecution, DataSnapshot, Run } from './records';
import { EntityId, Key, LIMITS, Tag, Timestamp } from './primitives';
import type { RouteSpec } from './route';

/** A registered model's name: MLflow allows any text; here it also travels in URL paths, so no "/". */
export const ModelName = z
  .string()
  .min(1, 'must not be empty')
  .max(256, 'must be at most 256 characters')
  .refine((n) => !/[/\\]/.test(n) && ![...n].some((ch) => ch.charCodeAt(0) < 32), 'must not contain "/", "\\" or control characters');

/** MLflow's deprecated but still used lifecycle stages of a version. */
export const ModelStage = z.enum(['None', 'Staging', 'Production', 'Archived']);
export type ModelStage = z.infer<typeof ModelStage>;

/** An alias name (`champion`); `latest` and `v<number>` are reserved as in MLflow. */
export const AliasName = z
  .string()
  .regex(/^[A-Za-z][\w-]{0,254}$/, 'must start with a letter; letters, digits, "_" or "-", at most 255')
  .refine((a) => a.toLowerCase() !== 'latest' && !/^v\d+$/i.test(a), 'is reserved ("latest" and v<number> name versions)');

/** A version number as it appears in a URL path. */
export const VersionNumber = z.coerce.number().int('must be an integer').positive('must be positive').max(Number.MAX_SAFE_INTEGER);

/** A movable name (`champion`) pointing at one version of a model. */
export const ModelAlias = z.object({ modelName: ModelName, alias: AliasName, version: z.number().int().positive() });
export type ModelAlias = z.infer<typeof ModelAlias>;

/** A model under a name in the registry. */
export const RegisteredModel = z.object({
  name: ModelName,
  workspaceId: EntityId,
  description: z.string().max(20_000),
  tags: z.array(Tag),
  aliases: z.array(z.object({ alias: AliasName, version: z.number().int().positive() })),
  /** The highest version number ever assigned (versions are never reused, even after a delete). */
  latestVersion: z.number().int().nonnegative(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type RegisteredModel = z.infer<typeof RegisteredModel>;

/** A numbered version of a registered model, with its lineage back to run, data and code. */
export const ModelVersion = z.object({
  modelName: ModelName,
  version: z.number().int().positive(),
  runId: EntityId,
  /** Path of the registered artifact inside the run ('' = the whole artifact tree). */
  source: z.string().max(1024),
  /** The run's artifacts under `source` when the version was created (content addresses: immutable). */
  artifacts: z.array(Artifact),
  snapshotIds: z.array(EntityId),
  cellIds: z.array(z.string().max(255)),
  stage: ModelStage,
  description: z.string().max(20_000),
  tags: z.array(Tag),
  aliases: z.array(AliasName),
  createdBy: z.string().max(255),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type ModelVersion = z.infer<typeof ModelVersion>;

/** Who changed what in the registry, when, from what, to what. */
export const AuditEntry = z.object({
  id: EntityId,
  at: Timestamp,
  actor: z.string().max(255),
  modelName: ModelName,
  action: z.enum(['alias.set', 'alias.delete', 'stage.transition', 'version.create', 'version.delete', 'model.create', 'model.delete']),
  /** What changed: `alias:<name>` or `version:<n>`. */
  target: z.string().max(1024),
  from: z.string().max(1024).nullable(),
  to: z.string().max(1024).nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** One code cell behind a version: its last execution in the source run. */
export const LineageCell = CellExecution.pick({ cellId: true, executionCount: true, source: true, sourceHash: true, startedAt: true, status: true });

/** Version -> run -> data snapshots -> code cells. */
export const ModelLineage = z.object({
  version: ModelVersion,
  run: Run.nullable(),
  snapshots: z.array(DataSnapshot),
  cells: z.array(LineageCell),
});
export type ModelLineage = z.infer<typeof ModelLineage>;

const Description = z.string().max(20_000, 'must be at most 20000 characters');
const TagChanges = {
  setTags: z.array(Tag).max(LIMITS.maxTagsPerBatch, `at most ${LIMITS.maxTagsPerBatch} tags`).default([]),
  deleteTags: z.array(Key).max(LIMITS.maxTagsPerBatch, `at most ${LIMITS.maxTagsPerBatch} tags`).default([]),
};

/** Register a model name. */
export const CreateModelRequest = z.strictObject({
  name: ModelName,
  description: Description.default(''),
  tags: z.array(Tag).max(LIMITS.maxTagsPerBatch).default([]),
});
export type CreateModelRequest = z.input<typeof CreateModelRequest>;

/** Change a model's description and tags. */
export const UpdateModelRequest = z.strictObject({ description: Description.optional(), ...TagChanges });

/** Register a version from a run's artifact: the server assigns the number. */
export const CreateVersionRequest = z.strictObject({
  runId: EntityId,
  /** Artifact path inside the run: a file, or a folder (every artifact under it). '' = all artifacts. */
  path: z.string().max(1024).refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'must be a relative path without ".."'),
  description: Description.default(''),
  tags: z.array(Tag).max(LIMITS.maxTagsPerBatch).default([]),
});
export type CreateVersionRequest = z.input<typeof CreateVersionRequest>;

/** Change a version's description and tags. */
export const UpdateVersionRequest = z.strictObject({ description: Description.optional(), ...TagChanges });

/** Move a version to a stage; `archiveExisting` archives the other versions in that stage. */
export const TransitionStageRequest = z.strictObject({ stage: ModelStage, archiveExisting: z.boolean().default(false) });

/** Point an alias at a version. */
export const SetAliasRequest = z.strictObject({ version: z.number().int().positive() });

/** Permanent deletes need the caller to repeat what is deleted (`<model>` or `<model>/<version>`). */
export const ConfirmQuery = z.strictObject({ confirm: z.string().max(300) });

/** Query of the model list. */
export const ModelListQuery = z.strictObject({
  pageSize: z.coerce.number().int().min(1).max(LIMITS.maxPageSize).default(100),
  cursor: z.string().max(1024).optional(),
  nameLike: z.string().max(256).optional(),
});

const ModelParams = z.strictObject({ modelName: ModelName });
const VersionParams = z.strictObject({ modelName: ModelName, version: VersionNumber });
const AliasParams = z.strictObject({ modelName: ModelName, alias: AliasName });

/** Answer of a permanent delete. */
export const DeleteAck = z.object({ deleted: z.string() });

/** The registry's routes; spread into the route table of /api/v1. */
export const registryRoutes = {
  createModel: {
    method: 'post', path: '/api/v1/models', summary: 'Register a model name', auth: true,
    body: CreateModelRequest, response: RegisteredModel, status: 201,
  },
  listModels: {
    method: 'get', path: '/api/v1/models', summary: 'List registered models', auth: true,
    query: ModelListQuery, response: z.object({ models: z.array(RegisteredModel), nextCursor: z.string().nullable() }), status: 200,
  },
  getModel: {
    method: 'get', path: '/api/v1/models/:modelName', summary: 'Get a registered model', auth: true,
    params: ModelParams, response: RegisteredModel, status: 200,
  },
  updateModel: {
    method: 'post', path: '/api/v1/models/:modelName/update', summary: "Change a model's description and tags", auth: true,
    params: ModelParams, body: UpdateModelRequest, response: RegisteredModel, status: 200,
  },
  deleteModel: {
    method: 'delete', path: '/api/v1/models/:modelName', summary: 'Delete a model and all its versions, permanently (confirm=<name>)',
    auth: true, params: ModelParams, query: ConfirmQuery, response: DeleteAck, status: 200,
  },
  createModelVersion: {
    method: 'post', path: '/api/v1/models/:modelName/versions', summary: "Register a version from a run's artifact",
    auth: true, params: ModelParams, body: CreateVersionRequest, response: ModelVersion, status: 201,
  },
  listModelVersions: {
    method: 'get', path: '/api/v1/models/:modelName/versions', summary: 'Versions of a model, newest first', auth: true,
    params: ModelParams, response: z.object({ versions: z.array(ModelVersion) }), status: 200,
  },
  getModelVersion: {
    method: 'get', path: '/api/v1/models/:modelName/versions/:version', summary: 'Get a model version', auth: true,
    params: VersionParams, response: ModelVersion, status: 200,
  },
  updateModelVersion: {
    method: 'post', path: '/api/v1/models/:modelName/versions/:version/update', summary: "Change a version's description and tags",
    auth: true, params: VersionParams, body: UpdateVersionRequest, response: ModelVersion, status: 200,
  },
  transitionModelVersionStage: {
    method: 'post', path: '/api/v1/models/:modelName/versions/:version/stage', summary: 'Move a version to a stage (audited)',
    auth: true, params: VersionParams, body: TransitionStageRequest, response: ModelVersion, status: 200,
  },
  deleteModelVersion: {
    method: 'delete', path: '/api/v1/models/:modelName/versions/:version',
    summary: 'Delete a version permanently (confirm=<name>/<version>)', auth: true,
    params: VersionParams, query: ConfirmQuery, response: DeleteAck, status: 200,
  },
  modelVersionLineage: {
    method: 'get', path: '/api/v1/models/:modelName/versions/:version/lineage',
    summary: 'Lineage of a version: run, data snapshots, code cells', auth: true,
    params: VersionParams, response: ModelLineage, status: 200,
  },
  setModelAlias: {
    method: 'put', path: '/api/v1/models/:modelName/aliases/:alias', summary: 'Point an alias at a version (audited)',
    auth: true, params: AliasParams, body: SetAliasRequest, response: ModelAlias, status: 200,
  },
  deleteModelAlias: {
    method: 'delete', path: '/api/v1/models/:modelName/aliases/:alias', summary: 'Remove an alias (audited)', auth: true,
    params: AliasParams, response: DeleteAck, status: 200,
  },
  modelAudit: {
    method: 'get', path: '/api/v1/models/:modelName/audit', summary: 'Audit log of alias and stage changes, oldest first',
    auth: true, params: ModelParams, response: z.object({ entries: z.array(AuditEntry) }), status: 200,
  },
} as const satisfies Record<string, RouteSpec>;

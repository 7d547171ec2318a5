/**
 * Who may do what: every route the backend serves declares one action here, and each action names the role it
 * needs and where that role must be held. The tables are typed against the route tables of core/schema, so a new
 * /api/v1 or MLflow route does not compile until it is listed; policy.test.ts also checks every route the app
 * mounts (pages, artifacts, admin, sync) against `policyForRoute`.
 */
import { MLFLOW_ARTIFACTS_ROOT, type MlflowRouteName, type RouteName } from '@runtrail/core/schema';
import type { Role } from './roles';

/** What a route needs from its caller. */
export type Requirement =
  /** Anyone, without a token. */
  | { kind: 'public' }
  /** Any valid token (acts on the caller's own records, e.g. their tokens). */
  | { kind: 'token' }
  /** `role` in the workspace of the route's target (see `Target`). */
  | { kind: 'role'; role: Role }
  /** `role` in at least one workspace (content-addressed blobs belong to no single workspace). */
  | { kind: 'any-workspace'; role: Role }
  /** Admin of the default workspace (users and workspaces are server-wide). */
  | { kind: 'server-admin' };

/** The actions routes declare, with their requirement. */
export const ACTIONS = {
  public: { kind: 'public' },
  self: { kind: 'token' },
  read: { kind: 'role', role: 'viewer' },
  write: { kind: 'role', role: 'editor' },
  manage: { kind: 'role', role: 'admin' },
  'blob:read': { kind: 'any-workspace', role: 'viewer' },
  'blob:write': { kind: 'any-workspace', role: 'editor' },
  'server:admin': { kind: 'server-admin' },
} as const satisfies Record<string, Requirement>;

/** Name of an action. */
export type Action = keyof typeof ACTIONS;

/**
 * Where a role-based action's workspace comes from:
 * - `object`: the experiment, run, model or logged model the request names (path params or request fields);
 * - `project`: the project a new experiment goes to (`projectId`, default project otherwise);
 * - `default`: the default workspace (where today's handlers create models and MLflow experiments);
 * - `request`: the workspace the request acts in (`X-Runtrail-Workspace`, `?workspace=`, else the caller's default);
 *   list and search answers are also cut to the caller's workspaces.
 */
export type Target = 'none' | 'object' | 'project' | 'default' | 'request';

/** One route's declaration. */
export interface RoutePolicy {
  action: Action;
  target: Target;
}

const p = (action: Action, target: Target = 'none'): RoutePolicy => ({ action, target });

/** /api/v1 (core/schema `routes`, registry routes included). */
export const API_POLICY: Record<RouteName, RoutePolicy> = {
  health: p('public'),
  createExperiment: p('write', 'project'),
  listExperiments: p('read', 'request'),
  getExperiment: p('read', 'object'),
  createRun: p('write', 'object'),
  getRun: p('read', 'object'),
  appendCells: p('write', 'object'),
  listCells: p('read', 'object'),
  logBatch: p('write', 'object'),
  finishRun: p('write', 'object'),
  attachSnapshots: p('write', 'object'),
  attachArtifacts: p('write', 'object'),
  searchRuns: p('read', 'request'),
  metricHistory: p('read', 'object'),
  putBlob: p('blob:write'),
  getBlob: p('blob:read'),
  headBlob: p('blob:read'),
  createModel: p('write', 'default'),
  listModels: p('read', 'request'),
  getModel: p('read', 'object'),
  updateModel: p('write', 'object'),
  deleteModel: p('manage', 'object'),
  createModelVersion: p('write', 'object'),
  listModelVersions: p('read', 'object'),
  getModelVersion: p('read', 'object'),
  updateModelVersion: p('write', 'object'),
  transitionModelVersionStage: p('write', 'object'),
  deleteModelVersion: p('manage', 'object'),
  modelVersionLineage: p('read', 'object'),
  setModelAlias: p('write', 'object'),
  deleteModelAlias: p('write', 'object'),
  modelAudit: p('read', 'object'),
};

/** /api/2.0/mlflow (core/schema `mlflowRoutes`). */
export const MLFLOW_POLICY: Record<MlflowRouteName, RoutePolicy> = {
  createExperiment: p('write', 'default'),
  getExperiment: p('read', 'object'),
  getExperimentByName: p('read', 'request'),
  searchExperiments: p('read', 'request'),
  updateExperiment: p('write', 'object'),
  deleteExperiment: p('write', 'object'),
  restoreExperiment: p('write', 'object'),
  setExperimentTag: p('write', 'object'),
  createRun: p('write', 'object'),
  getRun: p('read', 'object'),
  updateRun: p('write', 'object'),
  deleteRun: p('write', 'object'),
  restoreRun: p('write', 'object'),
  searchRuns: p('read', 'object'),
  logBatch: p('write', 'object'),
  logMetric: p('write', 'object'),
  logParam: p('write', 'object'),
  setTag: p('write', 'object'),
  deleteTag: p('write', 'object'),
  logInputs: p('write', 'object'),
  getMetricHistory: p('read', 'object'),
  listArtifacts: p('read', 'object'),
  createRegisteredModel: p('write', 'default'),
  getRegisteredModel: p('read', 'object'),
  searchRegisteredModels: p('read', 'request'),
  updateRegisteredModel: p('write', 'object'),
  deleteRegisteredModel: p('manage', 'object'),
  setRegisteredModelTag: p('write', 'object'),
  deleteRegisteredModelTag: p('write', 'object'),
  getLatestVersions: p('read', 'object'),
  setRegisteredModelAlias: p('write', 'object'),
  deleteRegisteredModelAlias: p('write', 'object'),
  getModelVersionByAlias: p('read', 'object'),
  createModelVersion: p('write', 'object'),
  getModelVersion: p('read', 'object'),
  searchModelVersions: p('read', 'request'),
  updateModelVersion: p('write', 'object'),
  deleteModelVersion: p('manage', 'object'),
  transitionModelVersionStage: p('write', 'object'),
  setModelVersionTag: p('write', 'object'),
  deleteModelVersionTag: p('write', 'object'),
  getModelVersionDownloadUri: p('read', 'object'),
  searchLoggedModels: p('read', 'object'),
  createLoggedModel: p('write', 'object'),
  getLoggedModel: p('read', 'object'),
  finalizeLoggedModel: p('write', 'object'),
  deleteLoggedModel: p('write', 'object'),
  logLoggedModelParams: p('write', 'object'),
  setLoggedModelTags: p('write', 'object'),
  deleteLoggedModelTag: p('write', 'object'),
  logOutputs: p('write', 'object'),
};

/** The mlflow-artifacts proxy: the run in the artifact path decides. */
export const ARTIFACTS_POLICY = {
  list: p('read', 'object'),
  download: p('read', 'object'),
  upload: p('write', 'object'),
} as const satisfies Record<string, RoutePolicy>;

/** WebSocket doc sync: connecting reads the experiment's doc; sending an update that changes it writes. */
export const SYNC_POLICY = {
  connect: p('read', 'object'),
  update: p('write', 'object'),
} as const satisfies Record<string, RoutePolicy>;

/** Shareable pages and documents that hold no data (decision 15: the page reads through /api/v1 with a token). */
export const PUBLIC_PAGES_POLICY = {
  openapi: p('public'),
  runPage: p('public'),
  comparePage: p('public'),
  pagesScript: p('public'),
} as const satisfies Record<string, RoutePolicy>;

/** Admin routes of users, tokens, workspaces and memberships (backend/auth/routes.ts). */
export const ADMIN_POLICY = {
  whoami: p('self'),
  createToken: p('self'),
  listTokens: p('self'),
  revokeToken: p('self'),
  createUser: p('server:admin'),
  listUsers: p('server:admin'),
  createWorkspace: p('server:admin'),
  listWorkspaces: p('self'),
  listMembers: p('manage', 'object'),
  setMember: p('manage', 'object'),
  removeMember: p('manage', 'object'),
} as const satisfies Record<string, RoutePolicy>;

/** Name of an admin route. */
export type AdminRouteName = keyof typeof ADMIN_POLICY;

/** Paths of the routes outside the core/schema tables, by policy entry (`METHOD path` as hono registers them). */
export const EDGE_ROUTES: Record<string, RoutePolicy> = {
  [`GET ${MLFLOW_ARTIFACTS_ROOT}`]: ARTIFACTS_POLICY.list,
  [`GET ${MLFLOW_ARTIFACTS_ROOT}/:path{.+}`]: ARTIFACTS_POLICY.download,
  [`PUT ${MLFLOW_ARTIFACTS_ROOT}/:path{.+}`]: ARTIFACTS_POLICY.upload,
  'GET /api/v1/openapi.json': PUBLIC_PAGES_POLICY.openapi,
  'GET /r/:runId': PUBLIC_PAGES_POLICY.runPage,
  'GET /compare': PUBLIC_PAGES_POLICY.comparePage,
  'GET /_pages/runtrail-pages.js': PUBLIC_PAGES_POLICY.pagesScript,
};

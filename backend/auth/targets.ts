/**
 * What a request names, for the policy: the objects in its path parameters or request fields, the workspace it acts
 * in, and the cut of list answers to the caller's workspaces.
 */
import type { MlflowRouteName, RouteName } from '@runtrail/core/schema';
import { AuthError, type AuthGate, type AuthTarget, type NamedObject, type Principal } from './gate';
import type { RoutePolicy } from './policy';
import { DEFAULT_WORKSPACE } from './store';

type Fields = Record<string, unknown>;
const fieldsOf = (value: unknown): Fields => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : {});
const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** Objects named by a /api/v1 request: path parameters, and the experiment or project a create names. */
export function apiObjects(params: Record<string, string>, body: unknown): NamedObject[] {
  const out: NamedObject[] = [];
  if (params.experimentId) out.push({ object: { kind: 'experiment', id: params.experimentId }, path: 'params.experimentId' });
  if (params.runId) out.push({ object: { kind: 'run', id: params.runId }, path: 'params.runId' });
  if (params.modelName) out.push({ object: { kind: 'model', name: params.modelName }, path: 'params.modelName' });
  const b = fieldsOf(body);
  const experimentId = str(b.experimentId);
  if (experimentId) out.push({ object: { kind: 'experiment', id: experimentId }, path: 'body.experimentId' });
  // A model version copies its source run's artifact refs: the run's workspace must allow it too.
  const runId = str(b.runId);
  if (runId) out.push({ object: { kind: 'run', id: runId }, path: 'body.runId' });
  out.push({ object: { kind: 'project', id: str(b.projectId) ?? DEFAULT_WORKSPACE }, path: 'body.projectId' });
  return out;
}

/** Objects named by an MLflow request (query or body fields, as MLflow names them). */
export function mlflowObjects(path: string, request: unknown): NamedObject[] {
  const r = fieldsOf(request);
  const out: NamedObject[] = [];
  const experimentId = str(r.experiment_id);
  if (experimentId) out.push({ object: { kind: 'experiment', id: experimentId }, path: 'experiment_id' });
  if (Array.isArray(r.experiment_ids)) {
    for (const id of r.experiment_ids) if (str(id)) out.push({ object: { kind: 'experiment', id: id as string }, path: 'experiment_ids' });
  }
  const runId = str(r.run_id) ?? str(r.run_uuid);
  if (runId) out.push({ object: { kind: 'run', id: runId }, path: 'run_id' });
  // A model version's source names its run: `runs:/<run>/...` or `.../<experiment>/<run>/artifacts/...`.
  const source = str(r.source);
  const sourceRun = source ? (/^runs:\/([^/]+)/.exec(source) ?? /\/([^/]+)\/artifacts(?:\/|$)/.exec(source))?.[1] : undefined;
  if (sourceRun) out.push({ object: { kind: 'run', id: sourceRun }, path: 'source' });
  const modelId = str(r.model_id);
  if (modelId) out.push({ object: { kind: 'loggedModel', id: modelId }, path: 'model_id' });
  const name = str(r.name);
  if (name && /\/(registered-models|model-versions)\//.test(path)) out.push({ object: { kind: 'model', name }, path: 'name' });
  return out;
}

/** The authorization target of a request under `policy`. */
export function authTarget(gate: AuthGate, principal: Principal, policy: RoutePolicy, objects: NamedObject[], namedWorkspace: string | null | undefined): AuthTarget {
  const workspace = policy.target === 'default' ? DEFAULT_WORKSPACE : gate.requestWorkspace(principal, namedWorkspace);
  if (policy.target === 'object') return { workspace, objects: objects.filter((o) => o.object.kind !== 'project') };
  if (policy.target === 'project') return { workspace, objects: objects.filter((o) => o.object.kind === 'project') };
  return { workspace };
}

type Cut = (gate: AuthGate, principal: Principal, answer: Fields) => Promise<Fields>;
const cut = (key: string, locate: (item: Fields) => NamedObject['object']): Cut => async (gate, principal, answer) =>
  Array.isArray(answer[key]) ? { ...answer, [key]: await gate.visible(principal, answer[key] as Fields[], locate) } : answer;

/** List answers of /api/v1 cut to the caller's workspaces. */
export const API_LIST_CUTS: Partial<Record<RouteName, Cut>> = {
  listExperiments: cut('experiments', (e) => ({ kind: 'experiment', id: String(e.id) })),
  searchRuns: cut('runs', (r) => ({ kind: 'experiment', id: String(r.experimentId) })),
  listModels: cut('models', (m) => ({ kind: 'model', name: String(m.name) })),
};

/** List answers of the MLflow API cut to the caller's workspaces (a single answer outside them is a 404). */
export const MLFLOW_LIST_CUTS: Partial<Record<MlflowRouteName, Cut>> = {
  searchExperiments: cut('experiments', (e) => ({ kind: 'experiment', id: String(e.experiment_id) })),
  // Without experiment_ids these two search every experiment.
  searchRuns: cut('runs', (r) => ({ kind: 'experiment', id: String(fieldsOf(r.info).experiment_id) })),
  searchLoggedModels: cut('models', (m) => ({ kind: 'experiment', id: String(fieldsOf(m.info).experiment_id) })),
  searchRegisteredModels: cut('registered_models', (m) => ({ kind: 'model', name: String(m.name) })),
  searchModelVersions: cut('model_versions', (v) => ({ kind: 'model', name: String(v.name) })),
  async getExperimentByName(gate, principal, answer) {
    const experiment = fieldsOf(answer.experiment);
    const visible = await gate.visible(principal, [experiment], (e) => ({ kind: 'experiment', id: String(e.experiment_id) }));
    if (visible.length === 0) throw new AuthError(404, `experiment '${String(experiment.name)}' does not exist`, 'experiment_name');
    return answer;
  },
};

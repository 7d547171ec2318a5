/**
 * runtrail records in MLflow's JSON shapes (protobuf JSON: snake_case, version numbers as strings). Runs keep
 * their MLflow lifecycle in the reserved tag `runtrail.lifecycle`, which MLflow clients never see as a tag.
 */
import type { Experiment, ModelVersion, Param, RegisteredModel, Run, RunStatus } from '@runtrail/core/schema';

/** Reserved run tag holding MLflow's lifecycle stage (`deleted`; absent = active). */
export const LIFECYCLE_TAG = 'runtrail.lifecycle';

const STATUS_TO_MLFLOW: Record<RunStatus, string> = { running: 'RUNNING', finished: 'FINISHED', failed: 'FAILED', killed: 'KILLED' };

/** MLflow's run status words to runtrail's. */
export const STATUS_FROM_MLFLOW: Record<string, RunStatus> = {
  RUNNING: 'running',
  SCHEDULED: 'running',
  FINISHED: 'finished',
  FAILED: 'failed',
  KILLED: 'killed',
};

/** Where the artifacts of an experiment live, as an MLflow client resolves them (the mlflow-artifacts proxy). */
export function experimentArtifactRoot(experimentId: string): string {
  return `mlflow-artifacts:/${experimentId}`;
}

/** Artifact root of a run. */
export function runArtifactUri(run: Pick<Run, 'id' | 'experimentId'>): string {
  return `${experimentArtifactRoot(run.experimentId)}/${run.id}/artifacts`;
}

/** True when the run was deleted through the MLflow API. */
export function isDeleted(run: Run): boolean {
  return run.tags.some((t) => t.key === LIFECYCLE_TAG && t.value === 'deleted');
}

/** An MLflow param value: strings as they are, other JSON values serialized. */
export function paramText(param: Param): string {
  return typeof param.value === 'string' ? param.value : JSON.stringify(param.value);
}

/** A number in protobuf JSON (non-finite values are words). */
export function protoDouble(value: number | null): number | string {
  if (value === null || Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return value;
}

/** MLflow's Experiment. */
export function toMlflowExperiment(e: Experiment) {
  return {
    experiment_id: e.id,
    name: e.name,
    artifact_location: experimentArtifactRoot(e.id),
    lifecycle_stage: e.lifecycle,
    creation_time: e.createdAt,
    last_update_time: e.createdAt,
    tags: e.tags ?? [],
  };
}

/** MLflow's RunInfo. */
export function toMlflowRunInfo(run: Run) {
  const user = run.tags.find((t) => t.key === 'mlflow.user')?.value ?? '';
  return {
    run_id: run.id,
    run_uuid: run.id,
    run_name: run.name,
    experiment_id: run.experimentId,
    user_id: user,
    status: STATUS_TO_MLFLOW[run.status],
    start_time: run.startTime,
    ...(run.endTime !== null ? { end_time: run.endTime } : {}),
    artifact_uri: runArtifactUri(run),
    lifecycle_stage: isDeleted(run) ? 'deleted' : 'active',
  };
}

/** MLflow's Run: info, latest metric values, params, tags, and dataset inputs (from data snapshots). */
export function toMlflowRun(run: Run) {
  return {
    info: toMlflowRunInfo(run),
    data: {
      metrics: run.metrics.map((m) => ({ key: m.key, value: protoDouble(m.last), timestamp: m.timestamp, step: m.step })),
      params: run.params.map((p) => ({ key: p.key, value: paramText(p) })),
      tags: run.tags.filter((t) => t.key !== LIFECYCLE_TAG),
    },
    inputs: {
      dataset_inputs: run.snapshots.map((s) => ({
        tags: s.dataset?.tags ?? [],
        dataset: {
          name: s.name,
          digest: s.dataset?.digest ?? s.fingerprint.slice(0, 64),
          source_type: s.dataset?.sourceType ?? 'runtrail',
          source: s.dataset?.source ?? JSON.stringify({ snapshot: s.id, kind: s.kind }),
          ...(s.dataset?.schema !== undefined ? { schema: s.dataset.schema } : {}),
          ...(s.dataset?.profile !== undefined ? { profile: s.dataset.profile } : {}),
        },
      })),
    },
  };
}

/** MLflow's ModelVersion; `source` is the artifact URI of the registered path. */
export function toMlflowModelVersion(v: ModelVersion, experimentId: string | null) {
  const base = experimentId ? runArtifactUri({ id: v.runId, experimentId }) : `runs:/${v.runId}`;
  return {
    name: v.modelName,
    version: String(v.version),
    creation_timestamp: v.createdAt,
    last_updated_timestamp: v.updatedAt,
    user_id: v.createdBy,
    current_stage: v.stage,
    description: v.description,
    source: v.source ? `${base}/${v.source}` : base,
    run_id: v.runId,
    status: 'READY',
    tags: v.tags,
    aliases: v.aliases,
  };
}

/** MLflow's RegisteredModel; `latest_versions` holds the newest version per stage. */
export function toMlflowRegisteredModel(m: RegisteredModel, latest: ReturnType<typeof toMlflowModelVersion>[]) {
  return {
    name: m.name,
    creation_timestamp: m.createdAt,
    last_updated_timestamp: m.updatedAt,
    description: m.description,
    tags: m.tags,
    aliases: m.aliases.map((a) => ({ alias: a.alias, version: String(a.version) })),
    latest_versions: latest,
  };
}

/**
 * `runtrail pipeline export`: engine-native definitions of a pipeline, as pure functions of `pipeline.yaml` and the
 * digests of the steps' code. Every engine runs the same step modules the same way as `runtrail pipeline run`
 * (launcher.ts); argo.ts, kubeflow.ts and airflow.ts map the DAG, params and outputs to each engine.
 */
import { PipelineError } from '../errors';
import type { PipelineSpec } from '../model';
import { exportAirflowDag } from './airflow';
import { exportArgoWorkflow, type ExportedDefinition } from './argo';
import { exportKubeflowPipeline } from './kubeflow';
import { dnsLabel } from './names';
import type { StepCode } from './dag';

export { exportAirflowDag, airflowDagId } from './airflow';
export type { AirflowExportOptions } from './airflow';
export { exportArgoWorkflow } from './argo';
export type { ArgoExportOptions, ExportedDefinition } from './argo';
export { KFP_SCHEMA_VERSION, exportKubeflowPipeline, kfpParameterType } from './kubeflow';
export type { KubeflowExportOptions } from './kubeflow';
export { LAUNCHER } from './launcher';
export { DNS_LABEL_MAX, dnsLabel, kubernetesNames } from './names';
export type { EngineNames } from './names';
export { assertExportable, launcherArguments, paramText, upstreamSteps } from './dag';
export type { ArgumentRefs, StepCode } from './dag';

/** The engines `pipeline export` writes for. */
export const EXPORT_TARGETS = ['argo', 'kubeflow', 'airflow'] as const;
/** One of EXPORT_TARGETS. */
export type ExportTarget = (typeof EXPORT_TARGETS)[number];

/** Everything an export may use; each engine takes what it needs. */
export interface PipelineExportOptions {
  /** Container image for Argo and Kubeflow (default: `<pipeline>:latest`). */
  image?: string;
  /** The project folder on Airflow workers. */
  projectDir: string;
  code: StepCode;
}

/** The target named by `value`, or a PipelineError listing the known ones. */
export function parseExportTarget(value: string): ExportTarget {
  const found = EXPORT_TARGETS.find((t) => t === value);
  if (!found) throw new PipelineError(`unknown target "${value}": use one of ${EXPORT_TARGETS.join(', ')}`, '--target');
  return found;
}

/** The default container image name: `<pipeline as a DNS label>:latest`. */
export function defaultImage(spec: PipelineSpec): string {
  return `${dnsLabel(spec.name)}:latest`;
}

/** The default file name of an export, relative to the project folder. */
export function defaultExportFile(spec: PipelineSpec, target: ExportTarget): string {
  const base = spec.name.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^[_-]+|[_-]+$/g, '') || 'pipeline';
  return target === 'airflow' ? `export/${base.replace(/-/g, '_')}_dag.py` : `export/${base}.${target}.yaml`;
}

/** The definition of `spec` for `target`. */
export function exportPipeline(spec: PipelineSpec, target: ExportTarget, options: PipelineExportOptions): ExportedDefinition {
  const image = options.image ?? defaultImage(spec);
  if (target === 'argo') return exportArgoWorkflow(spec, { image, code: options.code });
  if (target === 'kubeflow') return exportKubeflowPipeline(spec, { image, code: options.code });
  return exportAirflowDag(spec, { projectDir: options.projectDir, code: options.code });
}

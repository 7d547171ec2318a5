/**
 * Export to Kubeflow Pipelines: the KFP v2 pipeline spec (the "IR" YAML that `kfp.compiler` writes and the KFP
 * backend runs). Each step is a container component running the launcher in the project image; pipeline params are
 * typed pipeline inputs (STRING, NUMBER_INTEGER, NUMBER_DOUBLE, BOOLEAN, LIST, STRUCT) with the values of
 * `pipeline.yaml` as defaults; step outputs are output artifacts (system.Dataset for tables, system.Artifact
 * otherwise) passed to downstream tasks, which also depend on their producers. Caching stays on: KFP keys a task on
 * its component (image, command, arguments, and so the code digests the launcher checks) and its inputs, which is
 * runtrail's own cache key, provided the image tag is immutable.
 */
import { stringify } from 'yaml';
import type { JsonValue } from '../../schema/primitives';
import type { PipelineSpec, PipelineStep } from '../model';
import { assertExportable, launcherArguments, upstreamSteps, type StepCode } from './dag';
import { LAUNCHER } from './launcher';
import { kubernetesNames } from './names';
import type { ExportedDefinition } from './argo';

/** The pipeline-spec schema version written (the one kfp 2.x compilers write). */
export const KFP_SCHEMA_VERSION = '2.1.0';

/** What a Kubeflow export needs besides the pipeline. */
export interface KubeflowExportOptions {
  /** The container image holding the project (its working directory) and the steps' Python dependencies. */
  image: string;
  code: StepCode;
}

/** The KFP parameter type of a param with this value in pipeline.yaml. */
export function kfpParameterType(value: JsonValue): string {
  if (typeof value === 'string' || value === null) return 'STRING';
  if (typeof value === 'boolean') return 'BOOLEAN';
  if (typeof value === 'number') return Number.isInteger(value) ? 'NUMBER_INTEGER' : 'NUMBER_DOUBLE';
  return Array.isArray(value) ? 'LIST' : 'STRUCT';
}

/** A null default travels as the JSON text `null` in a STRING parameter; every other value as it is. */
function kfpDefault(value: JsonValue): JsonValue {
  return value === null ? 'null' : value;
}

function artifactType(type: string | undefined) {
  const table = !!type && /(DataFrame|Table)$/.test(type);
  return { schemaTitle: table ? 'system.Dataset' : 'system.Artifact', schemaVersion: '0.0.1' };
}

/** The type annotation of the output an input reads. */
function producedType(spec: PipelineSpec, step: PipelineStep, input: string): string | undefined {
  const i = step.inputs.find((x) => x.name === input)!;
  if (i.from !== 'step') return i.type;
  return spec.steps.find((s) => s.name === i.step)?.outputs.find((o) => o.name === i.output)?.type ?? i.type;
}

const sorted = <T>(entries: Array<[string, T]>): Record<string, T> =>
  Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** The KFP v2 pipeline spec of `spec` as YAML. */
export function exportKubeflowPipeline(spec: PipelineSpec, options: KubeflowExportOptions): ExportedDefinition {
  assertExportable(spec);
  const names = kubernetesNames(spec, 'Kubeflow');
  const label = (step: string) => names.steps.get(step)!;
  const components: Array<[string, unknown]> = [];
  const executors: Array<[string, unknown]> = [];
  const tasks: Array<[string, unknown]> = [];
  for (const step of spec.steps) {
    const name = label(step.name);
    const parameters = sorted(step.params.map((p) => [p, { parameterType: kfpParameterType(spec.params[p]!) }]));
    const inputArtifacts = sorted(step.inputs.map((i) => [i.name, { artifactType: artifactType(producedType(spec, step, i.name)) }]));
    const outputArtifacts = sorted(step.outputs.map((o) => [o.name, { artifactType: artifactType(o.type) }]));
    const inputDefinitions = {
      ...(step.inputs.length ? { artifacts: inputArtifacts } : {}),
      ...(step.params.length ? { parameters } : {}),
    };
    components.push([
      `comp-${name}`,
      {
        executorLabel: `exec-${name}`,
        ...(Object.keys(inputDefinitions).length ? { inputDefinitions } : {}),
        ...(step.outputs.length ? { outputDefinitions: { artifacts: outputArtifacts } } : {}),
      },
    ]);
    const args = launcherArguments(spec, step, options.code, {
      input: (n) => `{{$.inputs.artifacts['${n}'].path}}`,
      output: (n) => `{{$.outputs.artifacts['${n}'].path}}`,
      param: (n) => `{{$.inputs.parameters['${n}']}}`,
    });
    executors.push([`exec-${name}`, { container: { args, command: ['python', '-c', LAUNCHER], image: options.image } }]);
    const upstream = upstreamSteps(step).map(label).sort();
    const taskInputs = {
      ...(step.inputs.length
        ? {
            artifacts: sorted(
              step.inputs.flatMap((i) =>
                i.from === 'step' ? [[i.name, { taskOutputArtifact: { outputArtifactKey: i.output, producerTask: label(i.step) } }]] : [],
              ),
            ),
          }
        : {}),
      ...(step.params.length ? { parameters: sorted(step.params.map((p) => [p, { componentInputParameter: p }])) } : {}),
    };
    tasks.push([
      name,
      {
        cachingOptions: { enableCache: true },
        componentRef: { name: `comp-${name}` },
        ...(upstream.length ? { dependentTasks: upstream } : {}),
        ...(Object.keys(taskInputs).length ? { inputs: taskInputs } : {}),
        taskInfo: { name },
      },
    ]);
  }
  const rootParameters = sorted(
    Object.entries(spec.params).map(([p, value]) => [p, { defaultValue: kfpDefault(value), isOptional: true, parameterType: kfpParameterType(value) }]),
  );
  const pipelineSpec = {
    components: sorted(components),
    deploymentSpec: { executors: sorted(executors) },
    pipelineInfo: { description: `runtrail pipeline ${JSON.stringify(spec.name)} (runtrail pipeline export --target kubeflow)`, name: names.pipeline },
    root: {
      dag: { tasks: sorted(tasks) },
      ...(Object.keys(rootParameters).length ? { inputDefinitions: { parameters: rootParameters } } : {}),
    },
    schemaVersion: KFP_SCHEMA_VERSION,
    sdkVersion: 'runtrail',
  };
  const header = `# PIPELINE DEFINITION\n# Name: ${names.pipeline}\n# Kubeflow Pipelines v2 spec of the runtrail pipeline ${JSON.stringify(spec.name)} (runtrail pipeline export --target kubeflow).\n`;
  return { text: header + stringify(pipelineSpec, { lineWidth: 0 }), notes: names.notes };
}

/**
 * Export to Argo Workflows: one `Workflow` whose entrypoint is a DAG with a task per step (dependencies = the steps
 * it reads from). Each step is a container template running the launcher in the project image. Pipeline params are
 * workflow parameters (`argo submit -p lr=0.2`), handed to each task that takes them as input parameters; step
 * outputs are output artifacts (stored unarchived in the workflow's artifact repository) that downstream tasks
 * receive as input artifacts. No memoization is generated: Argo's memo key cannot see input artifacts, so a
 * memoized step could be served stale outputs; every submission runs every step.
 */
import { stringify } from 'yaml';
import type { PipelineSpec } from '../model';
import { assertExportable, launcherArguments, paramText, upstreamSteps, type StepCode } from './dag';
import { LAUNCHER } from './launcher';
import { dnsLabel, kubernetesNames } from './names';

/** Where a step container finds its inputs and leaves its outputs. */
const INPUTS_DIR = '/tmp/runtrail/inputs';
const OUTPUTS_DIR = '/tmp/runtrail/outputs';

/** What an Argo export needs besides the pipeline. */
export interface ArgoExportOptions {
  /** The container image holding the project (its working directory) and the steps' Python dependencies. */
  image: string;
  code: StepCode;
}

/** An export: the file's text and notes for the user (renamed steps and the like). */
export interface ExportedDefinition {
  text: string;
  notes: string[];
}

/** The Argo `Workflow` of `spec` as YAML. */
export function exportArgoWorkflow(spec: PipelineSpec, options: ArgoExportOptions): ExportedDefinition {
  assertExportable(spec);
  const names = kubernetesNames(spec, 'Argo');
  const label = (step: string) => names.steps.get(step)!;
  const taken = new Set(names.steps.values());
  const entrypoint = ['main', 'pipeline-dag', 'runtrail-main'].find((n) => !taken.has(n))!;
  const tasks = spec.steps.map((step) => {
    const parameters = step.params.map((p) => ({ name: p, value: `{{workflow.parameters.${p}}}` }));
    const artifacts = step.inputs.flatMap((i) =>
      i.from === 'step' ? [{ name: i.name, from: `{{tasks.${label(i.step)}.outputs.artifacts.${i.output}}}` }] : [],
    );
    const upstream = upstreamSteps(step).map(label);
    return {
      name: label(step.name),
      template: label(step.name),
      ...(upstream.length ? { dependencies: upstream } : {}),
      ...(parameters.length || artifacts.length
        ? { arguments: { ...(parameters.length ? { parameters } : {}), ...(artifacts.length ? { artifacts } : {}) } }
        : {}),
    };
  });
  const templates = spec.steps.map((step) => {
    const args = launcherArguments(spec, step, options.code, {
      input: (name) => `${INPUTS_DIR}/${name}`,
      output: (name) => `${OUTPUTS_DIR}/${name}`,
      param: (name) => `{{inputs.parameters.${name}}}`,
    });
    const inputs = {
      ...(step.params.length ? { parameters: step.params.map((p) => ({ name: p })) } : {}),
      ...(step.inputs.length ? { artifacts: step.inputs.map((i) => ({ name: i.name, path: `${INPUTS_DIR}/${i.name}` })) } : {}),
    };
    return {
      name: label(step.name),
      metadata: { annotations: { 'runtrail.dev/step': step.name, 'runtrail.dev/source': step.source } },
      ...(Object.keys(inputs).length ? { inputs } : {}),
      ...(step.outputs.length
        ? { outputs: { artifacts: step.outputs.map((o) => ({ name: o.name, path: `${OUTPUTS_DIR}/${o.name}`, archive: { none: {} } })) } }
        : {}),
      container: { image: options.image, command: ['python', '-c', LAUNCHER], args },
    };
  });
  const parameters = Object.entries(spec.params).map(([name, value]) => ({ name, value: paramText(value) }));
  const workflow = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: {
      generateName: `${dnsLabel(spec.name, 57)}-`,
      labels: { 'runtrail.dev/pipeline': names.pipeline },
      annotations: { 'runtrail.dev/pipeline': spec.name, 'runtrail.dev/generated-by': 'runtrail pipeline export --target argo' },
    },
    spec: {
      entrypoint,
      ...(parameters.length ? { arguments: { parameters } } : {}),
      templates: [{ name: entrypoint, dag: { tasks } }, ...templates],
    },
  };
  const header = `# Argo Workflow of the runtrail pipeline ${JSON.stringify(spec.name)} (runtrail pipeline export --target argo).\n# Submit: argo submit THIS_FILE [-p PARAM=VALUE]. Regenerate after promoting or editing steps.\n`;
  return { text: header + stringify(workflow, { lineWidth: 0 }), notes: names.notes };
}

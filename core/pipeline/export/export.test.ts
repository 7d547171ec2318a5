import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { PipelineError } from '../errors';
import { parsePipelineYaml } from '../yaml';
import {
  LAUNCHER,
  airflowDagId,
  defaultExportFile,
  dnsLabel,
  exportAirflowDag,
  exportArgoWorkflow,
  exportKubeflowPipeline,
  exportPipeline,
  kfpParameterType,
  kubernetesNames,
  launcherArguments,
  parseExportTarget,
} from './index';

/** load_data -> main -> report <- stats; `main` also names Argo's usual entrypoint. */
const spec = parsePipelineYaml(`version: 1
name: Churn model
params: { path: "data/a $x.csv", lr: 0.1, epochs: 3, flags: [1, 2], opts: { a: 1 }, off: false, none: null }
steps:
  - { name: load_data, source: steps/load_data.py, function: load_data, notebook: n.ipynb, cell: a, params: [path], outputs: [{ name: df, type: pandas.DataFrame, format: parquet }] }
  - name: main
    source: steps/main.py
    function: main
    notebook: n.ipynb
    cell: b
    inputs: [{ name: df, from: step, step: load_data, output: df, type: polars.DataFrame }]
    outputs: [{ name: model }]
    params: [lr, epochs, none]
  - { name: stats, source: steps/stats.py, function: stats, notebook: n.ipynb, cell: c, params: [flags, opts, off], outputs: [{ name: s }] }
  - name: report
    source: steps/report.py
    function: report
    notebook: n.ipynb
    cell: d
    inputs: [{ name: model, from: step, step: main, output: model }, { name: s, from: step, step: stats, output: s }]
`);
const code = { load_data: { 'steps/load_data.py': 'aa', 'steps/util.py': 'bb' }, main: { 'steps/main.py': 'cc' } };

describe('engine names', () => {
  it('maps step and pipeline names to DNS-1123 labels and says which changed', () => {
    expect(dnsLabel('load_data')).toBe('load-data');
    expect(dnsLabel('__x__')).toBe('x');
    expect(dnsLabel('Churn model v2!')).toBe('churn-model-v2');
    expect(dnsLabel('_')).toBe('pipeline');
    expect(dnsLabel(`a${'_b'.repeat(40)}`)).toHaveLength(63);
    expect(dnsLabel(`${'a'.repeat(62)}_b`)).toBe('a'.repeat(62));
    const names = kubernetesNames(spec, 'Argo');
    expect([...names.steps]).toEqual([['load_data', 'load-data'], ['main', 'main'], ['stats', 'stats'], ['report', 'report']]);
    expect(names.pipeline).toBe('churn-model');
    expect(names.notes).toEqual([
      'step "load_data" is named "load-data" in Argo (DNS-1123: lowercase letters, digits, "-")',
      'pipeline "Churn model" is named "churn-model" in Argo',
    ]);
  });

  it('refuses two steps that map to one label, naming the step and field', () => {
    const clash = parsePipelineYaml(`version: 1
name: p
steps:
  - { name: a_b, source: s/x.py, function: x, notebook: n.ipynb, cell: x }
  - { name: _a_b_, source: s/y.py, function: y, notebook: n.ipynb, cell: y }
`);
    expect(() => kubernetesNames(clash, 'Kubeflow')).toThrow(
      new PipelineError('Kubeflow needs DNS-1123 names; "_a_b_" and "a_b" both become "a-b": rename one of them', 'steps[1].name', '_a_b_'),
    );
  });
});

describe('launcher arguments', () => {
  it('name the module, the code digests, inputs with their reader and producer, params by kind and outputs', () => {
    const refs = { input: (n: string) => `IN(${n})`, output: (n: string) => `OUT(${n})`, param: (n: string) => `P(${n})` };
    expect(launcherArguments(spec, spec.steps[1]!, code, refs)).toEqual([
      '--step', 'main', '--source', 'steps/main.py', '--function', 'main',
      '--code', 'steps/main.py=cc',
      '--input', 'df=IN(df)', '--reader', 'df=polars', '--producer', 'df=load_data:steps/load_data.py',
      '--param', 'lr=P(lr)', '--param', 'epochs=P(epochs)', '--param', 'none=P(none)',
      '--output', 'model=OUT(model)',
    ]);
    expect(launcherArguments(spec, spec.steps[0]!, code, refs)).toEqual([
      '--step', 'load_data', '--source', 'steps/load_data.py', '--function', 'load_data',
      '--code', 'steps/load_data.py=aa', '--code', 'steps/util.py=bb',
      '--param-text', 'path=P(path)',
      '--output', 'df=OUT(df)',
    ]);
  });

  it('the launcher holds nothing an engine would read as a placeholder', () => {
    expect(LAUNCHER).not.toMatch(/\{[{%#]|\$\{/);
    expect(LAUNCHER).toContain('def main(argv):');
  });
});

describe('refused pipelines', () => {
  it('an empty pipeline, and an input bound to a notebook snapshot (the runner cannot load it either)', () => {
    const empty = parsePipelineYaml('version: 1\nname: p\n');
    expect(() => exportArgoWorkflow(empty, { image: 'i', code: {} })).toThrow('pipeline.yaml: steps: there are no steps to export');
    const data = parsePipelineYaml(`version: 1
name: p
steps:
  - { name: a, source: s/a.py, function: a, notebook: n.ipynb, cell: a, inputs: [{ name: df, from: data, snapshot: f00 }] }
`);
    for (const target of ['argo', 'kubeflow', 'airflow'] as const) {
      expect(() => exportPipeline(data, target, { projectDir: '/p', code: {} })).toThrow(
        'step "a": steps[0].inputs[0]: input "df" is data bound to a notebook snapshot',
      );
    }
  });

  it('an unknown target', () => {
    expect(parseExportTarget('kubeflow')).toBe('kubeflow');
    expect(() => parseExportTarget('Argo')).toThrow('--target: unknown target "Argo": use one of argo, kubeflow, airflow');
  });
});

interface ArgoTemplate {
  name: string;
  dag: { tasks: unknown[] };
  inputs?: unknown;
  outputs?: unknown;
  container: { image: string; command: string[]; args: string[] };
}

interface KfpIr {
  root: { inputDefinitions: { parameters: unknown }; dag: { tasks: Record<string, unknown> } };
  pipelineInfo: { name: string };
  schemaVersion: string;
  components: Record<string, unknown>;
  deploymentSpec: { executors: Record<string, { container: { args: string[] } }> };
}

describe('Argo', () => {
  const { text, notes } = exportArgoWorkflow(spec, { image: 'reg/churn:1', code });
  const workflow = parse(text) as {
    metadata: { generateName: string };
    spec: { entrypoint: string; arguments: { parameters: unknown[] }; templates: ArgoTemplate[] };
  };

  it('is a Workflow whose DAG has a task per step, dependencies and artifacts wired from the producers', () => {
    expect(text).toMatch(/^# Argo Workflow of the runtrail pipeline "Churn model"/);
    expect(notes).toHaveLength(2);
    expect(workflow.metadata.generateName).toBe('churn-model-');
    // A step is called main, so the DAG template takes the next free name.
    expect(workflow.spec.entrypoint).toBe('pipeline-dag');
    const dag = workflow.spec.templates[0]!;
    expect(dag.name).toBe('pipeline-dag');
    expect(dag.dag.tasks).toEqual([
      { name: 'load-data', template: 'load-data', arguments: { parameters: [{ name: 'path', value: '{{workflow.parameters.path}}' }] } },
      {
        name: 'main',
        template: 'main',
        dependencies: ['load-data'],
        arguments: {
          parameters: ['lr', 'epochs', 'none'].map((p) => ({ name: p, value: `{{workflow.parameters.${p}}}` })),
          artifacts: [{ name: 'df', from: '{{tasks.load-data.outputs.artifacts.df}}' }],
        },
      },
      { name: 'stats', template: 'stats', arguments: { parameters: ['flags', 'opts', 'off'].map((p) => ({ name: p, value: `{{workflow.parameters.${p}}}` })) } },
      {
        name: 'report',
        template: 'report',
        dependencies: ['main', 'stats'],
        arguments: {
          artifacts: [
            { name: 'model', from: '{{tasks.main.outputs.artifacts.model}}' },
            { name: 's', from: '{{tasks.stats.outputs.artifacts.s}}' },
          ],
        },
      },
    ]);
  });

  it('passes params as workflow parameters (strings as they are, others as JSON) and runs the launcher in the image', () => {
    expect(workflow.spec.arguments.parameters).toEqual([
      { name: 'path', value: 'data/a $x.csv' },
      { name: 'lr', value: '0.1' },
      { name: 'epochs', value: '3' },
      { name: 'flags', value: '[1,2]' },
      { name: 'opts', value: '{"a":1}' },
      { name: 'off', value: 'false' },
      { name: 'none', value: 'null' },
    ]);
    const main = workflow.spec.templates.find((t) => t.name === 'main')!;
    expect(main.inputs).toEqual({ parameters: [{ name: 'lr' }, { name: 'epochs' }, { name: 'none' }], artifacts: [{ name: 'df', path: '/tmp/runtrail/inputs/df' }] });
    expect(main.outputs).toEqual({ artifacts: [{ name: 'model', path: '/tmp/runtrail/outputs/model', archive: { none: {} } }] });
    expect(main.container.image).toBe('reg/churn:1');
    expect(main.container.command).toEqual(['python', '-c', LAUNCHER]);
    expect(main.container.args).toContain('lr={{inputs.parameters.lr}}');
    expect(main.container.args).toContain('df=/tmp/runtrail/inputs/df');
  });
});

describe('Kubeflow', () => {
  const { text } = exportKubeflowPipeline(spec, { image: 'reg/churn:1', code });
  const ir = parse(text) as KfpIr;

  it('types params for KFP, with the values of pipeline.yaml as defaults', () => {
    expect([1, 1.5, 'x', true, null, [1], { a: 1 }].map(kfpParameterType)).toEqual([
      'NUMBER_INTEGER', 'NUMBER_DOUBLE', 'STRING', 'BOOLEAN', 'STRING', 'LIST', 'STRUCT',
    ]);
    expect(ir.root.inputDefinitions.parameters).toEqual({
      epochs: { defaultValue: 3, isOptional: true, parameterType: 'NUMBER_INTEGER' },
      flags: { defaultValue: [1, 2], isOptional: true, parameterType: 'LIST' },
      lr: { defaultValue: 0.1, isOptional: true, parameterType: 'NUMBER_DOUBLE' },
      none: { defaultValue: 'null', isOptional: true, parameterType: 'STRING' },
      off: { defaultValue: false, isOptional: true, parameterType: 'BOOLEAN' },
      opts: { defaultValue: { a: 1 }, isOptional: true, parameterType: 'STRUCT' },
      path: { defaultValue: 'data/a $x.csv', isOptional: true, parameterType: 'STRING' },
    });
    expect(ir.pipelineInfo.name).toBe('churn-model');
    expect(ir.schemaVersion).toBe('2.1.0');
  });

  it('wires each task to its component, producers and pipeline inputs, with caching on', () => {
    expect(Object.keys(ir.root.dag.tasks)).toEqual(['load-data', 'main', 'report', 'stats']);
    expect(ir.root.dag.tasks.report).toEqual({
      cachingOptions: { enableCache: true },
      componentRef: { name: 'comp-report' },
      dependentTasks: ['main', 'stats'],
      inputs: {
        artifacts: {
          model: { taskOutputArtifact: { outputArtifactKey: 'model', producerTask: 'main' } },
          s: { taskOutputArtifact: { outputArtifactKey: 's', producerTask: 'stats' } },
        },
      },
      taskInfo: { name: 'report' },
    });
    expect(ir.components['comp-load-data']).toEqual({
      executorLabel: 'exec-load-data',
      inputDefinitions: { parameters: { path: { parameterType: 'STRING' } } },
      outputDefinitions: { artifacts: { df: { artifactType: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' } } } },
    });
    const args = ir.deploymentSpec.executors['exec-main']!.container.args;
    expect(args).toContain("df={{$.inputs.artifacts['df'].path}}");
    expect(args).toContain("model={{$.outputs.artifacts['model'].path}}");
    expect(args).toContain("lr={{$.inputs.parameters['lr']}}");
  });
});

describe('Airflow', () => {
  const { text, notes } = exportAirflowDag(spec, { projectDir: '/srv/churn', code });

  it('is a DAG with typed params, a BashOperator per step and the dependencies', () => {
    expect(airflowDagId('Churn model')).toBe('runtrail_Churn_model');
    expect(notes).toEqual(['pipeline "Churn model" is the DAG "runtrail_Churn_model" in Airflow']);
    expect(text).toContain('dag_id="runtrail_Churn_model"');
    expect(text).toContain('PROJECT = os.environ.get("RUNTRAIL_PROJECT", "/srv/churn")');
    expect(text).toContain('"lr": Param(0.1, type="number"),');
    expect(text).toContain('"epochs": Param(3, type="integer"),');
    expect(text).toContain('"none": Param(None, type="null"),');
    expect(text).toContain('"opts": Param({"a": 1}, type="object"),');
    expect(text).toContain('    tasks["load_data"] >> tasks["main"]\n');
    expect(text).toContain('    tasks["stats"] >> tasks["report"]\n');
    expect(text.match(/= _step\(/g)).toHaveLength(4);
  });

  it('passes params through the environment (strings raw, others as JSON) and quotes every argument for bash', () => {
    expect(text).toContain('{"RUNTRAIL_PARAM_path": "{{ params.path }}"}');
    expect(text).toContain('"RUNTRAIL_PARAM_lr": "{{ params.lr | tojson }}"');
    expect(text).toContain(String.raw`\"--param-text\" \"path=${'$'}{RUNTRAIL_PARAM_path}\"`);
    expect(text).toContain(String.raw`\"df=${'$'}{RUNTRAIL_RUN_DIR}/load_data/df\"`);
  });

  it('refuses a step source Jinja would expand', () => {
    const jinja = parsePipelineYaml(`version: 1
name: p
steps:
  - { name: a, source: "s/{{x}}.py", function: a, notebook: n.ipynb, cell: a }
`);
    expect(() => exportAirflowDag(jinja, { projectDir: '/p', code: {} })).toThrow('step "a": steps[0].source:');
  });
});

describe('defaultExportFile', () => {
  it('puts exports under export/ named after the pipeline', () => {
    expect(defaultExportFile(spec, 'argo')).toBe('export/Churn_model.argo.yaml');
    expect(defaultExportFile(spec, 'airflow')).toBe('export/Churn_model_dag.py');
    expect(defaultExportFile({ ...spec, name: 'edge case!' }, 'kubeflow')).toBe('export/edge_case.kubeflow.yaml');
    expect(defaultExportFile({ ...spec, name: '%%' }, 'argo')).toBe('export/pipeline.argo.yaml');
  });
});

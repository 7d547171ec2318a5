/**
 * `runtrail pipeline export` checked with each engine's own tooling, and run: the steps of a sample notebook
 * (tests/fixtures/notebooks/customers.ipynb) are promoted and exported with the bundled CLI, then
 * - Kubeflow: kfp's loader parses the spec into kfp's protobuf messages and kfp's compiler writes it back
 *   identically; a spec with a field kfp does not know is refused by the same loader (the check can fail);
 * - Argo: the Workflow round-trips through hera's models of Argo's published schema without losing or changing a
 *   field, and its references hold (check_argo.py); an unknown field is reported;
 * - Airflow: a real Airflow imports the DAG file (DagBag) without errors and `airflow dags test` runs it, every
 *   step in the project's Python;
 * and every export computes what `runtrail pipeline run` computes with the same param override. Argo and Kubeflow
 * need a cluster to run, so their container commands are run here directly, each engine placeholder replaced with
 * the value or file that engine would put there.
 *
 * The checkers live in their own venvs under .cache/export/ (pipeline-export/checkers.ts), installed on first use.
 */
import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO, ensureBuilt } from './harness';
import { checkerPython, ensureExportCheckers } from './pipeline-export/checkers';

const exec = promisify(execFile);
const FIXTURES = join(REPO, 'tests/fixtures');
const CHECKS = join(REPO, 'tests/integration/pipeline-export');
const PYTHON = join(REPO, '.venv/bin/python');

let project: string;
let reference: Summary;

interface Summary {
  rows: number;
  total: number;
}

async function runtrail(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [CLI, ...args], { cwd: project, env: { ...process.env, RUNTRAIL_PYTHON: PYTHON }, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Runs a checker script; resolves with the JSON it printed last. */
async function check<T>(python: string, script: string, file: string, env: NodeJS.ProcessEnv = {}): Promise<T> {
  const { stdout } = await exec(python, [join(CHECKS, script), file], { env: { ...process.env, ...env }, maxBuffer: 16 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
}

/** The `summary` pickle the report step wrote, read back by the project's Python. */
function readSummary(file: string): Summary {
  const r = spawnSync(PYTHON, ['-c', 'import json, pickle, sys; print(json.dumps(pickle.load(open(sys.argv[1], "rb"))))', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot read ${file}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Summary;
}

/** The output `name` of `step` from runtrail's own cache (`pipeline run`'s latest run of the step). */
function cachedOutput(step: string, name: string): string {
  const root = join(project, '.runtrail', 'pipeline');
  const { key } = JSON.parse(readFileSync(join(root, 'steps', `${step}.json`), 'utf8')) as { key: string };
  const entry = JSON.parse(readFileSync(join(root, 'entries', `${key}.json`), 'utf8')) as { outputs: Array<{ name: string; sha256: string }> };
  return join(root, 'blobs', entry.outputs.find((o) => o.name === name)!.sha256);
}

/** A container task of an exported definition, placeholders resolved to local values and files. */
interface LocalTask {
  name: string;
  deps: string[];
  command: string[];
  args: string[];
  /** Local input file -> the producing task and its output file. */
  copies: Array<{ to: string; task: string; from: string }>;
}

/** Runs the tasks in dependency order with the project's Python in the project folder, as the engine would. */
function runLocally(tasks: LocalTask[], outputs: Map<string, Map<string, string>>): void {
  const done = new Set<string>();
  while (done.size < tasks.length) {
    const ready = tasks.filter((t) => !done.has(t.name) && t.deps.every((d) => done.has(d)));
    expect(ready.length, 'a task is ready').toBeGreaterThan(0);
    for (const task of ready) {
      for (const c of task.copies) {
        mkdirSync(join(c.to, '..'), { recursive: true });
        copyFileSync(outputs.get(c.task)!.get(c.from)!, c.to);
      }
      expect(task.command[0]).toBe('python');
      const r = spawnSync(PYTHON, [...task.command.slice(1), ...task.args], { cwd: project, encoding: 'utf8' });
      expect(r.status, `${task.name}: ${r.stderr}`).toBe(0);
      done.add(task.name);
    }
  }
}

beforeAll(async () => {
  const took = await ensureExportCheckers();
  console.log(`export checkers (install seconds, 0 = cached): ${JSON.stringify(took)}`);
  ensureBuilt();
  project = mkdtempSync(join(tmpdir(), 'runtrail-pipeline-export-'));
  mkdirSync(join(project, 'data'));
  copyFileSync(join(FIXTURES, 'notebooks/customers.ipynb'), join(project, 'customers.ipynb'));
  copyFileSync(join(FIXTURES, 'data/customers.csv'), join(project, 'data/customers.csv'));
  for (const [cell, name] of [['load', 'load_data'], ['lookup', 'lookup'], ['features', 'build_features'], ['report', 'report']]) {
    const r = await runtrail('pipeline', 'promote', 'customers.ipynb', '--cell', cell!, '--name', name!, '--yes', '--offline');
    expect(r.code, r.stderr).toBe(0);
  }
  // What runtrail itself computes with scale=3; every export run below overrides the same param.
  const run = await runtrail('pipeline', 'run', '--offline', '--json', '--param', 'scale=3');
  expect(run.code, run.stderr).toBe(0);
  reference = readSummary(cachedOutput('report', 'summary'));
  expect(reference.rows).toBeGreaterThan(0);
}, 900_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('runtrail pipeline export --target kubeflow', () => {
  it('writes a KFP v2 pipeline spec that kfp loads and recompiles unchanged, with typed params and the DAG', async () => {
    const r = await runtrail('pipeline', 'export', '--target', 'kubeflow', '--image', 'registry.example/customers:1');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('step "load_data" is named "load-data" in Kubeflow');
    const file = join(project, 'export/customers.kubeflow.yaml');
    const result = await check<{ error?: string; identical: boolean; name: string; inputs: Record<string, { type: string; default: unknown }>; tasks: Record<string, string[]> }>(
      checkerPython('kfp'),
      'check_kfp.py',
      file,
    );
    expect(result.error).toBeUndefined();
    expect(result.identical).toBe(true);
    expect(result.name).toBe('customers');
    expect(result.inputs).toEqual({
      data_path: { type: 'String', default: 'data/customers.csv' },
      scale: { type: 'Integer', default: 2 },
      pause: { type: 'Integer', default: 0 },
      threshold: { type: 'Float', default: 0.5 },
    });
    expect(result.tasks).toEqual({ 'load-data': [], lookup: [], 'build-features': ['load-data'], report: ['build-features', 'lookup'] });

    // The same loader refuses a spec it does not understand, so a pass above means something.
    const broken = readFileSync(file, 'utf8').replace('cachingOptions:', 'cachingOptionz:');
    writeFileSync(join(project, 'broken.kubeflow.yaml'), broken);
    const refused = await check<{ error?: string }>(checkerPython('kfp'), 'check_kfp.py', join(project, 'broken.kubeflow.yaml'));
    expect(refused.error).toMatch(/cachingOptionz/);
  });

  it("runs: each executor's command, with KFP's placeholders filled in, computes what pipeline run computes", () => {
    const spec = parse(readFileSync(join(project, 'export/customers.kubeflow.yaml'), 'utf8')) as KfpSpec;
    const params: Record<string, unknown> = Object.fromEntries(
      Object.entries(spec.root.inputDefinitions.parameters).map(([k, v]) => [k, v.defaultValue]),
    );
    params.scale = 3;
    const work = mkdtempSync(join(tmpdir(), 'runtrail-kfp-local-'));
    const outputs = new Map<string, Map<string, string>>();
    const tasks: LocalTask[] = Object.entries(spec.root.dag.tasks).map(([name, task]) => {
      const component = spec.components[task.componentRef.name]!;
      const container = spec.deploymentSpec.executors[component.executorLabel]!.container;
      expect(container.image).toBe('registry.example/customers:1');
      const copies: LocalTask['copies'] = [];
      const produced = new Map<string, string>();
      outputs.set(name, produced);
      const args = container.args.map((arg) =>
        arg
          .replace(/\{\{\$\.inputs\.parameters\['([^']+)'\]\}\}/g, (_, p: string) => {
            const value = params[task.inputs!.parameters![p]!.componentInputParameter];
            return typeof value === 'string' ? value : JSON.stringify(value);
          })
          .replace(/\{\{\$\.inputs\.artifacts\['([^']+)'\]\.path\}\}/g, (_, a: string) => {
            const source = task.inputs!.artifacts![a]!.taskOutputArtifact;
            const to = join(work, name, 'in', a);
            copies.push({ to, task: source.producerTask, from: source.outputArtifactKey });
            return to;
          })
          .replace(/\{\{\$\.outputs\.artifacts\['([^']+)'\]\.path\}\}/g, (_, o: string) => {
            produced.set(o, join(work, name, 'out', o));
            return join(work, name, 'out', o);
          }),
      );
      expect(args.join(' ')).not.toContain('{{');
      return { name, deps: task.dependentTasks ?? [], command: container.command, args, copies };
    });
    runLocally(tasks, outputs);
    expect(readSummary(outputs.get('report')!.get('summary')!)).toEqual(reference);
    rmSync(work, { recursive: true, force: true });
  });
});

interface KfpSpec {
  components: Record<string, { executorLabel: string }>;
  deploymentSpec: { executors: Record<string, { container: { image: string; command: string[]; args: string[] } }> };
  root: {
    dag: {
      tasks: Record<
        string,
        {
          componentRef: { name: string };
          dependentTasks?: string[];
          inputs?: {
            parameters?: Record<string, { componentInputParameter: string }>;
            artifacts?: Record<string, { taskOutputArtifact: { producerTask: string; outputArtifactKey: string } }>;
          };
        }
      >;
    };
    inputDefinitions: { parameters: Record<string, { defaultValue: unknown }> };
  };
}

interface ArgoWorkflow {
  spec: {
    entrypoint: string;
    arguments: { parameters: Array<{ name: string; value: string }> };
    templates: Array<{
      name: string;
      dag?: { tasks: Array<{ name: string; template: string; dependencies?: string[]; arguments?: { parameters?: Array<{ name: string; value: string }>; artifacts?: Array<{ name: string; from: string }> } }> };
      inputs?: { artifacts?: Array<{ name: string; path: string }> };
      outputs?: { artifacts?: Array<{ name: string; path: string }> };
      container?: { image: string; command: string[]; args: string[] };
    }>;
  };
}

describe('runtrail pipeline export --target argo', () => {
  it("writes a Workflow that holds to Argo's published schema, with the DAG and params", async () => {
    const r = await runtrail('pipeline', 'export', '--target', 'argo', '--out', 'argo/workflow.yaml', '--json');
    expect(r.code, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout) as { target: string; file: string; steps: string[]; notes: string[] };
    expect(printed).toMatchObject({ target: 'argo', file: join(project, 'argo/workflow.yaml'), steps: ['load_data', 'lookup', 'build_features', 'report'] });
    expect(printed.notes).toContain('step "build_features" is named "build-features" in Argo (DNS-1123: lowercase letters, digits, "-")');
    const result = await check<{ problems: string[]; tasks: Record<string, string[]> }>(checkerPython('hera'), 'check_argo.py', printed.file);
    expect(result.problems).toEqual([]);
    expect(result.tasks).toEqual({ 'load-data': [], lookup: [], 'build-features': ['load-data'], report: ['build-features', 'lookup'] });
    const workflow = parse(readFileSync(printed.file, 'utf8')) as ArgoWorkflow;
    // Without --image: the image is named after the pipeline.
    expect(workflow.spec.templates.find((t) => t.name === 'report')!.container!.image).toBe('customers:latest');
    expect(workflow.spec.arguments.parameters).toEqual([
      { name: 'data_path', value: 'data/customers.csv' },
      { name: 'scale', value: '2' },
      { name: 'pause', value: '0' },
      { name: 'threshold', value: '0.5' },
    ]);

    // The same check reports a field Argo does not know.
    const broken = readFileSync(printed.file, 'utf8').replace('entrypoint:', 'entrypoint: main\n  serviceAccount:');
    writeFileSync(join(project, 'broken.argo.yaml'), broken);
    const refused = await check<{ problems: string[] }>(checkerPython('hera'), 'check_argo.py', join(project, 'broken.argo.yaml'));
    expect(refused.problems.join('\n')).toMatch(/serviceAccount is not in Argo's schema/);
  });

  it("runs: each template's container, with Argo's parameters and artifacts in place, computes what pipeline run computes", () => {
    const workflow = parse(readFileSync(join(project, 'argo/workflow.yaml'), 'utf8')) as ArgoWorkflow;
    const params = new Map(workflow.spec.arguments.parameters.map((p) => [p.name, p.value]));
    params.set('scale', '3'); // argo submit -p scale=3
    const templates = new Map(workflow.spec.templates.map((t) => [t.name, t]));
    const work = mkdtempSync(join(tmpdir(), 'runtrail-argo-local-'));
    const outputs = new Map<string, Map<string, string>>();
    const dag = templates.get(workflow.spec.entrypoint)!.dag!;
    const tasks: LocalTask[] = dag.tasks.map((task) => {
      const template = templates.get(task.template)!;
      const given = new Map((task.arguments?.parameters ?? []).map((p) => [p.name, p.value.replace(/\{\{workflow\.parameters\.([^}]+)\}\}/g, (_, n: string) => params.get(n)!)]));
      // The container's paths, moved into a folder of this task.
      const local = (path: string) => join(work, task.name, path.replace(/^\/tmp\/runtrail\//, ''));
      const copies = (task.arguments?.artifacts ?? []).map((a) => {
        const [, producer, output] = /^\{\{tasks\.([^.]+)\.outputs\.artifacts\.([^}]+)\}\}$/.exec(a.from)!;
        return { to: local(template.inputs!.artifacts!.find((x) => x.name === a.name)!.path), task: producer!, from: output! };
      });
      outputs.set(task.name, new Map((template.outputs?.artifacts ?? []).map((o) => [o.name, local(o.path)])));
      const args = template.container!.args.map((arg) =>
        arg.replace(/\{\{inputs\.parameters\.([^}]+)\}\}/g, (_, n: string) => given.get(n)!).replace(/\/tmp\/runtrail\/\S+/g, local),
      );
      expect(args.join(' ')).not.toContain('{{');
      return { name: task.name, deps: task.dependencies ?? [], command: template.container!.command, args, copies };
    });
    runLocally(tasks, outputs);
    expect(readSummary(outputs.get('report')!.get('summary')!)).toEqual(reference);
    rmSync(work, { recursive: true, force: true });
  });
});

describe('runtrail pipeline export --target airflow', () => {
  let airflowHome: string;
  beforeAll(() => {
    airflowHome = mkdtempSync(join(tmpdir(), 'runtrail-airflow-'));
    mkdirSync(join(airflowHome, 'dags'));
  });
  afterAll(() => rmSync(airflowHome, { recursive: true, force: true }));
  const airflowEnv = () => ({ AIRFLOW_HOME: airflowHome, AIRFLOW__CORE__LOAD_EXAMPLES: 'False', RUNTRAIL_PYTHON: PYTHON });

  it('writes a DAG file that Airflow imports without errors, one task per step, wired as the DAG', async () => {
    const r = await runtrail('pipeline', 'export', '--target', 'airflow');
    expect(r.code, r.stderr).toBe(0);
    const file = join(project, 'export/customers_dag.py');
    expect(r.stdout).toContain('Wrote export/customers_dag.py (airflow, 4 steps).');
    const result = await check<{ errors: Record<string, string>; dags: Record<string, { params: Record<string, unknown>; tasks: Record<string, string[]>; operators: string[] }> }>(
      checkerPython('airflow'),
      'check_airflow.py',
      file,
      airflowEnv(),
    );
    expect(result.errors).toEqual({});
    expect(Object.keys(result.dags)).toEqual(['runtrail_customers']);
    expect(result.dags.runtrail_customers).toEqual({
      params: { data_path: 'data/customers.csv', scale: 2, pause: 0, threshold: 0.5 },
      tasks: { load_data: [], lookup: [], build_features: ['load_data'], report: ['build_features', 'lookup'] },
      operators: ['BashOperator'],
    });
  });

  it('runs in Airflow (airflow dags test): every step in the project Python, computing what pipeline run computes', async () => {
    copyFileSync(join(project, 'export/customers_dag.py'), join(airflowHome, 'dags', 'customers_dag.py'));
    const airflow = checkerPython('airflow');
    const env = { ...process.env, ...airflowEnv() };
    await exec(airflow, ['-m', 'airflow', 'db', 'migrate'], { env, maxBuffer: 64 << 20 });
    const test = spawnSync(airflow, ['-m', 'airflow', 'dags', 'test', 'runtrail_customers', '--conf', '{"scale": 3}'], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
    const log = test.stdout + test.stderr;
    expect(test.status, log.slice(-4000)).toBe(0);
    expect(log).toMatch(/DagRun Finished: dag_id=runtrail_customers.*state=success/);
    for (const step of ['load_data', 'lookup', 'build_features', 'report']) expect(log).toContain(`runtrail step ${step}: output`);
    const runs = join(project, '.runtrail', 'airflow');
    const [runId] = readdirSync(runs);
    expect(readSummary(join(runs, runId!, 'report', 'summary'))).toEqual(reference);
  }, 600_000);
});

describe('runtrail pipeline export: bad input', () => {
  it('refuses an unknown target, --image for Airflow and an invalid pipeline.yaml, writing nothing', async () => {
    const unknown = await runtrail('pipeline', 'export', '--target', 'luigi', '--out', 'x.yaml');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--target: unknown target "luigi": use one of argo, kubeflow, airflow');
    const image = await runtrail('pipeline', 'export', '--target', 'airflow', '--image', 'x:1', '--out', 'x.py');
    expect(image.code).toBe(2);
    expect(image.stderr).toContain('--image: the Airflow DAG runs steps with the Python of its workers');

    const bad = mkdtempSync(join(tmpdir(), 'runtrail-export-bad-'));
    writeFileSync(join(bad, 'pipeline.yaml'), 'version: 1\nname: x\nsteps:\n  - name: Load\n    source: a.py\n    function: a\n    notebook: a.ipynb\n    cell: c\n');
    const invalid = await runtrail('pipeline', 'export', '--target', 'argo', '--project', bad);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('pipeline.yaml: steps[0].name: must be a lowercase Python identifier');
    expect(existsSync(join(bad, 'export'))).toBe(false);
    rmSync(bad, { recursive: true, force: true });
    expect(existsSync(join(project, 'x.yaml'))).toBe(false);
    expect(existsSync(join(project, 'x.py'))).toBe(false);
  });

  it('refuses steps whose Kubernetes names collide and inputs bound to notebook snapshots, naming the step and field', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'runtrail-export-bad-'));
    mkdirSync(join(bad, 'steps'));
    for (const name of ['_load', 'load']) writeFileSync(join(bad, 'steps', `${name}.py`), `def ${name}():\n    return {}\n`);
    const step = (name: string, extra = '') => `  - { name: ${name}, source: steps/${name}.py, function: ${name}, notebook: a.ipynb, cell: ${name}${extra} }\n`;
    writeFileSync(join(bad, 'pipeline.yaml'), `version: 1\nname: x\nsteps:\n${step('load')}${step('_load')}`);
    const collide = await runtrail('pipeline', 'export', '--target', 'kubeflow', '--project', bad);
    expect(collide.code).toBe(2);
    expect(collide.stderr).toContain('step "_load": steps[1].name: Kubeflow needs DNS-1123 names; "_load" and "load" both become "load"');
    // Airflow takes step names as they are.
    const airflow = await runtrail('pipeline', 'export', '--target', 'airflow', '--project', bad);
    expect(airflow.code, airflow.stderr).toBe(0);

    writeFileSync(join(bad, 'pipeline.yaml'), `version: 1\nname: x\nsteps:\n${step('load', ', inputs: [{ name: df, from: data, snapshot: abc }]')}`);
    const data = await runtrail('pipeline', 'export', '--target', 'argo', '--project', bad, '--out', join(bad, 'w.yaml'));
    expect(data.code).toBe(2);
    expect(data.stderr).toContain('step "load": steps[0].inputs[0]: input "df" is data bound to a notebook snapshot');
    expect(existsSync(join(bad, 'w.yaml'))).toBe(false);
    expect(readdirSync(bad).filter((f) => f.includes('.tmp'))).toEqual([]);
    rmSync(bad, { recursive: true, force: true });
  });
});

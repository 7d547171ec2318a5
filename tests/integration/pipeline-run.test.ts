/**
 * `runtrail pipeline run|status` end to end: cells of a sample notebook (tests/fixtures/notebooks/customers.ipynb)
 * are promoted with the bundled CLI, then run by the repository's Python venv (pandas, numpy, pyarrow) against a
 * real backend, which records the pipeline runs, their step runs and the outputs' blobs.
 *
 * The pipeline: load_data(data_path) -> build_features(threshold) -> report <- lookup(scale, pause).
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuntrailClient } from '@runtrail/core/client';
import type { Run } from '@runtrail/core/schema';
import { CLI, REPO, startBackend, tempDataDir, type BackendProcess } from './harness';

const exec = promisify(execFile);
const FIXTURES = join(REPO, 'tests/fixtures');
const PYTHON = join(REPO, '.venv/bin/python');

interface StepResult {
  step: string;
  outcome: 'cached' | 'ran' | 'failed' | 'blocked' | 'cancelled';
  reasons: string[];
  error?: string;
  runId?: string;
}
interface RunJson {
  pipeline: string;
  runs: Array<{ status: string; runId?: string; params: Record<string, unknown>; steps: StepResult[] }>;
}

let backend: BackendProcess;
let client: RuntrailClient;
const data = tempDataDir();
let project: string;

function env(): NodeJS.ProcessEnv {
  return { ...process.env, RUNTRAIL_URL: backend.url, RUNTRAIL_TOKEN: backend.token, RUNTRAIL_PYTHON: PYTHON };
}

async function runtrail(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [CLI, ...args], { cwd: project, env: env(), maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function run(...args: string[]): Promise<{ code: number; json: RunJson; stderr: string }> {
  const r = await runtrail('pipeline', 'run', '--json', ...args);
  let json: RunJson;
  try {
    json = JSON.parse(r.stdout) as RunJson;
  } catch {
    throw new Error(`pipeline run printed no JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, json, stderr: r.stderr };
}

const outcomes = (steps: StepResult[]) => Object.fromEntries(steps.map((s) => [s.step, s.outcome]));

async function childRuns(parentId: string): Promise<Run[]> {
  const parent = await client.call('getRun', { params: { runId: parentId } });
  const page = await client.call('searchRuns', { body: { experimentIds: [parent.experimentId], pageSize: 1000 } });
  return page.runs.filter((r) => r.parentRunId === parentId);
}

const tag = (run: Run, key: string) => run.tags.find((t) => t.key === key)?.value;

beforeAll(async () => {
  backend = await startBackend(data.dir);
  client = new RuntrailClient({ baseUrl: backend.url, token: backend.token });
  project = mkdtempSync(join(tmpdir(), 'runtrail-pipeline-run-'));
  mkdirSync(join(project, 'data'));
  copyFileSync(join(FIXTURES, 'notebooks/customers.ipynb'), join(project, 'customers.ipynb'));
  copyFileSync(join(FIXTURES, 'data/customers.csv'), join(project, 'data/customers.csv'));
  for (const [cell, name] of [['load', 'load_data'], ['lookup', 'lookup'], ['features', 'build_features'], ['report', 'report']]) {
    const r = await runtrail('pipeline', 'promote', 'customers.ipynb', '--cell', cell!, '--name', name!, '--yes', '--offline');
    expect(r.code, r.stderr).toBe(0);
  }
});
afterAll(async () => {
  await backend?.stop();
  data.remove();
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('runtrail pipeline run', () => {
  let first: RunJson['runs'][number];

  it('runs every step the first time, each a tracked run under the pipeline run, with outputs in the blob store', async () => {
    const { code, json, stderr } = await run('--jobs', '2');
    expect(code, stderr).toBe(0);
    first = json.runs[0]!;
    expect(first.status).toBe('finished');
    expect(outcomes(first.steps)).toEqual({ load_data: 'ran', lookup: 'ran', build_features: 'ran', report: 'ran' });
    expect(first.steps.find((s) => s.step === 'load_data')!.reasons).toEqual(['never run']);
    // Independent steps run at the same time: lookup starts before load_data has finished.
    expect(stderr.indexOf('lookup          running')).toBeGreaterThanOrEqual(0);
    expect(stderr.indexOf('lookup          running')).toBeLessThan(stderr.search(/load_data\s+done/));

    const pipelineRun = await client.call('getRun', { params: { runId: first.runId! } });
    expect(pipelineRun).toMatchObject({ status: 'finished', source: { kind: 'pipeline', pipeline: 'customers' }, parentRunId: null });
    const children = await childRuns(first.runId!);
    expect(children.map((r) => r.name).sort()).toEqual(['customers/build_features', 'customers/load_data', 'customers/lookup', 'customers/report']);
    const byStep: Record<string, Run> = Object.fromEntries(children.map((r) => [tag(r, 'runtrail.pipeline.step') ?? '', r]));
    for (const r of children) expect(r.status).toBe('finished');

    // Outputs: a DataFrame is stored as parquet with a data snapshot, a numpy array as .npy, a dict pickled.
    const load = byStep.load_data!;
    expect(load.artifacts.map((a) => a.path)).toEqual(['outputs/raw.parquet']);
    expect(load.snapshots).toMatchObject([{ name: 'raw', kind: 'pandas', shape: [4, 2] }]);
    expect(load.params).toEqual([expect.objectContaining({ key: 'data_path', value: 'data/customers.csv' })]);
    expect(tag(load, 'runtrail.file.data/customers.csv')).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(byStep.lookup!.artifacts.map((a) => a.path)).toEqual(['outputs/weights.npy']);
    expect(byStep.report!.artifacts.map((a) => a.path)).toEqual(['outputs/summary.pickle']);
    const blob = await client.call('getBlob', { params: { sha256: load.artifacts[0]!.sha256 } });
    expect(Buffer.from(blob.subarray(0, 4)).toString()).toBe('PAR1');

    // Lineage: each input names its fingerprint, its producing step and that step's run.
    const features = byStep.build_features!;
    expect(tag(features, 'runtrail.input.raw')).toBe(load.snapshots[0]!.fingerprint);
    expect(tag(features, 'runtrail.input.raw.step')).toBe('load_data');
    expect(tag(features, 'runtrail.input.raw.run')).toBe(load.id);
    expect(tag(byStep.report!, 'runtrail.input.weights.run')).toBe(byStep.lookup!.id);
  });

  it('a second run is fully cached, and status says so', async () => {
    const { code, json } = await run();
    expect(code).toBe(0);
    expect(outcomes(json.runs[0]!.steps)).toEqual({ load_data: 'cached', lookup: 'cached', build_features: 'cached', report: 'cached' });
    const children = await childRuns(json.runs[0]!.runId!);
    const load = children.find((r) => tag(r, 'runtrail.pipeline.step') === 'load_data')!;
    expect(tag(load, 'runtrail.pipeline.cache')).toBe('hit');
    expect(tag(load, 'runtrail.pipeline.produced_by')).toBe(first.steps.find((s) => s.step === 'load_data')!.runId);

    const status = await runtrail('pipeline', 'status');
    expect(status.stdout).toMatch(/load_data\s+cached/);
    expect(status.stdout).toMatch(/report\s+cached/);
  });

  it("a cached output deleted locally comes back from the backend's blob store instead of re-running", async () => {
    rmSync(join(project, '.runtrail/pipeline/blobs'), { recursive: true, force: true });
    const { code, json } = await run();
    expect(code).toBe(0);
    expect(outcomes(json.runs[0]!.steps)).toEqual({ load_data: 'cached', lookup: 'cached', build_features: 'cached', report: 'cached' });
    expect(readdirSync(join(project, '.runtrail/pipeline/blobs'))).toHaveLength(4);
  });

  it('--only runs a step and what it reads from; --force runs it even when cached', async () => {
    const only = await run('--only', 'build_features');
    expect(outcomes(only.json.runs[0]!.steps)).toEqual({ load_data: 'cached', build_features: 'cached' });
    const forced = await run('--only', 'lookup', '--force');
    expect(outcomes(forced.json.runs[0]!.steps)).toEqual({ lookup: 'ran' });
    expect(forced.json.runs[0]!.steps[0]!.reasons).toEqual(['--force']);
  });

  it('changing a param re-runs only the steps that depend on it', async () => {
    const status = JSON.parse((await runtrail('pipeline', 'status', '--param', 'scale=3', '--json')).stdout) as { steps: Array<{ step: string; state: string; reasons: string[] }> };
    expect(status.steps.find((s) => s.step === 'lookup')).toMatchObject({ state: 'stale', reasons: ['param changed: scale'] });
    expect(status.steps.find((s) => s.step === 'load_data')!.state).toBe('cached');

    const { code, json } = await run('--param', 'scale=3');
    expect(code).toBe(0);
    const steps = json.runs[0]!.steps;
    expect(outcomes(steps)).toEqual({ load_data: 'cached', lookup: 'ran', build_features: 'cached', report: 'ran' });
    expect(steps.find((s) => s.step === 'lookup')!.reasons).toEqual(['param changed: scale']);
    expect(steps.find((s) => s.step === 'report')!.reasons).toEqual(['input changed: weights']);
    expect(json.runs[0]!.params).toMatchObject({ scale: 3, threshold: 0.5 });
  });

  it('changing an input data file re-runs only its dependents', async () => {
    appendFileSync(join(project, 'data/customers.csv'), '5,3.0\n');
    const status = await runtrail('pipeline', 'status');
    expect(status.stdout).toMatch(/load_data\s+stale\s+input file changed: data\/customers\.csv/);
    expect(status.stdout).toMatch(/lookup\s+cached/);

    const { code, json } = await run();
    expect(code).toBe(0);
    expect(outcomes(json.runs[0]!.steps)).toEqual({ load_data: 'ran', lookup: 'cached', build_features: 'ran', report: 'ran' });
    const again = await run();
    expect(outcomes(again.json.runs[0]!.steps)).toEqual({ load_data: 'cached', lookup: 'cached', build_features: 'cached', report: 'cached' });
  });

  it('--sweep of three values makes three pipeline runs, each the parent of its step runs', async () => {
    const { code, json } = await run('--sweep', 'threshold=0.1,0.8,1.2');
    expect(code).toBe(0);
    expect(json.runs.map((r) => r.params.threshold)).toEqual([0.1, 0.8, 1.2]);
    for (const r of json.runs) {
      expect(r.status).toBe('finished');
      const parent = await client.call('getRun', { params: { runId: r.runId! } });
      expect(parent.params).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'threshold', value: r.params.threshold })]));
      expect(tag(parent, 'runtrail.pipeline.sweep')).toBe(`threshold=${r.params.threshold}`);
      const children = await childRuns(r.runId!);
      expect(children).toHaveLength(4);
      const features = children.find((c) => tag(c, 'runtrail.pipeline.step') === 'build_features')!;
      expect(features.params).toEqual([expect.objectContaining({ key: 'threshold', value: r.params.threshold })]);
    }
    // Only the steps downstream of threshold ran again; the rows kept differ per value.
    expect(outcomes(json.runs[0]!.steps)).toEqual({ load_data: 'cached', lookup: 'cached', build_features: 'ran', report: 'ran' });
    const shapes = await Promise.all(json.runs.map(async (r) => {
      const children = await childRuns(r.runId!);
      return children.find((c) => tag(c, 'runtrail.pipeline.step') === 'build_features')!.snapshots[0]!.shape[0];
    }));
    expect(shapes).toEqual([5, 3, 2]);
  });

  it('a failing step stops only its dependents, with an error naming the step', async () => {
    const r = await runtrail('pipeline', 'run', '--param', 'scale=-1');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('step "lookup" failed: ValueError: scale must be >= 0, got -1');
    expect(r.stderr).toContain('not run: report');
    expect(r.stdout).toMatch(/lookup\s+FAILED/);
    expect(r.stdout).toMatch(/report\s+not run: upstream step "lookup" failed/);
    expect(r.stdout).toMatch(/build_features\s+cached/);
    expect(r.stdout).toMatch(/pipeline failed: 0 ran, 2 cached, 1 failed, 1 not run/);
  });

  it('Ctrl-C cancels: the running step is killed, its run ends as killed, nothing half-written is kept', async () => {
    const child = spawn(process.execPath, [CLI, 'pipeline', 'run', '--param', 'pause=60', '--param', 'scale=5'], { cwd: project, env: env() });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const started = Date.now();
    while (!/lookup\s+running/.test(out)) {
      if (Date.now() - started > 30_000) throw new Error(`lookup never started: ${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1500)); // let the step process reach its sleep
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(out).toMatch(/lookup\s+cancelled/);
    expect(out).toContain('cancelled: running steps were stopped');
    expect(readdirSync(join(project, '.runtrail/pipeline/tmp'))).toEqual([]);

    const status = JSON.parse((await runtrail('pipeline', 'status', '--param', 'pause=60', '--param', 'scale=5', '--json')).stdout) as { steps: Array<{ step: string; state: string }> };
    expect(status.steps.find((s) => s.step === 'lookup')!.state).toBe('stale');
    const page = await client.call('searchRuns', { body: { filter: [{ field: 'tags.runtrail.pipeline.step', op: '=', value: 'lookup' }], pageSize: 1000 } });
    expect(page.runs.filter((r) => r.status === 'killed')).toHaveLength(1);
    expect(existsSync(join(project, '.runtrail/pipeline/entries'))).toBe(true);
  });
});

describe('runtrail pipeline run refuses what it cannot run', () => {
  let other: string;
  const yaml = `version: 1
name: odd
params: { n: 3, table_path: data/t.parquet }
steps:
  - name: make
    source: pipeline/steps/make.py
    function: make
    notebook: odd.ipynb
    cell: make
    outputs: [{ name: fn }]
    params: [n]
  - name: use
    source: pipeline/steps/use.py
    function: use
    notebook: odd.ipynb
    cell: use
    inputs: [{ name: fn, from: step, step: make, output: fn }]
  - name: from_notebook
    source: pipeline/steps/from_notebook.py
    function: from_notebook
    notebook: odd.ipynb
    cell: nb
    inputs: [{ name: raw, from: data, snapshot: 'xxh128:00ff' }]
  - name: make_point
    source: pipeline/steps/make_point.py
    function: make_point
    notebook: odd.ipynb
    cell: point
    outputs: [{ name: point }]
  - name: use_point
    source: pipeline/steps/use_point.py
    function: use_point
    notebook: odd.ipynb
    cell: use_point
    inputs: [{ name: point, from: step, step: make_point, output: point }]
    outputs: [{ name: norm }]
  - name: read_table
    source: pipeline/steps/read_table.py
    function: read_table
    notebook: odd.ipynb
    cell: table
    outputs: [{ name: rows }]
    params: [table_path]
  - name: fine
    source: pipeline/steps/fine.py
    function: fine
    notebook: odd.ipynb
    cell: fine
    outputs: [{ name: total }]
    params: [n]
`;
  beforeAll(() => {
    other = mkdtempSync(join(tmpdir(), 'runtrail-pipeline-odd-'));
    mkdirSync(join(other, 'pipeline/steps'), { recursive: true });
    writeFileSync(join(other, 'pipeline.yaml'), yaml);
    writeFileSync(join(other, 'pipeline/steps/make.py'), 'import threading\n\ndef make(n):\n    return {"fn": threading.Lock()}\n');
    writeFileSync(join(other, 'pipeline/steps/use.py'), 'def use(fn):\n    return {}\n');
    writeFileSync(join(other, 'pipeline/steps/from_notebook.py'), 'def from_notebook(raw):\n    return {}\n');
    writeFileSync(
      join(other, 'pipeline/steps/make_point.py'),
      'from dataclasses import dataclass\n\n@dataclass\nclass Point:\n    x: int\n    y: int\n\ndef make_point():\n    return {"point": Point(3, 4)}\n',
    );
    writeFileSync(join(other, 'pipeline/steps/use_point.py'), 'def use_point(point):\n    return {"norm": (point.x ** 2 + point.y ** 2) ** 0.5}\n');
    writeFileSync(join(other, 'pipeline/steps/read_table.py'), 'import pyarrow.parquet as pq\n\ndef read_table(table_path):\n    return {"rows": pq.read_table(table_path).num_rows}\n');
    mkdirSync(join(other, 'data'));
    execFileSync(PYTHON, ['-c', 'import sys, pyarrow as pa, pyarrow.parquet as pq; pq.write_table(pa.table({"a": [1, 2, 3]}), sys.argv[1])', join(other, 'data/t.parquet')]);
    writeFileSync(join(other, 'pipeline/steps/fine.py'), 'from helpers import double\n\ndef fine(n):\n    return {"total": double(n)}\n');
    writeFileSync(join(other, 'pipeline/steps/helpers.py'), 'def double(x):\n    return 2 * x\n');
  });
  afterAll(() => {
    if (other) rmSync(other, { recursive: true, force: true });
  });
  const inOther = (...args: string[]) => runtrailIn(other, ...args);

  it('an output that cannot be serialized and a data input fail their steps by name; the others still run', async () => {
    const r = await inOther('pipeline', 'run', '--offline');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`step "make" failed: output 'fn' (lock) cannot be serialized`);
    expect(r.stderr).toContain('step "from_notebook": input "raw" is data from the notebook (snapshot xxh128:00ff)');
    expect(r.stderr).toContain('not run: use');
    expect(r.stdout).toMatch(/fine\s+done/);
    // An instance of a class a step defines is pickled and read back by the next step.
    expect(r.stdout).toMatch(/make_point\s+done/);
    expect(r.stdout).toMatch(/use_point\s+done/);
    const status = await inOther('pipeline', 'status');
    expect(status.stdout).toMatch(/make\s+stale\s+never run/);
    expect(status.stdout).toMatch(/from_notebook\s+stale\s+cannot run: input "raw" is data from the notebook/);
    expect(status.stdout).toMatch(/fine\s+cached/);
  });

  it('a data file named by a param counts as read even when pyarrow reads it natively', async () => {
    expect((await inOther('pipeline', 'status')).stdout).toMatch(/read_table\s+cached/);
    execFileSync(PYTHON, ['-c', 'import sys, pyarrow as pa, pyarrow.parquet as pq; pq.write_table(pa.table({"a": [1, 2]}), sys.argv[1])', join(other, 'data/t.parquet')]);
    expect((await inOther('pipeline', 'status')).stdout).toMatch(/read_table\s+stale\s+input file changed: data\/t\.parquet/);
  });

  it('a change to a project module the step imports makes it stale', async () => {
    writeFileSync(join(other, 'pipeline/steps/helpers.py'), 'def double(x):\n    return x + x\n');
    const status = await inOther('pipeline', 'status');
    expect(status.stdout).toMatch(/fine\s+stale\s+code changed: pipeline\/steps\/helpers\.py/);
  });

  it('bad --param, --sweep and --only are usage errors naming the option', async () => {
    expect(await inOther('pipeline', 'run', '--offline', '--param', 'm=1')).toMatchObject({ code: 2, stderr: expect.stringContaining('--param: "m" is not a param of pipeline.yaml (params: n, table_path)') });
    expect(await inOther('pipeline', 'run', '--offline', '--sweep', 'n')).toMatchObject({ code: 2, stderr: expect.stringContaining('--sweep: "n" must look like name=value') });
    expect(await inOther('pipeline', 'run', '--offline', '--only', 'nope')).toMatchObject({ code: 2, stderr: expect.stringContaining('--only: no step named "nope"') });
  });

  it('an invalid pipeline.yaml names the step and field, and nothing runs', async () => {
    writeFileSync(join(other, 'pipeline.yaml'), yaml.replace('output: fn }', 'output: nothing }'));
    const r = await inOther('pipeline', 'run', '--offline');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('steps[1].inputs[0].output');
    expect(r.stderr).toContain('step "make" has no output "nothing"');
    expect(r.stdout).toBe('');
  });
});

async function runtrailIn(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, RUNTRAIL_PYTHON: PYTHON } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

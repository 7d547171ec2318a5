/**
 * `runtrail pipeline promote|demote` on sample notebooks (tests/fixtures/notebooks), run as the bundled CLI against
 * a real backend holding the notebook's last run; generated step modules are compiled by the project's Python.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuntrailClient } from '@runtrail/core/client';
import { parsePipelineYaml } from '@runtrail/core/pipeline';
import { CLI, REPO, startBackend, tempDataDir, type BackendProcess } from './harness';

const exec = promisify(execFile);
const FIXTURES = join(REPO, 'tests/fixtures/notebooks');
const PYTHON = join(REPO, '.venv/bin/python');
const RAW_FINGERPRINT = 'xxh3:0f1e2d3c4b5a69788796a5b4c3d2e1f0';

let backend: BackendProcess;
const data = tempDataDir();
let project: string;

async function runtrail(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [CLI, ...args], {
      cwd: project,
      env: { ...process.env, RUNTRAIL_URL: backend.url, RUNTRAIL_TOKEN: backend.token },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const read = (path: string) => readFileSync(join(project, path), 'utf8');
const notebookJson = (path = 'nb/churn.ipynb') => JSON.parse(read(path)) as { cells: Array<{ id: string; metadata: { tags?: string[] } }> };
const tagsOf = (id: string) => notebookJson().cells.find((c) => c.id === id)!.metadata.tags ?? [];

/** Every file of the project with its content, to show that a refused command changed nothing. */
function snapshotTree(dir = project, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix + entry.name;
    if (entry.isDirectory()) Object.assign(out, snapshotTree(join(dir, entry.name), `${rel}/`));
    else out[rel] = readFileSync(join(dir, entry.name), 'utf8');
  }
  return out;
}

async function compiles(path: string): Promise<void> {
  await exec(PYTHON, ['-m', 'py_compile', join(project, path)]);
}

beforeAll(async () => {
  backend = await startBackend(data.dir);
  const client = new RuntrailClient({ baseUrl: backend.url, token: backend.token });
  await client.call('createExperiment', { body: { id: 'exp-churn', name: 'churn.ipynb' } });
  await client.call('createRun', { body: { id: 'run-churn-1', experimentId: 'exp-churn', name: 'churn #1', startTime: 1000 } });
  await client.call('attachSnapshots', {
    params: { runId: 'run-churn-1' },
    body: { snapshots: [{ id: 'snap-raw', name: 'raw', kind: 'pandas', fingerprint: RAW_FINGERPRINT, shape: [10, 2], capturedAt: 1500 }] },
  });
  await client.call('finishRun', { params: { runId: 'run-churn-1' }, body: { status: 'finished', endTime: 2000 } });
  project = mkdtempSync(join(tmpdir(), 'runtrail-promote-'));
  mkdirSync(join(project, 'nb'));
  copyFileSync(join(FIXTURES, 'churn.ipynb'), join(project, 'nb/churn.ipynb'));
  copyFileSync(join(FIXTURES, 'problems.ipynb'), join(project, 'nb/problems.ipynb'));
});
afterAll(async () => {
  await backend?.stop();
  data.remove();
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('runtrail pipeline promote', () => {
  it('shows the preview and writes nothing without --yes', async () => {
    const before = snapshotTree();
    const r = await runtrail('pipeline', 'promote', 'nb/churn.ipynb', '--cell', 'features');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Promote cell 6 (id features) of nb/churn.ipynb to step "build_features"');
    expect(r.stdout).toMatch(/raw\s+data\s+snapshot xxh3:0f1e2d3c4b5\s+pandas\.DataFrame/);
    expect(r.stdout).toContain('threshold = 0.5');
    expect(r.stdout).toContain('Nothing written: pass --yes');
    expect(snapshotTree()).toEqual(before);
  });

  it('asks on a terminal and writes only after a yes', async () => {
    // `script` gives the command a real terminal; the answer is typed into it.
    const dir = mkdtempSync(join(tmpdir(), 'runtrail-tty-'));
    try {
      copyFileSync(join(FIXTURES, 'churn.ipynb'), join(dir, 'churn.ipynb'));
      const ask = (answer: string) =>
        new Promise<string>((resolve, reject) => {
          const command = `${process.execPath} ${CLI} pipeline promote churn.ipynb --cell features --offline`;
          const child = execFile('script', ['-qec', command, '/dev/null'], { cwd: dir, timeout: 30_000 }, (error, stdout) =>
            error ? reject(error) : resolve(stdout),
          );
          setTimeout(() => child.stdin!.write(`${answer}\n`), 1500);
        });
      expect(await ask('n')).toMatch(/Write these changes\? \[y\/N\][\s\S]*Nothing written\./);
      expect(existsSync(join(dir, 'pipeline.yaml'))).toBe(false);
      expect(await ask('y')).toMatch(/Written\./);
      expect(parsePipelineYaml(readFileSync(join(dir, 'pipeline.yaml'), 'utf8')).steps.map((s) => s.name)).toEqual(['build_features']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes the step module, pipeline.yaml and the cell tag with --yes', async () => {
    const original = notebookJson();
    const r = await runtrail('pipeline', 'promote', 'nb/churn.ipynb', '--cell', 'features', '--yes', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.written).toBe(true);
    expect(out.preview.inputs).toEqual([{ name: 'raw', from: 'data', snapshot: RAW_FINGERPRINT, type: 'pandas.DataFrame', cell: 3 }]);
    expect(out.preview.outputs.map((o: { name: string }) => o.name)).toEqual(['features', 'summary']);
    expect(out.files.writes).toEqual(['pipeline/steps/build_features.py', 'pipeline.yaml']);

    const module = read('pipeline/steps/build_features.py');
    expect(module).toContain('def add_ratio(df):');
    expect(module).toContain('def build_features(raw: pandas.DataFrame, threshold: float = 0.5) -> BuildFeaturesOutputs:');
    expect(module).toContain('    pass  # IPython: !echo {threshold}');
    await compiles('pipeline/steps/build_features.py');

    const spec = parsePipelineYaml(read('pipeline.yaml'));
    expect(spec.params).toEqual({ threshold: 0.5 });
    expect(spec.steps).toEqual([expect.objectContaining({
      name: 'build_features', source: 'pipeline/steps/build_features.py', notebook: 'nb/churn.ipynb', cell: 'features',
      inputs: [{ name: 'raw', from: 'data', snapshot: RAW_FINGERPRINT, type: 'pandas.DataFrame', format: 'parquet' }],
    })]);

    // Only the cell's tags changed; the rest of the notebook JSON is as it was.
    const after = notebookJson();
    expect(after.cells.find((c) => c.id === 'features')!.metadata.tags).toEqual(['runtrail-step:build_features']);
    delete after.cells.find((c) => c.id === 'features')!.metadata.tags;
    expect(after).toEqual(original);
    expect(readdirSync(join(project, 'nb')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('wires an input produced by an existing step to it', async () => {
    const r = await runtrail('pipeline', 'promote', 'nb/churn.ipynb', '--cell', '8', '--name', 'train', '--yes');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/features\s+step\s+build_features\.features/);
    expect(r.stdout).toContain('Upstream steps: build_features');
    const spec = parsePipelineYaml(read('pipeline.yaml'));
    expect(spec.steps.map((s) => s.name)).toEqual(['build_features', 'train']);
    expect(spec.steps[1]!.inputs).toEqual([
      { name: 'features', from: 'step', step: 'build_features', output: 'features', type: 'object' },
      { name: 'summary', from: 'step', step: 'build_features', output: 'summary', type: 'object' },
    ]);
    expect(spec.params).toEqual({ threshold: 0.5, n_estimators: 20 });
    expect(tagsOf('train')).toEqual(['runtrail-step:train']);
    await compiles('pipeline/steps/train.py');
  });

  it('updates a step in place when its cell is promoted again', async () => {
    const nb = JSON.parse(read('nb/churn.ipynb'));
    const cell = nb.cells.find((c: { id: string }) => c.id === 'train');
    cell.source = ['from collections import Counter\n', 'counts = Counter(features.b)\n', 'score = 2 * len(features) / n_estimators\n', 'print(summary, score)'];
    writeFileSync(join(project, 'nb/churn.ipynb'), JSON.stringify(nb, null, 1) + '\n');
    const r = await runtrail('pipeline', 'promote', 'nb/churn.ipynb', '--cell', 'train', '--yes', '--json');
    expect(JSON.parse(r.stdout).preview.update).toBe(true);
    expect(parsePipelineYaml(read('pipeline.yaml')).steps.map((s) => s.name)).toEqual(['build_features', 'train']);
    expect(read('pipeline/steps/train.py')).toContain('    score = 2 * len(features) / n_estimators');
    expect(tagsOf('train')).toEqual(['runtrail-step:train']);
  });

  it('generates steps that compute what the notebook computes', async () => {
    // Run the notebook's cells in a real IPython shell (magics and all), then call the two step functions the
    // way a runner would, feeding the first step's outputs to the second, and compare with the notebook's values.
    const script = [
      'import importlib.util, json, sys',
      'from IPython.core.interactiveshell import InteractiveShell',
      'project, notebook = sys.argv[1], sys.argv[2]',
      'shell = InteractiveShell.instance()',
      'for cell in json.load(open(notebook))["cells"]:',
      '    if cell["cell_type"] == "code":',
      '        shell.run_cell("".join(cell["source"]), silent=True).raise_error()',
      'ns = shell.user_ns',
      'def step(name):',
      '    spec = importlib.util.spec_from_file_location(name, f"{project}/pipeline/steps/{name}.py")',
      '    module = importlib.util.module_from_spec(spec)',
      '    spec.loader.exec_module(module)',
      '    return getattr(module, name)',
      'a = step("build_features")(raw=ns["raw"], threshold=ns["threshold"])',
      'b = step("train")(features=a["features"], summary=a["summary"], n_estimators=ns["n_estimators"])',
      'print(json.dumps({"outputs": [sorted(a), sorted(b)], "same": [a["features"].equals(ns["features"]),',
      '    a["summary"] == ns["summary"], b["counts"] == ns["counts"], b["score"] == ns["score"]], "score": b["score"]}))',
    ].join('\n');
    const { stdout } = await exec(PYTHON, ['-c', script, project, join(project, 'nb/churn.ipynb')]);
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(result.outputs).toEqual([['features', 'summary'], ['counts', 'score']]);
    expect(result.same).toEqual([true, true, true, true]);
    expect(result.score).toBeGreaterThan(0);
  });

  it('refuses to demote a step others read from, then demotes in dependency order', async () => {
    const refused = await runtrail('pipeline', 'demote', 'nb/churn.ipynb', '--cell', 'features', '--yes');
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(
      'runtrail: error: step "build_features": steps: step "train" reads an output of this step (steps[1].inputs[0]); demote "train" first',
    );
    const r = await runtrail('pipeline', 'demote', 'nb/churn.ipynb', '--cell', 'train', '--yes');
    expect(r.code).toBe(0);
    expect(existsSync(join(project, 'pipeline/steps/train.py'))).toBe(false);
    const spec = parsePipelineYaml(read('pipeline.yaml'));
    expect(spec.steps.map((s) => s.name)).toEqual(['build_features']);
    expect(spec.params).toEqual({ threshold: 0.5 });
    expect(tagsOf('train')).toEqual([]);
  });

  it('reports star imports, syntax errors, missing inputs and non-Python cells, writing nothing', async () => {
    const before = snapshotTree();
    const cases: Array<[string, RegExp]> = [
      ['missing', /^runtrail: error: step "step_0": inputs: cell 0 reads "undefined_name", which no cell above it defines$/],
      ['broken', /^runtrail: error: step "step_1": cell: cell 1 has a syntax error at line 2, column 3/],
      ['bash', /^runtrail: error: step "step_2": cell: cell 2 is a %%bash cell, not Python$/],
      ['star', /^runtrail: error: step "step_3": imports: cell 3 has "from math import \*"/],
      ['after-star', /^runtrail: error: step "step_4": imports: cell 3 has "from math import \*"/],
      ['nope', /^runtrail: error: cell: no cell with id "nope"$/],
      ['99', /^runtrail: error: cell: no cell with index 99 \(the notebook has 5 cells\)$/],
    ];
    for (const [cell, message] of cases) {
      const r = await runtrail('pipeline', 'promote', 'nb/problems.ipynb', '--cell', cell, '--yes');
      expect(r.code, cell).toBe(1);
      expect(r.stderr.trim().split('\n'), cell).toHaveLength(1);
      expect(r.stderr.trim(), cell).toMatch(message);
    }
    expect(snapshotTree()).toEqual(before);
  });

  it('names the step and field of an invalid pipeline.yaml and leaves everything as it was', async () => {
    const broken = read('pipeline.yaml').replace('format: parquet', 'format: feather');
    writeFileSync(join(project, 'pipeline.yaml'), broken);
    const before = snapshotTree();
    const r = await runtrail('pipeline', 'promote', 'nb/churn.ipynb', '--cell', 'train', '--yes');
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^runtrail: error: step "build_features": pipeline\.yaml: steps\[0\]\.inputs\[0\]\.format: .*"parquet"/);
    expect(snapshotTree()).toEqual(before);
    writeFileSync(join(project, 'pipeline.yaml'), broken.replace('format: feather', 'format: parquet'));
  });

  it('writes nothing when one of the files cannot be written', async () => {
    rmSync(join(project, 'pipeline/steps'), { recursive: true });
    writeFileSync(join(project, 'pipeline/steps'), 'a file where the steps folder should be');
    const before = snapshotTree();
    const r = await runtrail('pipeline', 'promote', 'nb/churn.ipynb', '--cell', 'train', '--yes');
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^runtrail: error: cannot write the changes, nothing was changed: EEXIST/);
    expect(snapshotTree()).toEqual(before);
  });
});

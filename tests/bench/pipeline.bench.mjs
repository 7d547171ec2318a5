/**
 * No-op re-run of a cached 20-step pipeline: `runtrail pipeline run` against `dvc repro` of the equivalent
 * dvc.yaml, measured in the same run on the same step scripts (goal from issue 5: <= 1 s and faster than dvc).
 *
 * The pipeline is a chain of 20 numpy steps (step i reads step i-1's array, step 0 takes a param). Both tools run
 * it once to fill their caches, then each no-op re-run is timed as the user sees it: the whole command, process
 * start included. runtrail is timed untracked (--offline) and tracked by a real backend (20 step runs and one
 * pipeline run recorded per re-run). dvc (pinned below) lives in its own venv under .cache/bench so its
 * dependencies never touch the test venv; it is installed from PyPI on first use. Method: docs/benchmarks.md.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const DVC_VERSION = '3.67.1';
const STEPS = 20;
const REPEATS = 5;
const GOAL_MS = 1000;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'packages', 'cli', 'dist', 'runtrail.mjs');
const python = process.env.RUNTRAIL_PYTHON ?? join(ROOT, '.venv', 'bin', 'python');
if (!existsSync(python)) fail(`no Python venv at ${python}: run \`node scripts/test.mjs python\` (or npm run bench) first`);
if (!existsSync(CLI)) execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), 'cli'], { stdio: 'inherit' });

function fail(message) {
  console.error(message);
  process.exit(1);
}

/** dvc in .cache/bench/dvc-<version>, created on first use. */
function ensureDvc() {
  const venv = join(ROOT, '.cache', 'bench', `dvc-${DVC_VERSION}`);
  const dvc = join(venv, 'bin', 'dvc');
  if (existsSync(dvc)) return dvc;
  console.log(`installing dvc ${DVC_VERSION} into ${venv} (first run only)...`);
  mkdirSync(dirname(venv), { recursive: true });
  const base = spawnSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
  if (base.status !== 0) fail('cannot create a venv for dvc');
  const pip = spawnSync(join(venv, 'bin', 'pip'), ['install', '--disable-pip-version-check', '-q', `dvc==${DVC_VERSION}`], { stdio: 'inherit' });
  if (pip.status !== 0) fail(`pip could not install dvc==${DVC_VERSION}`);
  return dvc;
}

/** Writes the step scripts, pipeline.yaml and dvc.yaml of the same 20-step chain. */
function makeProject(dir) {
  mkdirSync(join(dir, 'steps'));
  mkdirSync(join(dir, 'out'));
  const yaml = ['version: 1', 'name: chain', 'params: { scale: 2 }', 'steps:'];
  const dvc = ['stages:'];
  for (let i = 0; i < STEPS; i++) {
    const input = i === 0 ? '' : 'x';
    const body = i === 0 ? 'np.arange(1000, dtype=np.float64) * scale' : `x * 1.0001 + ${i}`;
    writeFileSync(
      join(dir, 'steps', `s${i}.py`),
      [
        'import numpy as np',
        '',
        '',
        `def s${i}(${i === 0 ? 'scale' : input}):`,
        `    return {"y": ${body}}`,
        '',
        '',
        'if __name__ == "__main__":  # dvc runs the file; runtrail calls the function',
        i === 0 ? '    out = s0(2)' : `    out = s${i}(np.load("out/s${i - 1}.npy"))`,
        `    np.save("out/s${i}.npy", out["y"])`,
        '',
      ].join('\n'),
    );
    yaml.push(
      `  - name: s${i}`,
      `    source: steps/s${i}.py`,
      `    function: s${i}`,
      '    notebook: chain.ipynb',
      `    cell: c${i}`,
      i === 0 ? '    inputs: []' : `    inputs: [{ name: x, from: step, step: s${i - 1}, output: y }]`,
      '    outputs: [{ name: y, type: numpy.ndarray, format: npy }]',
      i === 0 ? '    params: [scale]' : '    params: []',
    );
    dvc.push(
      `  s${i}:`,
      `    cmd: ${python} steps/s${i}.py`,
      '    deps:',
      `      - steps/s${i}.py`,
      ...(i === 0 ? [] : [`      - out/s${i - 1}.npy`]),
      '    outs:',
      `      - out/s${i}.npy`,
    );
  }
  writeFileSync(join(dir, 'pipeline.yaml'), `${yaml.join('\n')}\n`);
  writeFileSync(join(dir, 'dvc.yaml'), `${dvc.join('\n')}\n`);
}

function timed(command, args, cwd, env = process.env) {
  const started = performance.now();
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (r.status !== 0) fail(`${command} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { ms, out: r.stdout + r.stderr };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function startBackend(dataDir) {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data', dataDir, '--json'], {
    env: { ...process.env, RUNTRAIL_TOKEN: 'bench-token' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const line = await new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  return { url: JSON.parse(line).url, stop: () => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM'))) };
}

const dvc = ensureDvc();
const dir = mkdtempSync(join(tmpdir(), 'runtrail-bench-pipeline-'));
const data = mkdtempSync(join(tmpdir(), 'runtrail-bench-pipeline-data-'));
const backend = await startBackend(data);
try {
  makeProject(dir);
  const env = { ...process.env, RUNTRAIL_PYTHON: python };
  const tracked = { ...env, RUNTRAIL_URL: backend.url, RUNTRAIL_TOKEN: 'bench-token' };
  timed(dvc, ['init', '--no-scm', '-q'], dir);
  const dvcFirst = timed(dvc, ['repro', '-q'], dir);
  const rtFirst = timed(process.execPath, [CLI, 'pipeline', 'run', '--offline'], dir, env);
  if (!/pipeline finished: 20 ran, 0 cached/.test(rtFirst.out)) fail(`first runtrail run did not run 20 steps:\n${rtFirst.out}`);

  const runtrailOffline = [];
  const runtrailTracked = [];
  const dvcRepro = [];
  for (let i = 0; i < REPEATS; i++) {
    const a = timed(process.execPath, [CLI, 'pipeline', 'run', '--offline'], dir, env);
    if (!/pipeline finished: 0 ran, 20 cached/.test(a.out)) fail(`runtrail re-run was not a no-op:\n${a.out}`);
    runtrailOffline.push(a.ms);
    const b = timed(process.execPath, [CLI, 'pipeline', 'run'], dir, tracked);
    if (!/pipeline finished: 0 ran, 20 cached \(run /.test(b.out)) fail(`tracked runtrail re-run was not a tracked no-op:\n${b.out}`);
    runtrailTracked.push(b.ms);
    const c = timed(dvc, ['repro'], dir);
    if (/Running stage/.test(c.out)) fail(`dvc repro re-ran a stage:\n${c.out}`);
    dvcRepro.push(c.ms);
  }
  const off = median(runtrailOffline);
  const on = median(runtrailTracked);
  const anchor = median(dvcRepro);
  const fmt = (ms) => `${ms.toFixed(0)} ms`;
  console.log(`pipeline: ${STEPS} steps (numpy chain); first run runtrail ${fmt(rtFirst.ms)}, dvc ${fmt(dvcFirst.ms)}`);
  console.log(`no-op re-run, median of ${REPEATS} (whole command):`);
  console.log(`  runtrail pipeline run --offline   ${fmt(off).padStart(8)}   ${(anchor / off).toFixed(1)}x faster than dvc`);
  console.log(`  runtrail pipeline run (tracked)   ${fmt(on).padStart(8)}   ${(anchor / on).toFixed(1)}x faster than dvc`);
  console.log(`  dvc repro (dvc ${DVC_VERSION})            ${fmt(anchor).padStart(8)}   anchor`);
  const ok = off <= GOAL_MS && on <= GOAL_MS && off < anchor && on < anchor;
  console.log(`goal: <= ${GOAL_MS} ms and faster than dvc: ${ok ? 'met' : 'NOT met'}`);
  process.exitCode = ok ? 0 : 1;
} finally {
  await backend.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(data, { recursive: true, force: true });
}

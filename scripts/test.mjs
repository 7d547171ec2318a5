// `npm test`: set up a fresh clone, run every suite, print a summary and end with `N passed, N failed`.
//
// Usage: node scripts/test.mjs [suite ...]   (no names = every suite; see SUITES below)
//
// Each suite reports { passed, failed }. A suite that crashes or ends without reporting counts is 1 failed.
// The last line of output is always the total; the exit code is 1 when anything failed.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, join, relative } from 'node:path';
import { CACHE_DIR, ROOT, formatDuration, harnessEnv, localBin, run, setup, venvBin } from './lib/setup.mjs';

const REPORTS = join(CACHE_DIR, 'test-results');

/**
 * The suites, in the order they run. `needs` names the set-up steps a suite depends on (see lib/setup.mjs:
 * node, python, chromium, postgres, s3, vscode); later suites add rows here.
 */
const SUITES = [
  { name: 'typecheck+lint', needs: ['node'], run: typecheckAndLint },
  // postgres: the store and registry contract tests also run on a PostgreSQL each test file starts;
  // s3: the blob contract tests also run on an S3-protocol server (moto) each test file starts.
  { name: 'unit', needs: ['node', 'postgres', 's3'], run: () => vitest('unit', []) },
  { name: 'python', needs: ['python'], run: pytest },
  {
    name: 'integration',
    // python: the MLflow client suite runs the real mlflow package from the project venv; postgres: serve --db;
    // s3: serve --blobs s3://.
    needs: ['node', 'python', 'postgres', 's3'],
    run: () => vitest('integration', ['--config', 'tests/integration/vitest.config.ts']),
  },
  { name: 'jupyterlab-e2e', needs: ['node', 'python', 'chromium'], run: jupyterlabE2e },
  { name: 'vscode-e2e', needs: ['node', 'python', 'chromium', 'vscode'], run: vscodeE2e },
];

/** Galata specs in a real JupyterLab (tests/jupyterlab/run.mjs builds and installs the extension first). */
async function jupyterlabE2e() {
  const report = join(REPORTS, 'jupyterlab.json');
  rmSync(report, { force: true });
  const code = await run(process.execPath, [join(ROOT, 'tests', 'jupyterlab', 'run.mjs'), '--report', report]);
  if (!existsSync(report)) return crashed(`the JupyterLab suite exited with ${code} and wrote no report`);
  return JSON.parse(readFileSync(report, 'utf8'));
}

/** Playwright against a real VS Code (code-server) with the built .vsix installed (tests/vscode/run.mjs). */
async function vscodeE2e() {
  const report = join(REPORTS, 'vscode.json');
  rmSync(report, { force: true });
  const code = await run(process.execPath, [join(ROOT, 'tests', 'vscode', 'run.mjs'), '--report', report]);
  if (!existsSync(report)) return crashed(`the VS Code suite exited with ${code} and wrote no report`);
  return JSON.parse(readFileSync(report, 'utf8'));
}

/** tsc -b and the lint script: one check, 1 passed or 1 failed. Both run so every error is shown. */
async function typecheckAndLint() {
  const tsc = await run(localBin('tsc'), ['-b']);
  console.log(tsc === 0 ? 'tsc -b: ok' : `tsc -b: exit ${tsc}`);
  const lint = await run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '--silent', 'lint']);
  console.log(lint === 0 ? 'lint: ok' : `lint: exit ${lint}`);
  return tsc === 0 && lint === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
}

/** vitest with the human reporter on the terminal and the JSON reporter into .cache for the counts. */
async function vitest(name, args) {
  const report = join(REPORTS, `${name}.json`);
  rmSync(report, { force: true });
  const code = await run(localBin('vitest'), [
    'run',
    ...args,
    '--passWithNoTests',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${relative(ROOT, report)}`,
  ]);
  if (!existsSync(report)) return crashed(`vitest exited with ${code} and wrote no report`);
  const json = JSON.parse(readFileSync(report, 'utf8'));
  // Files that fail before running any test (syntax, import errors) have no failed assertion: count each once.
  const brokenFiles = (json.testResults ?? []).filter(
    (file) => file.status === 'failed' && !(file.assertionResults ?? []).some((t) => t.status === 'failed'),
  ).length;
  const result = { passed: json.numPassedTests ?? 0, failed: (json.numFailedTests ?? 0) + brokenFiles };
  const skipped = (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
  if (skipped) result.note = `${skipped} skipped`;
  // Unhandled errors fail the run without failing a test.
  if (code !== 0 && result.failed === 0) return { ...result, failed: 1, note: `vitest exited with ${code}` };
  return result;
}

/**
 * pytest over packages/kernel and the benchmarks' own Python tests (tests/bench/test_*.py: their judges) in the venv;
 * counts from its JUnit XML. Exit 5 (nothing collected) is 0/0.
 */
async function pytest() {
  if (!existsSync(join(ROOT, 'packages', 'kernel'))) return { passed: 0, failed: 0, note: 'no packages/kernel yet' };
  const report = join(REPORTS, 'python.xml');
  rmSync(report, { force: true });
  const code = await run(venvBin('python'), ['-m', 'pytest', 'packages/kernel', 'tests/bench', '-q', `--junitxml=${report}`], {
    env: harnessEnv(pythonPath()),
  });
  if (code === 5) return { passed: 0, failed: 0, note: 'no tests collected' };
  if (!existsSync(report)) return crashed(`pytest exited with ${code} and wrote no report`);
  const xml = readFileSync(report, 'utf8');
  let tests = 0;
  let failed = 0;
  let skipped = 0;
  for (const [tag] of xml.matchAll(/<testsuite\b[^>]*>/g)) {
    const attr = (key) => Number(new RegExp(`\\b${key}="(\\d+)"`).exec(tag)?.[1] ?? 0);
    tests += attr('tests');
    failed += attr('failures') + attr('errors');
    skipped += attr('skipped');
  }
  const result = { passed: tests - failed - skipped, failed };
  if (skipped) result.note = `${skipped} skipped`;
  if (code !== 0 && failed === 0) return { ...result, failed: 1, note: `pytest exited with ${code}` };
  return result;
}

/** The kernel helper is imported by its tests without being installed. */
function pythonPath() {
  const kernel = join(ROOT, 'packages', 'kernel');
  return { PYTHONPATH: [kernel, process.env.PYTHONPATH].filter(Boolean).join(delimiter) };
}

function crashed(note) {
  return { passed: 0, failed: 1, note };
}

function banner(text) {
  console.log(`\n━━ ${text} ${'━'.repeat(Math.max(3, 72 - text.length))}`);
}

async function main() {
  const started = performance.now();
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !SUITES.some((s) => s.name === w));
  if (unknown.length) {
    console.error(`unknown suite(s): ${unknown.join(', ')}; suites: ${SUITES.map((s) => s.name).join(', ')}`);
    console.log('0 passed, 1 failed');
    process.exitCode = 2;
    return;
  }
  const suites = wanted.length ? SUITES.filter((s) => wanted.includes(s.name)) : SUITES;

  banner('set-up');
  const setupStarted = performance.now();
  const needs = [...new Set(suites.flatMap((s) => s.needs))];
  const setupFailed = await setup(needs);
  const setupMs = performance.now() - setupStarted;
  mkdirSync(REPORTS, { recursive: true });

  const rows = [];
  for (const suite of suites) {
    const missing = suite.needs.filter((n) => setupFailed.has(n));
    if (missing.length) {
      rows.push({ name: suite.name, passed: 0, failed: 1, ms: 0, note: `set-up failed: ${missing.join(', ')}` });
      continue;
    }
    banner(suite.name);
    const suiteStarted = performance.now();
    let result;
    try {
      result = await suite.run();
    } catch (err) {
      console.error(err);
      result = crashed(`crashed: ${err.message}`);
    }
    const ms = performance.now() - suiteStarted;
    rows.push({ name: suite.name, ...result, ms });
    console.log(`${suite.name}: ${result.passed} passed, ${result.failed} failed (${formatDuration(ms)})`);
  }

  const passed = rows.reduce((sum, r) => sum + r.passed, 0);
  const failed = rows.reduce((sum, r) => sum + r.failed, 0);
  banner('summary');
  const width = Math.max(5, ...rows.map((r) => r.name.length));
  console.log(`${'suite'.padEnd(width)}  ${'passed'.padStart(6)}  ${'failed'.padStart(6)}  ${'time'.padStart(7)}`);
  console.log(`${'set-up'.padEnd(width)}  ${''.padStart(6)}  ${''.padStart(6)}  ${formatDuration(setupMs).padStart(7)}`);
  for (const r of rows) {
    const mark = r.failed ? '  ✗' : '';
    const note = r.note ? `  (${r.note})` : '';
    console.log(
      `${r.name.padEnd(width)}  ${String(r.passed).padStart(6)}  ${String(r.failed).padStart(6)}  ${formatDuration(r.ms).padStart(7)}${mark}${note}`,
    );
  }
  console.log(`${'total'.padEnd(width)}  ${String(passed).padStart(6)}  ${String(failed).padStart(6)}  ${formatDuration(performance.now() - started).padStart(7)}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

try {
  await main();
} catch (err) {
  // The contract is a final count line whatever happens.
  console.error(err);
  console.log('0 passed, 1 failed');
  process.exitCode = 1;
}

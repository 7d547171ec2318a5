// The JupyterLab e2e suite: builds and pip-installs the extension into .venv, checks that JupyterLab lists it
// enabled, prepares throwaway Jupyter folders and runtrail settings, then runs the Galata specs (which start
// and stop their own runtrail backend on RUNTRAIL_PORT). Writes { passed, failed } to the file given by
// --report for scripts/test.mjs.
//
// Usage: node tests/jupyterlab/run.mjs [--report FILE] [playwright args...]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installJupyterLabExtension } from '../../scripts/lib/jupyterlab.mjs';
import { ROOT, harnessEnv, localBin, run, venvBin } from '../../scripts/lib/setup.mjs';

const args = process.argv.slice(2);
const reportIndex = args.indexOf('--report');
const summaryFile = reportIndex >= 0 ? args.splice(reportIndex, 2)[1] : null;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function writeSummary(passed, failed, note) {
  if (summaryFile) writeFileSync(summaryFile, JSON.stringify({ passed, failed, note }));
}

async function main() {
  if ((await run(process.execPath, [join(ROOT, 'scripts/build.mjs')])) !== 0) return writeSummary(0, 1, 'build failed');
  try {
    console.log(`jupyterlab extension: ${installJupyterLabExtension()}`);
  } catch (error) {
    console.error(error.message);
    return writeSummary(0, 1, 'pip install of the extension failed');
  }
  const work = mkdtempSync(join(tmpdir(), 'runtrail-jlab-'));
  const env = harnessEnv({
    JUPYTER_CONFIG_DIR: join(work, 'config'),
    JUPYTER_DATA_DIR: join(work, 'data'),
    JUPYTER_RUNTIME_DIR: join(work, 'runtime'),
    IPYTHONDIR: join(work, 'ipython'),
    JLAB_ROOT: join(work, 'notebooks'),
    RUNTRAIL_DATA: join(work, 'backend'),
    RUNTRAIL_TOKEN: 'jlab-e2e-token',
    JLAB_PORT: String(await freePort()),
    RUNTRAIL_PORT: String(await freePort()),
    RUNTRAIL_VENV_BIN: join(ROOT, '.venv', 'bin'),
    RUNTRAIL_JLAB_REPORT: join(work, 'report.json'),
    RUNTRAIL_JLAB_OUTPUT: join(ROOT, '.cache', 'jupyterlab-results'),
    CI: '1',
  });
  try {
    // User settings (they win over the app-level overrides `npm start` writes into .venv).
    const settingsDir = join(env.JUPYTER_CONFIG_DIR, 'lab', 'user-settings', 'runtrail-jupyterlab');
    for (const dir of [env.JLAB_ROOT, settingsDir]) mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(settingsDir, 'plugin.jupyterlab-settings'),
      JSON.stringify({ serverUrl: `http://127.0.0.1:${env.RUNTRAIL_PORT}`, token: env.RUNTRAIL_TOKEN }),
    );
    const list = spawnSync(venvBin('jupyter'), ['labextension', 'list'], { env, encoding: 'utf8' });
    const listed = /runtrail-jupyterlab v[\d.]+ .*enabled.*OK/.test(list.stdout + list.stderr);
    console.log(listed ? 'jupyter labextension list: runtrail-jupyterlab enabled OK' : list.stdout + list.stderr);
    const code = await run(localBin('playwright'), ['test', '-c', join(ROOT, 'tests/jupyterlab/playwright.config.cjs'), ...args], { env });
    const report = existsSync(env.RUNTRAIL_JLAB_REPORT) ? JSON.parse(readFileSync(env.RUNTRAIL_JLAB_REPORT, 'utf8')) : null;
    if (!report) return writeSummary(listed ? 1 : 0, listed ? 1 : 2, `playwright exited with ${code} and wrote no report`);
    const { expected = 0, unexpected = 0, flaky = 0, skipped = 0 } = report.stats ?? {};
    const passed = expected + flaky + (listed ? 1 : 0);
    const failed = unexpected + (listed ? 0 : 1) + (code !== 0 && unexpected === 0 ? 1 : 0);
    writeSummary(passed, failed, skipped ? `${skipped} skipped` : undefined);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();

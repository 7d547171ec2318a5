// Notebook capture in a real VS Code (code-server): a .ipynb run on the runtrail controller against a real
// Jupyter server + ipykernel from the project's venv, checked through the runtrail backend's API (run, cell
// executions, params, data snapshot, metric series), then a kernel restart that starts a second run.
//
// run.mjs calls `startJupyter` before code-server starts (the server URL goes into the user settings, its token
// into code-server's environment as $JUPYTER_TOKEN, the fallback the extension reads), and runs `tests` after
// the Runs view tests, with the same page and backend.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { harnessEnv, venvBin } from '../../scripts/lib/setup.mjs';
import { freePort, stopProcessGroup } from './code-server.mjs';
import { runCommand } from './runs.e2e.mjs';
import { eventually } from './wait.mjs';

const NOTEBOOK = 'capture.ipynb';
const CAPTURE_TIMEOUT = 60_000;

/**
 * Starts `jupyter server` from the venv on a free port with a random token, serving `root` (code-server's
 * workspace, so notebook paths match), its state under `stateDir`. Resolves { url, token, stop() }.
 */
export async function startJupyter({ root, stateDir, log }) {
  const port = await freePort();
  const token = randomBytes(12).toString('hex');
  mkdirSync(root, { recursive: true });
  for (const d of ['config', 'data', 'runtime', 'ipython']) mkdirSync(join(stateDir, d), { recursive: true });
  const child = spawn(
    venvBin('jupyter'),
    ['server', '--no-browser', '--ServerApp.ip=127.0.0.1', `--ServerApp.port=${port}`, '--ServerApp.port_retries=0',
      `--IdentityProvider.token=${token}`, `--ServerApp.root_dir=${root}`, ...(process.getuid?.() === 0 ? ['--allow-root'] : [])],
    {
      cwd: root,
      detached: true,
      env: harnessEnv({
        JUPYTER_CONFIG_DIR: join(stateDir, 'config'),
        JUPYTER_DATA_DIR: join(stateDir, 'data'),
        JUPYTER_RUNTIME_DIR: join(stateDir, 'runtime'),
        IPYTHONDIR: join(stateDir, 'ipython'),
      }),
      stdio: ['ignore', log ?? 'ignore', 'pipe'],
    },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let errors = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`jupyter server did not start in 60 s:\n${errors}`)), 60_000);
    createInterface({ input: child.stderr }).on('line', (line) => {
      errors = (errors + line + '\n').slice(-4000);
      if (line.includes(`127.0.0.1:${port}/`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`jupyter server exited with ${code}:\n${errors}`));
    });
  });
  child.stderr.resume();
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    /** Where the server wrote its `jpserver-<pid>.json` (URL and token), as `jupyter server list` reads it. */
    runtimeDir: join(stateDir, 'runtime'),
    stop: () => stopProcessGroup(child, exited, 10_000),
  };
}

function cell(id, source, tags = []) {
  return { id, cell_type: 'code', source, metadata: tags.length ? { tags } : {}, outputs: [], execution_count: null };
}

/** The notebook every test uses: a parameters cell, a DataFrame load, a metric loop and a failing cell. */
export function writeNotebook(workspace) {
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' }, language_info: { name: 'python' } },
    cells: [
      cell('params', 'lr = 0.1\nepochs = 3', ['parameters']),
      cell('load', "import pandas as pd\ndf = pd.DataFrame({'a': [1, 2, 3], 'b': [0.5, 1.5, 2.5]})\ndf"),
      cell('train', "import runtrail\nfor i in range(epochs):\n    runtrail.log_metric('loss', lr / (i + 1), step=i)\nprint('trained')"),
      cell('fail', "raise ValueError('boom')"),
    ],
  };
  writeFileSync(join(workspace, NOTEBOOK), JSON.stringify(nb, null, 1));
}

/** The notebook's experiment on the backend (created by the extension, named after the file). */
async function notebookExperiment(call) {
  const { experiments } = await call('GET', '/api/v1/experiments?pageSize=500');
  return experiments.find((e) => e.name === NOTEBOOK && e.kind === 'notebook') ?? null;
}

async function runsOf(call, experimentId) {
  const page = await call('POST', '/api/v1/runs/search', { experimentIds: [experimentId], orderBy: [{ field: 'attributes.startTime', direction: 'asc' }] });
  return page.runs;
}

const paramsOf = (run) => Object.fromEntries(run.params.map((p) => [p.key, p.value]));

function statusItem(page, text) {
  return page.locator('.statusbar-item', { hasText: text }).first();
}

/** The notebook tests, in order (after the Runs view tests; run.mjs supplies `ctx` with `jupyter`). */
export const tests = [
  {
    name: 'notebook: the runtrail controller runs a .ipynb on the Jupyter server; the status bar says "full capture"',
    async run({ page, ctx }) {
      writeNotebook(ctx.workspace);
      await page.goto(ctx.codeServer.folderUrl);
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await page.keyboard.press('Escape');
      // Quick Open the notebook.
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ timeout: 10_000 });
      await input.fill(NOTEBOOK);
      await page.locator('.quick-input-list .monaco-list-row', { hasText: NOTEBOOK }).first().waitFor({ timeout: 15_000 });
      await input.press('Enter');
      await page.locator('.notebookOverlay').first().waitFor({ timeout: 30_000 });
      // Another controller (none here) would be basic capture: the item says so before a kernel is chosen.
      await statusItem(page, 'runtrail: basic capture').waitFor({ timeout: 30_000 });
      await runCommand(page, 'Notebook: Select Notebook Kernel');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'runtrail (Jupyter server)' }).first().click({ timeout: 20_000 });
      await statusItem(page, 'runtrail: full capture').waitFor({ timeout: 30_000 });
      await runCommand(page, 'Notebook: Run All');
      // Outputs render in the notebook's output webview: the DataFrame, the loop's stdout, the error.
      const outputs = page.locator('.notebookOverlay iframe.webview').first().contentFrame().frameLocator('#active-frame');
      await outputs.getByText('trained').first().waitFor({ timeout: CAPTURE_TIMEOUT });
      await outputs.getByText('boom').first().waitFor({ timeout: CAPTURE_TIMEOUT });
      return `status bar: ${await statusItem(page, 'runtrail:').innerText()}`;
    },
  },
  {
    name: 'notebook: the backend has the run with its 4 cell executions, params, DataFrame snapshot and metric series',
    async run({ ctx }) {
      const experiment = await eventually(() => notebookExperiment(ctx.call), CAPTURE_TIMEOUT, `the experiment of ${NOTEBOOK}`);
      ctx.notebookExperimentId = experiment.id;
      const runs = await eventually(async () => {
        const list = await runsOf(ctx.call, experiment.id);
        return list.length === 1 && list[0].cellCount === 4 && list[0].snapshots.length > 0 ? list : null;
      }, CAPTURE_TIMEOUT, 'the run with 4 cells and a snapshot').catch(async (error) => {
        console.log('      runs:', JSON.stringify(await runsOf(ctx.call, experiment.id).catch((e) => String(e))).slice(0, 2000));
        throw error;
      });
      const run = runs[0];
      const assert = (ok, what) => {
        if (!ok) throw new Error(`${what}; run: ${JSON.stringify(run).slice(0, 1500)}`);
      };
      assert(JSON.stringify(paramsOf(run)) === JSON.stringify({ epochs: 3, lr: 0.1 }) || JSON.stringify(paramsOf(run)) === JSON.stringify({ lr: 0.1, epochs: 3 }), 'params are lr=0.1, epochs=3');
      assert(run.params.every((p) => p.origin === 'parameters-cell'), 'params come from the parameters cell');
      const df = run.snapshots.find((s) => s.name === 'df');
      assert(df && df.kind === 'pandas' && JSON.stringify(df.shape) === '[3,2]', 'a pandas snapshot of df with shape [3, 2]');
      const cells = await ctx.call('GET', `/api/v1/runs/${run.id}/cells`);
      const ids = cells.executions.map((e) => e.cellId);
      assert(JSON.stringify(ids) === JSON.stringify(['params', 'load', 'train', 'fail']), `cell executions in order (got ${ids})`);
      assert(cells.executions.slice(0, 3).every((e) => e.status === 'ok'), 'the first three cells succeeded');
      assert(cells.executions[3].status === 'error' && cells.executions[3].error?.ename === 'ValueError', 'the last cell failed with ValueError');
      assert(cells.executions[2].outputs.some((o) => o.text?.includes('trained')), 'the stdout of the metric loop is summarized');
      const history = await eventually(async () => {
        const h = await ctx.call('GET', `/api/v1/runs/${run.id}/metric-history?key=loss`);
        return h.points.length === 3 ? h : null;
      }, CAPTURE_TIMEOUT, 'the loss series');
      assert(JSON.stringify(history.points.map((p) => p.step)) === '[0,1,2]', 'loss logged at steps 0, 1, 2');
      ctx.firstRunId = run.id;
      return `run ${run.name}: params ${JSON.stringify(paramsOf(run))}, snapshot df ${df.fingerprint.slice(0, 12)}…, cells ${ids.join(',')}`;
    },
  },
  {
    name: 'notebook: restarting the kernel ends the run; the next execution starts a second run',
    async run({ page, ctx }) {
      await runCommand(page, 'runtrail: Restart Kernel (runtrail controller)', 'Restart Kernel (runtrail controller)');
      const first = await eventually(async () => {
        const runs = await runsOf(ctx.call, ctx.notebookExperimentId);
        return runs.find((r) => r.id === ctx.firstRunId && r.status !== 'running') ?? null;
      }, CAPTURE_TIMEOUT, 'the first run to end');
      await runCommand(page, 'Notebook: Run All');
      const second = await eventually(async () => {
        const runs = await runsOf(ctx.call, ctx.notebookExperimentId);
        return runs.length === 2 && runs[1].cellCount === 4 ? runs[1] : null;
      }, CAPTURE_TIMEOUT, 'the second run');
      return `first run ${first.status}; second run ${second.name} with ${second.cellCount} cells`;
    },
  },
];

/**
 * Capture in a real JupyterLab with ipykernel: a notebook with a parameters cell, a DataFrame load, a loop
 * logging metrics and a failing cell, run, restarted, changed; checked through the backend's API. Then the
 * panel and compare; then offline capture across a page reload, arriving once when the backend is back.
 */
import { expect, test, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import { api, eventually, startBackend, stopBackend } from './backend';
import { codeCell, galataOptions, writeNotebook } from './setup';

type Page = IJupyterLabPageFixture;

const NOTEBOOK = 'capture.ipynb';

function writeCaptureNotebook(): void {
  writeNotebook(NOTEBOOK, [
    codeCell('params', 'lr = 0.1\nepochs = 3', ['parameters']),
    codeCell('load', "import pandas as pd\ndf = pd.DataFrame({'a': [1, 2, 3], 'b': [0.5, 1.5, 2.5]})"),
    codeCell('train', "import runtrail\nfor i in range(epochs):\n    runtrail.log_metric('loss', lr / (i + 1), step=i)"),
    codeCell('fail', "raise ValueError('boom')"),
  ]);
}

interface RunRecord {
  id: string;
  name: string;
  status: string;
  params: { key: string; value: unknown; origin: string }[];
  snapshots: { name: string; kind: string; fingerprint: string; shape: number[] }[];
  cellCount: number;
  startTime: number;
}

async function experimentId(page: Page): Promise<string> {
  return eventually(
    () => page.evaluate(() => (window as any).jupyterapp.shell.currentWidget?.content?.model?.getMetadata('runtrail')?.experimentId as string | undefined),
    30_000,
    'the notebook experiment id',
  );
}

async function runsOf(experiment: string): Promise<RunRecord[]> {
  const page = await api<{ runs: RunRecord[] }>('POST', '/api/v1/runs/search', { experimentIds: [experiment], orderBy: [{ field: 'attributes.startTime', direction: 'asc' }] });
  return page.runs;
}

async function setSource(page: Page, index: number, source: string): Promise<void> {
  await page.evaluate(
    ([i, text]) => (window as any).jupyterapp.shell.currentWidget.content.widgets[i].model.sharedModel.setSource(text),
    [index, source] as const,
  );
}

async function openNotebook(page: Page): Promise<void> {
  await page.evaluate((path) => (window as any).jupyterapp.commands.execute('docmanager:open', { path }), NOTEBOOK);
  await eventually(() => page.notebook.isActive(NOTEBOOK), 30_000, 'the notebook to open');
}

/** Runs one cell through JupyterLab's own command and waits for it to finish. */
async function runCellAt(page: Page, index: number): Promise<void> {
  await page.evaluate(async (i) => {
    const app = (window as any).jupyterapp;
    app.shell.currentWidget.content.activeCellIndex = i;
    await app.commands.execute('notebook:run-cell');
  }, index);
}

const paramsOf = (run: RunRecord) => Object.fromEntries(run.params.map((p) => [p.key, p.value]));

test.describe.configure({ mode: 'serial' });
// Galata serves settings from memory: point the extension at the backend the specs control.
test.use(galataOptions());

test.beforeAll(async () => {
  writeCaptureNotebook();
  await startBackend();
});
test.afterAll(async () => {
  await stopBackend();
});

test('captures runs, params, fingerprints, metrics and errors; panel and compare; offline across a reload', async ({ page }) => {
  // Browser errors and warnings go to the test log: they are the first thing to read when capture fails.
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') console.log(`[browser ${msg.type()}] ${msg.text()}`);
  });
  expect(await page.evaluate(() => (window as any).jupyterapp.hasPlugin('runtrail-jupyterlab:plugin'))).toBe(true);
  await openNotebook(page);
  const experiment = await experimentId(page);

  // Run 1: everything, the last cell fails.
  await page.notebook.run();
  const [run1] = await eventually(async () => {
    const runs = await runsOf(experiment);
    return runs.length === 1 && runs[0]!.cellCount === 4 && runs[0]!.snapshots.length > 0 ? runs : null;
  }, 60_000, 'run 1 on the backend').catch(async (error) => {
    console.log('backend runs:', JSON.stringify(await runsOf(experiment).catch((e) => String(e))));
    console.log('status bar:', await page.getByTestId('runtrail-status').textContent());
    throw error;
  });
  expect(paramsOf(run1!)).toEqual({ lr: 0.1, epochs: 3 });
  expect(run1!.params.every((p) => p.origin === 'parameters-cell')).toBe(true);
  const df1 = run1!.snapshots.find((s) => s.name === 'df')!;
  expect(df1).toMatchObject({ kind: 'pandas', shape: [3, 2] });
  const history = await eventually(async () => {
    const h = await api<{ points: { step: number; value: number }[] }>('GET', `/api/v1/runs/${run1!.id}/metric-history?key=loss`);
    return h.points.length === 3 ? h : null;
  }, 30_000, 'the loss series');
  expect(history.points.map((p) => p.step)).toEqual([0, 1, 2]);
  const cells = await api<{ executions: { cellId: string; status: string; error: { ename: string } | null }[] }>('GET', `/api/v1/runs/${run1!.id}/cells`);
  expect(cells.executions.map((e) => e.cellId)).toEqual(['params', 'load', 'train', 'fail']);
  expect(cells.executions[3]).toMatchObject({ status: 'error', error: { ename: 'ValueError' } });
  // Nothing of runtrail shows in the notebook's outputs.
  expect(await page.locator('.jp-OutputArea-output').allInnerTexts()).toEqual([expect.stringContaining('ValueError')]);

  // Run 2: a kernel restart starts a new run; equal data, equal fingerprint.
  await page.evaluate(() => (window as any).jupyterapp.shell.currentWidget.sessionContext.restartKernel());
  await page.waitForFunction(() => (window as any).jupyterapp.shell.currentWidget.sessionContext.session?.kernel?.status === 'idle');
  await page.notebook.run();
  const run2 = await eventually(async () => {
    const runs = await runsOf(experiment);
    return runs.length === 2 && runs[1]!.snapshots.length > 0 ? runs[1] : null;
  }, 60_000, 'run 2');
  expect((await runsOf(experiment)).map((r) => r.status)).toEqual(['finished', 'running']);
  expect(run2!.snapshots.find((s) => s.name === 'df')!.fingerprint).toBe(df1.fingerprint);

  // Run 3: a different parameters cell starts a new run; one changed value, a different fingerprint.
  await setSource(page, 0, 'lr = 0.2\nepochs = 3');
  await setSource(page, 1, "import pandas as pd\ndf = pd.DataFrame({'a': [1, 2, 3], 'b': [0.5, 1.5, 2.6]})");
  await page.notebook.run();
  const run3 = await eventually(async () => {
    const runs = await runsOf(experiment);
    return runs.length === 3 && runs[2]!.snapshots.length > 0 ? runs[2] : null;
  }, 60_000, 'run 3');
  expect(paramsOf(run3!)).toEqual({ lr: 0.2, epochs: 3 });
  expect(run3!.snapshots.find((s) => s.name === 'df')!.fingerprint).not.toBe(df1.fingerprint);

  // The panel lists the runs; compare of runs 1 and 3 shows the param and the data difference.
  await page.evaluate(() => (window as any).jupyterapp.commands.execute('runtrail:open-runs-panel'));
  const panel = page.locator('#runtrail-runs-panel');
  await expect(panel.locator('rt-run-table [role="row"][data-run-id]')).toHaveCount(3);
  await panel.locator(`[data-run-id="${run1!.id}"] .check`).click();
  await panel.locator(`[data-run-id="${run3!.id}"] .check`).click();
  await panel.locator('rt-run-table vscode-button', { hasText: 'Compare' }).click();
  const compare = panel.locator('rt-run-compare');
  await expect(compare.getByRole('row', { name: /^lr changed 0\.1 0\.2/ })).toBeVisible();
  await expect(compare.getByText('content changed').first()).toBeVisible();
  await expect(page.getByTestId('runtrail-status')).toContainText('runtrail: tracking');

  // Nothing captured is left waiting: the outbox drained and the status bar says so.
  await expect(page.getByTestId('runtrail-status')).toHaveText(/runtrail: tracking · synced$/, { timeout: 30_000 });

  // Offline: the backend stops, a new run is captured, the page reloads, then the backend comes back.
  await stopBackend();
  await page.evaluate(() => (window as any).jupyterapp.commands.execute('runtrail:new-run'));
  await runCellAt(page, 1);
  await runCellAt(page, 2);
  await expect(page.getByTestId('runtrail-status')).toContainText('pending');
  await page.waitForTimeout(1500);
  // Galata's reload would wait for its own readiness checks, which a restored notebook can stall.
  await (page.reload as (o: { waitForIsReady: boolean }) => Promise<unknown>)({ waitForIsReady: false });
  await openNotebook(page);
  await startBackend();
  const run4 = await eventually(async () => {
    const runs = await runsOf(experiment);
    return runs.length === 4 && runs[3]!.cellCount === 2 ? runs[3] : null;
  }, 90_000, 'the offline run after the backend came back');
  const points = await eventually(async () => {
    const h = await api<{ points: { step: number }[] }>('GET', `/api/v1/runs/${run4!.id}/metric-history?key=loss`);
    return h.points.length === 3 ? h.points : null;
  }, 60_000, 'the offline metrics');
  expect(points.map((p) => p.step)).toEqual([0, 1, 2]);
  // Once: nothing arrives twice, however often the outbox and the sync retried.
  await expect(page.getByTestId('runtrail-status')).toHaveText(/runtrail: tracking · synced$/, { timeout: 30_000 });
  const again = await api<{ executions: unknown[] }>('GET', `/api/v1/runs/${run4!.id}/cells`);
  expect(again.executions).toHaveLength(2);
  expect(await runsOf(experiment)).toHaveLength(4);
  const series = await api<{ points: unknown[] }>('GET', `/api/v1/runs/${run4!.id}/metric-history?key=loss`);
  expect(series.points).toHaveLength(3);
});



/**
 * Faults in a real JupyterLab: a backend that refuses the token. Tracking degrades with a visible message,
 * the notebook shows nothing of runtrail, and nothing captured is lost: once the token is fixed it all arrives.
 */
import { expect, galata, test, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BACKEND, api, eventually, startBackend, stopBackend } from './backend';

type Page = IJupyterLabPageFixture;
const NOTEBOOK = 'faults.ipynb';
const PLUGIN = 'runtrail-jupyterlab:plugin';

test.describe.configure({ mode: 'serial' });
test.use({
  autoGoto: true,
  kernels: null,
  sessions: null,
  mockSettings: { ...galata.DEFAULT_SETTINGS, [PLUGIN]: { serverUrl: BACKEND.url, token: 'not-the-token' } },
});

test.beforeAll(async () => {
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    cells: [{ id: 'log', cell_type: 'code', source: "import runtrail\nrisk = 0.5\nruntrail.log_metric('auc', 0.9)", metadata: {}, outputs: [], execution_count: null }],
  };
  writeFileSync(join(process.env.JLAB_ROOT!, NOTEBOOK), JSON.stringify(nb));
  await startBackend();
});
test.afterAll(async () => {
  await stopBackend();
});

async function experimentId(page: Page): Promise<string> {
  return eventually(
    () => page.evaluate(() => (window as any).jupyterapp.shell.currentWidget?.content?.model?.getMetadata('runtrail')?.experimentId as string | undefined),
    30_000,
    'the notebook experiment id',
  );
}

test('a refused token is shown, and the captured run arrives once the token is fixed', async ({ page }) => {
  await page.evaluate((path) => (window as any).jupyterapp.commands.execute('docmanager:open', { path }), NOTEBOOK);
  await eventually(() => page.notebook.isActive(NOTEBOOK), 30_000, 'the notebook to open');
  const experiment = await experimentId(page);
  await page.notebook.run();

  const status = page.getByTestId('runtrail-status');
  await expect(status).toContainText('pending', { timeout: 30_000 });
  await expect(status).toHaveAttribute('title', /refused the token/, { timeout: 30_000 });
  expect(await page.locator('.jp-OutputArea-output').count()).toBe(0);

  // The user fixes the token (runtrail: Connect to runtrail Server…): everything captured meanwhile arrives.
  await page.evaluate(
    ([url, token]) => (window as any).jupyterapp.commands.execute('runtrail:connect', { serverUrl: url, token }),
    [BACKEND.url, BACKEND.token] as const,
  );
  const runs = await eventually(async () => {
    const page_ = await api<{ runs: { id: string; params: { key: string; value: unknown }[]; cellCount: number }[] }>('POST', '/api/v1/runs/search', { experimentIds: [experiment] });
    return page_.runs.length === 1 && page_.runs[0]!.cellCount === 1 ? page_.runs : null;
  }, 60_000, 'the run captured while the token was refused');
  expect(runs[0]!.params.map((p) => [p.key, p.value])).toEqual([['risk', 0.5]]);
  const auc = await eventually(async () => {
    const h = await api<{ points: { value: number }[] }>('GET', `/api/v1/runs/${runs[0]!.id}/metric-history?key=auc`);
    return h.points.length === 1 ? h.points : null;
  }, 30_000, 'the metric logged while the token was refused');
  expect(auc[0]!.value).toBe(0.9);
  await expect(status).toHaveText(/runtrail: tracking · synced$/, { timeout: 30_000 });
});

/**
 * "Open Run in Browser" in a real JupyterLab: from the notebook toolbar (the notebook's open run), from the
 * Runs panel (the selected run, its button and the row's context menu) and from the palette command with a
 * run id. `window.open` is replaced in the page to record what would open.
 */
import { expect, test, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import { BACKEND, api, eventually, startBackend, stopBackend } from './backend';
import { codeCell, galataOptions, writeNotebook } from './setup';

type Page = IJupyterLabPageFixture;

const NOTEBOOK = 'open-in-browser.ipynb';

test.describe.configure({ mode: 'serial' });
test.use(galataOptions());

test.beforeAll(async () => {
  writeNotebook(NOTEBOOK, [codeCell('one', 'x = 1')]);
  await startBackend();
});
test.afterAll(async () => {
  await stopBackend();
});

/** Replaces window.open with a recorder; returns a reader of the URLs opened since. */
async function recordWindowOpen(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const w = window as any;
    w.__runtrailOpened = [];
    w.open = (url: string | URL) => {
      w.__runtrailOpened.push(String(url));
      return null;
    };
  });
  return () => page.evaluate(() => (window as any).__runtrailOpened as string[]);
}

test('opens <server>/r/<run-id> of the notebook, the Runs panel selection, the context-menu row and a given id', async ({ page }) => {
  const opened = await recordWindowOpen(page);
  const runPage = (id: string) => `${BACKEND.url}/r/${id}`;

  // The palette lists the command.
  const label = await page.evaluate(() => (window as any).jupyterapp.commands.label('runtrail:open-run-in-browser'));
  expect(label).toBe('Open Run in Browser');
  await page.evaluate(() => (window as any).jupyterapp.commands.execute('runtrail:open-run-in-browser', { runId: 'given-run-7' }));
  expect(await opened()).toEqual([runPage('given-run-7')]);

  // Notebook toolbar: the run the notebook's executions land in (the one the backend got).
  await page.evaluate((path) => (window as any).jupyterapp.commands.execute('docmanager:open', { path }), NOTEBOOK);
  await eventually(() => page.notebook.isActive(NOTEBOOK), 30_000, 'the notebook to open');
  const experiment = await eventually(
    () => page.evaluate(() => (window as any).jupyterapp.shell.currentWidget?.content?.model?.getMetadata('runtrail')?.experimentId as string | undefined),
    30_000,
    'the experiment id',
  );
  // Two runs: "New Run" makes the second execution start another one.
  const runsOnBackend = async (n: number) =>
    eventually(async () => {
      const found = await api<{ runs: { id: string }[] }>('POST', '/api/v1/runs/search', {
        experimentIds: [experiment],
        orderBy: [{ field: 'attributes.startTime', direction: 'asc' }],
      });
      return found.runs.length === n ? found.runs.map((r) => r.id) : null;
    }, 60_000, `${n} run(s) on the backend`);
  await page.notebook.run();
  const [first] = await runsOnBackend(1);
  await page.evaluate(() => (window as any).jupyterapp.commands.execute('runtrail:new-run'));
  await page.notebook.run();
  const [, second] = await runsOnBackend(2);
  await page.locator('.jp-NotebookPanel-toolbar [data-command="runtrail:open-run-in-browser"]').click();
  expect((await opened()).at(-1)).toBe(runPage(second!));

  // Runs panel: select the first run, then the panel's "Open in Browser" button.
  await page.evaluate(() => (window as any).jupyterapp.commands.execute('runtrail:open-runs-panel'));
  const panel = page.locator('#runtrail-runs-panel');
  await expect(panel.locator('rt-run-table [role="row"][data-run-id]')).toHaveCount(2);
  const button = panel.getByRole('button', { name: 'Open in Browser' });
  await expect(button).toBeDisabled();
  await panel.locator(`[data-run-id="${first}"] .check`).click();
  await expect(button).toBeEnabled();
  await button.click();
  expect((await opened()).at(-1)).toBe(runPage(first!));
  // The context menu of the other row opens that row's run, not the selected one.
  const count = (await opened()).length;
  await panel.locator(`rt-run-table [role="row"][data-run-id="${second}"]`).click({ button: 'right' });
  await page.locator('.lm-Menu-item[data-command="runtrail:open-run-in-browser"]').click();
  expect(await opened()).toHaveLength(count + 1);
  expect((await opened()).at(-1)).toBe(runPage(second!));
});

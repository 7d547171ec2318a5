/**
 * A kernel that dies under a cell closes its run as failed (with a visible message) and the next execution opens a
 * new run; the Runs panel follows JupyterLab's dark theme and is used with the keyboard alone: focus the list,
 * select two runs, compare them.
 */
import { expect, test, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import { api, eventually, startBackend, stopBackend } from './backend';
import { codeCell, galataOptions, writeNotebook } from './setup';

type Page = IJupyterLabPageFixture;
const NOTEBOOK = 'dies.ipynb';

test.describe.configure({ mode: 'serial' });
test.use(galataOptions());

test.beforeAll(async () => {
  writeNotebook(NOTEBOOK, [codeCell('set', 'alpha = 0.5'), codeCell('die', 'import os\nos._exit(1)')]);
  await startBackend();
});
test.afterAll(async () => {
  await stopBackend();
});

interface RunRecord {
  id: string;
  status: string;
  cellCount: number;
  params: { key: string; value: unknown }[];
}

async function runsOf(experiment: string): Promise<RunRecord[]> {
  const found = await api<{ runs: RunRecord[] }>('POST', '/api/v1/runs/search', { experimentIds: [experiment], orderBy: [{ field: 'attributes.startTime', direction: 'asc' }] });
  return found.runs;
}

async function runCellAt(page: Page, index: number): Promise<void> {
  const done = page.evaluate(async (i) => {
    const app = (window as any).jupyterapp;
    app.shell.currentWidget.content.activeCellIndex = i;
    await app.commands.execute('notebook:run-cell');
  }, index);
  const timeout = new Promise((resolve) => setTimeout(resolve, 60_000, 'timeout'));
  if ((await Promise.race([done, timeout])) === 'timeout') {
    await page.screenshot({ path: '.cache/jupyterlab-results/panel-hang.png' });
    const state = await page.evaluate(() => {
      const w = (window as any).jupyterapp.shell.currentWidget;
      return { kernel: w.sessionContext.session?.kernel?.status, cell: w.content.widgets.map((c: any) => c.model.executionCount), dialogs: document.querySelectorAll('.jp-Dialog').length };
    });
    throw new Error(`cell ${index} did not finish: ${JSON.stringify(state)}`);
  }
}

/** Relative luminance (0 black .. 1 white) of a CSS rgb()/rgba() colour. */
function luminance(color: string): number {
  const [r, g, b] = (color.match(/[\d.]+/g) ?? ['0', '0', '0']).slice(0, 3).map((v) => Number(v) / 255);
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

test('a dying kernel fails its run; the Runs panel works in the dark theme and from the keyboard', async ({ page }) => {
  await page.evaluate((path) => (window as any).jupyterapp.commands.execute('docmanager:open', { path }), NOTEBOOK);
  await eventually(() => page.notebook.isActive(NOTEBOOK), 30_000, 'the notebook to open');
  const experiment = await eventually(
    () => page.evaluate(() => (window as any).jupyterapp.shell.currentWidget?.content?.model?.getMetadata('runtrail')?.experimentId as string | undefined),
    30_000,
    'the notebook experiment id',
  );

  // JupyterLab sometimes asks which kernel to start although the notebook names one: accept its choice.
  const select = page.locator('.jp-Dialog').filter({ hasText: 'Select Kernel' });
  await select.waitFor({ timeout: 5_000 }).then(() => select.getByRole('button', { name: 'Select' }).click(), () => undefined);
  await runCellAt(page, 0);
  await eventually(async () => (await runsOf(experiment)).length === 1, 30_000, 'run 1');
  // os._exit(1): the kernel process dies under the cell (its execution never finishes: not awaited).
  await page.evaluate(() => {
    const app = (window as any).jupyterapp;
    app.shell.currentWidget.content.activeCellIndex = 1;
    void app.commands.execute('notebook:run-cell');
  });
  // JupyterLab tells the user and restarts the kernel; runtrail says what it did with the run.
  const dialog = page.locator('.jp-Dialog');
  await dialog.waitFor({ timeout: 30_000 }).then(() => dialog.getByRole('button').last().click(), () => undefined);
  await expect(page.getByTestId('runtrail-status')).toHaveAttribute('title', /kernel died/, { timeout: 30_000 });
  // The kernel manager has started a new process; JupyterLab's connection to it may stay "unknown" here, so the
  // test restarts it the way the Kernel menu does (a requested restart: it must not make another failed run).
  await page.evaluate(async () => {
    const context = (window as any).jupyterapp.shell.currentWidget.sessionContext;
    if (context.session?.kernel?.status !== 'idle') await context.restartKernel();
  });
  await eventually(() => page.evaluate(() => (window as any).jupyterapp.shell.currentWidget.sessionContext.session?.kernel?.status === 'idle'), 60_000, 'the restarted kernel');
  await runCellAt(page, 0);
  const runs = await eventually(async () => {
    const all = await runsOf(experiment);
    return all.length === 2 && all[1]!.cellCount === 1 ? all : null;
  }, 30_000, 'run 2 after the restart');
  expect(runs[0]!.status).toBe('failed');
  expect(runs[1]!.status).toBe('running');
  expect(runs[1]!.params.map((p) => [p.key, p.value])).toEqual([['alpha', 0.5]]);

  // Dark theme: the panel takes JupyterLab's colours.
  await page.theme.setDarkTheme();
  await page.evaluate(() => (window as any).jupyterapp.commands.execute('runtrail:open-runs-panel'));
  const panel = page.locator('#runtrail-runs-panel');
  const table = panel.locator('rt-run-table');
  await expect(table.locator('[role="row"][data-run-id]')).toHaveCount(2);
  const colors = await table.locator('[role="grid"]').evaluate((grid) => {
    const style = getComputedStyle(grid);
    let background = style.backgroundColor;
    for (let el: Element | null = grid; el && /rgba\(0, 0, 0, 0\)|transparent/.test(background); el = el.parentElement ?? ((el.getRootNode() as ShadowRoot).host ?? null)) {
      background = getComputedStyle(el).backgroundColor;
    }
    return { color: style.color, background };
  });
  expect(luminance(colors.background)).toBeLessThan(0.3);
  expect(luminance(colors.color)).toBeGreaterThan(0.6);

  // Keyboard only: the list is one tab stop; Home, Space, ArrowDown, Space select both runs; Tab reaches Compare.
  await table.locator('[role="grid"]').focus();
  await page.keyboard.press('Home');
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Space');
  await expect(table.locator('[role="row"][aria-selected="true"]')).toHaveCount(2);
  const compareButton = table.locator('vscode-button', { hasText: 'Compare' });
  for (let i = 0; i < 20 && !(await compareButton.evaluate((b) => b.matches(':focus') || b.matches(':focus-within'))); i++) {
    await page.keyboard.press('Shift+Tab');
  }
  await page.keyboard.press('Enter');
  await expect(panel.locator('rt-run-compare')).toBeVisible();
  await expect(panel.locator('rt-run-compare').getByText('alpha').first()).toBeVisible();
});

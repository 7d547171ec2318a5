// The Runs view, run detail, compare, live updates and the offline cache in a real VS Code (code-server).
// Each test builds on the previous ones (one browser page, one seeded backend); run.mjs supplies `ctx`.
import { createRun } from './backend.mjs';

const TREE_TIMEOUT = 30_000;

/**
 * Runs a command by its palette title (F1, type, Enter). A webview that finishes loading can take focus and
 * close the palette before Enter lands, so an attempt whose palette vanished is retried. `pick` is the text of the
 * row to wait for when it differs from what is typed.
 */
export async function runCommand(page, title, pick = title) {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('input');
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press('F1');
      await input.waitFor({ timeout: 10_000 });
      await input.fill(`>${title}`);
      await page.locator('.quick-input-list .monaco-list-row', { hasText: pick }).first().waitFor({ timeout: 10_000 });
      await input.press('Enter', { timeout: 5000 });
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
      await page.keyboard.press('Escape');
    }
  }
}

/**
 * Right-clicks `row` and runs the context menu item `name`. A menu ignores a click that lands while it is still
 * opening, so the item is clicked again while the menu stays up.
 */
export async function contextMenu(page, row, name) {
  await row.click({ button: 'right' });
  const item = page.getByRole('menuitem', { name });
  await item.waitFor({ timeout: 10_000 });
  for (let attempt = 0; attempt < 5 && (await item.isVisible()); attempt++) {
    await item.click({ timeout: 2000 }).catch(() => {});
    await page.waitForTimeout(300);
  }
}

/** The page inside the visible webview panel (two nested iframes, the inner one `#active-frame`). */
export function activeWebview(page) {
  return page.locator('iframe.webview:visible').last().contentFrame().frameLocator('#active-frame');
}

/** A tree row (any view) whose accessible name matches `name`. */
export function treeItem(page, name) {
  return page.getByRole('treeitem', { name: new RegExp(name) });
}

/** Opens the workbench and the runtrail container. */
async function openRuntrail(page, ctx) {
  await page.goto(ctx.codeServer.folderUrl);
  await showRuntrail(page);
}

/**
 * Makes the runtrail container visible. After a reload the workbench restores the sidebar a moment later, and
 * clicking the icon of an open container closes it: so look, click only when closed, and look again.
 */
export async function showRuntrail(page) {
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  const icon = page.locator('.activitybar .action-item[aria-label^="runtrail"], .activitybar a[aria-label^="runtrail"]').first();
  await icon.waitFor({ timeout: 60_000 });
  const header = page.locator('.sidebar .pane-header', { hasText: /^Runs/i }).first();
  for (let attempt = 0; attempt < 4; attempt++) {
    if (await header.waitFor({ timeout: 2000 }).then(() => true, () => false)) return;
    await icon.click();
  }
  throw new Error('the runtrail container did not open');
}

/** The e2e tests, in order. */
export const tests = [
  {
    name: 'the Runs view shows the seeded experiment and its runs',
    async run({ page, ctx }) {
      await openRuntrail(page, ctx);
      await treeItem(page, 'e2e-experiment').waitFor({ timeout: TREE_TIMEOUT });
      await treeItem(page, 'baseline').waitFor({ timeout: TREE_TIMEOUT });
      await treeItem(page, 'tuned').waitFor({ timeout: TREE_TIMEOUT });
      const status = page.locator('.statusbar-item', { hasText: 'runtrail' }).first();
      await status.waitFor({ timeout: 10_000 });
      return `tree: ${(await page.getByRole('treeitem').allInnerTexts()).map((t) => t.replace(/\n/g, ' ')).join(' | ')}`;
    },
  },
  {
    name: 'opening a run shows its params and a metric chart',
    async run({ page }) {
      await treeItem(page, 'baseline').click();
      const view = activeWebview(page);
      const detail = view.locator('rt-run-detail');
      await detail.locator('h1', { hasText: 'baseline' }).waitFor({ timeout: 30_000 });
      for (const [key, value] of [['lr', '0.01'], ['optimizer', 'adam'], ['epochs', '3']]) {
        await detail.locator('table.data tbody tr', { hasText: key }).filter({ hasText: value }).first().waitFor({ timeout: 10_000 });
      }
      await detail.locator('rt-metric-chart canvas').first().waitFor({ timeout: 30_000 });
      const charts = await detail.locator('rt-metric-chart').count();
      if (await view.locator('#error').isVisible()) throw new Error(`the webview shows an error: ${await view.locator('#error').innerText()}`);
      return `params lr/optimizer/epochs shown, ${charts} metric chart(s) drawn`;
    },
  },
  {
    name: 'selecting two runs and Compare Selected shows their param difference',
    async run({ page }) {
      await treeItem(page, 'baseline').click();
      await treeItem(page, 'tuned').click({ modifiers: ['Control'] });
      // The Runs view's title button, as a user would (hovering the view shows it).
      await page.locator('.sidebar .pane-header', { hasText: /^Runs/i }).first().hover();
      await page.locator('.sidebar .pane-header .action-label[aria-label="Compare Selected"]').first().click();
      const compare = activeWebview(page).locator('rt-run-compare');
      await compare.locator('h1', { hasText: 'Compare' }).waitFor({ timeout: 30_000 });
      const lr = compare.locator('tr.differs', { hasText: 'lr' }).first();
      await lr.waitFor({ timeout: 10_000 });
      const cells = (await lr.locator('td').allInnerTexts()).filter((text) => text.trim());
      if (!cells.includes('0.01') || !cells.includes('0.001')) throw new Error(`lr row shows ${JSON.stringify(cells)}`);
      await compare.locator('tr.differs', { hasText: 'epochs' }).first().waitFor({ timeout: 10_000 });
      const sameOptimizer = await compare.locator('tr:not(.differs)', { hasText: 'optimizer' }).count();
      if (sameOptimizer === 0) throw new Error('optimizer (equal in both runs) is marked as differing');
      return `lr differs (${cells.join(' vs ')}), epochs differs, optimizer equal`;
    },
  },
  {
    name: 'a run created through the API while the view is open appears without refresh',
    async run({ page, ctx }) {
      const started = Date.now();
      await createRun(ctx.call, ctx.seeded.experimentId, { name: 'live-run', params: { lr: 0.1 }, metrics: { loss: [1, 0.5] }, status: 'running' });
      await treeItem(page, 'live-run').waitFor({ timeout: 15_000 });
      return `appeared ${Date.now() - started} ms after the REST call`;
    },
  },
  {
    name: 'with the backend stopped, the view still shows the last known state, also after a window reload',
    async run({ page, ctx }) {
      await ctx.backend.stop();
      await page.locator('.statusbar-item', { hasText: 'runtrail: offline' }).first().waitFor({ timeout: 30_000 });
      // Reload Window restarts the extension host: what the view shows now can only come from the offline cache.
      await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), runCommand(page, 'Developer: Reload Window')]);
      await showRuntrail(page);
      await page.locator('.statusbar-item', { hasText: 'runtrail: offline' }).first().waitFor({ timeout: 60_000 });
      for (const name of ['e2e-experiment', 'baseline', 'tuned', 'live-run']) await treeItem(page, name).waitFor({ timeout: TREE_TIMEOUT });
      await page.getByText('Offline: showing the last known state').first().waitFor({ timeout: 10_000 });
      return 'after the reload: the 4 items come from the cache; status bar and view message say offline';
    },
  },
  {
    name: 'run and compare panels are restored after the reload',
    async run({ page }) {
      for (const title of ['Run baseline', 'Compare baseline ↔ tuned']) {
        await page.locator('.tabs-container .tab', { hasText: title }).first().waitFor({ timeout: 30_000 });
      }
      await page.locator('.tabs-container .tab', { hasText: 'Compare baseline ↔ tuned' }).first().click();
      const compare = activeWebview(page).locator('rt-run-compare');
      await compare.locator('tr.differs', { hasText: 'lr' }).first().waitFor({ timeout: 30_000 });
      return 'both tabs back; the compare shows the lr difference from the cached docs';
    },
  },
  {
    name: 'when the backend is back, the view reconnects, shows runs created meanwhile and loads charts',
    async run({ page, ctx }) {
      await ctx.restartBackend();
      await createRun(ctx.call, ctx.seeded.experimentId, { name: 'after-restart', params: { lr: 0.2 }, metrics: { loss: [1, 0.7] } });
      // The sync sockets retry with backoff (at most 10 s); the Refresh command would retry at once.
      await treeItem(page, 'after-restart').waitFor({ timeout: 30_000 });
      await page.locator('.statusbar-item', { hasText: 'runtrail: offline' }).waitFor({ state: 'detached', timeout: 30_000 });
      // Charts that could not load offline are fetched once the server answers again.
      await page.locator('.tabs-container .tab', { hasText: 'Run baseline' }).first().click();
      await activeWebview(page).locator('rt-run-detail rt-metric-chart canvas').first().waitFor({ timeout: 30_000 });
      return 'reconnected without a reload; the restored run panel now has its charts';
    },
  },
  {
    name: 'Connect to Server stores the token in SecretStorage (a wrong one is refused, the right one connects)',
    async run({ page, ctx }) {
      const connect = async (token) => {
        await runCommand(page, 'runtrail: Connect to Server');
        const widget = page.locator('.quick-input-widget');
        const input = widget.locator('input');
        await widget.filter({ hasText: 'Connect to Server (1/2)' }).waitFor({ timeout: 10_000 });
        if ((await input.inputValue()) !== ctx.backend.url) throw new Error(`the URL box shows ${await input.inputValue()}`);
        // locator.press focuses the box first; a bare keyboard Enter could reach the tree if focus lags.
        await input.press('Enter');
        await widget.filter({ hasText: 'Connect to Server (2/2)' }).waitFor({ timeout: 10_000 });
        if ((await input.getAttribute('type')) !== 'password') throw new Error('the token box does not mask its input');
        await input.fill(token);
        await input.press('Enter');
        await widget.waitFor({ state: 'hidden', timeout: 10_000 });
      };
      await connect('wrong-token');
      await page.locator('.statusbar-item', { hasText: 'token refused' }).first().waitFor({ timeout: 30_000 });
      await connect(ctx.token);
      await page.locator('.statusbar-item', { hasText: 'token refused' }).waitFor({ state: 'detached', timeout: 30_000 });
      await treeItem(page, 'after-restart').waitFor({ timeout: TREE_TIMEOUT });
      return 'refused, then connected with the stored secret (the env token would have worked too, so the refusal proves the secret wins)';
    },
  },
  {
    name: 'the Runs view groups experiments by notebook folder (project) above experiments and runs',
    async run({ page, ctx }) {
      for (const [name, notebookPath, runName] of [['vision-notebook', 'work/vision/train.ipynb', 'vision-run'], ['nlp-notebook', 'work/nlp/train.ipynb', 'nlp-run']]) {
        const experiment = await ctx.call('POST', '/api/v1/experiments', { name, kind: 'notebook', notebookPath });
        await createRun(ctx.call, experiment.id, { name: runName, params: { lr: 0.5 }, metrics: { loss: [1] } });
      }
      // New experiments are listed on the next poll (30 s) or at once by Refresh.
      await runCommand(page, 'runtrail: Refresh');
      const row = (level, text) => page.locator(`[role="treeitem"][aria-level="${level}"]`, { hasText: text }).first();
      for (const project of ['vision', 'nlp', 'Named experiments']) await row(1, project).waitFor({ timeout: TREE_TIMEOUT });
      await row(2, 'vision-notebook').waitFor({ timeout: TREE_TIMEOUT });
      await row(3, 'vision-run').waitFor({ timeout: TREE_TIMEOUT });
      await row(2, 'e2e-experiment').waitFor({ timeout: TREE_TIMEOUT });
      await row(3, 'baseline').waitFor({ timeout: TREE_TIMEOUT });
      return `projects: ${(await page.locator('[role="treeitem"][aria-level="1"]').allInnerTexts()).map((t) => t.replace(/\n/g, ' ')).join(' | ')}`;
    },
  },
  {
    name: 'Filter Runs: the quick pick offers fields and counts matches, Enter filters the tree, Clear Filter restores it',
    async run({ page }) {
      await runCommand(page, 'runtrail: Filter Runs');
      const widget = page.locator('.quick-input-widget');
      const input = widget.locator('input');
      const rowOf = (text) => page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
      await input.fill('metrics.loss < 0.3 and par');
      await rowOf('Not a valid filter').waitFor({ timeout: 10_000 });
      await rowOf('params.lr').click();
      for (let i = 0; (await input.inputValue()) !== 'metrics.loss < 0.3 and params.lr '; i++) {
        if (i > 50) throw new Error(`picking the field left "${await input.inputValue()}" in the box`);
        await page.waitForTimeout(100);
      }
      await input.fill('metrics.loss < 0.3 and params.lr < 0.005');
      const apply = rowOf('Filter: metrics.loss < 0.3 and params.lr < 0.005');
      await apply.waitFor({ timeout: 10_000 });
      const counted = (await apply.innerText()).replace(/\n/g, ' ');
      if (!/1 of \d+ runs/.test(counted)) throw new Error(`the apply item says "${counted}"`);
      await input.press('Enter');
      await widget.waitFor({ state: 'hidden', timeout: 10_000 });
      await treeItem(page, 'baseline').waitFor({ state: 'detached', timeout: TREE_TIMEOUT });
      await treeItem(page, 'tuned').waitFor({ timeout: TREE_TIMEOUT });
      const header = page.locator('.sidebar .pane-header', { hasText: /^Runs/i }).first();
      await header.filter({ hasText: 'params.lr < 0.005' }).waitFor({ timeout: 10_000 });
      await header.hover();
      await page.locator('.sidebar .pane-header .action-label[aria-label="Clear Runs Filter"]').first().click();
      await treeItem(page, 'baseline').waitFor({ timeout: TREE_TIMEOUT });
      return `apply item: "${counted}"; only tuned shown, then all runs again`;
    },
  },
  {
    name: 'Search Runs finds a run by part of its id and opens it',
    async run({ page, ctx }) {
      await runCommand(page, 'runtrail: Search Runs');
      const input = page.locator('.quick-input-widget input');
      await input.fill(ctx.seeded.tuned.slice(-10));
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'tuned' }).first();
      await row.waitFor({ timeout: 10_000 });
      const rows = await page.locator('.quick-input-list .monaco-list-row').count();
      await input.press('Enter');
      await page.locator('.tabs-container .tab', { hasText: 'Run tuned' }).first().waitFor({ timeout: 30_000 });
      await activeWebview(page).locator('rt-run-detail h1', { hasText: 'tuned' }).waitFor({ timeout: 30_000 });
      return `${rows} item(s) for the id fragment; the run panel opened`;
    },
  },
  {
    name: 'Open Run in Browser (run context menu) opens <server>/r/<run-id> in a new tab',
    async run({ page, ctx }) {
      const popup = page.context().waitForEvent('page', { timeout: 20_000 });
      await contextMenu(page, treeItem(page, 'baseline'), 'Open Run in Browser');
      // VS Code may ask before opening an outside link; localhost usually counts as trusted.
      const dialog = page.locator('.monaco-dialog-box');
      const opened = await Promise.race([popup, dialog.waitFor({ timeout: 20_000 }).then(() => null)]);
      let tab = opened;
      if (!tab) {
        await dialog.getByRole('button', { name: 'Open' }).click();
        tab = await popup;
      }
      try {
        const expected = `/r/${ctx.seeded.baseline}`;
        for (let i = 0; !tab.url().endsWith(expected); i++) {
          if (i > 100) throw new Error(`the new tab shows ${tab.url()}, not …${expected}`);
          await page.waitForTimeout(100);
        }
        const url = tab.url();
        if (!url.includes(String(new URL(ctx.backend.url).port))) throw new Error(`the new tab ${url} is not on the server's port`);
        return `opened ${url}${opened ? '' : ' (after VS Code asked)'}`;
      } finally {
        await tab.close();
      }
    },
  },
];

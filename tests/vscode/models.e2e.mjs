// The Models view and "Register Model from Run…" in a real VS Code (code-server). Runs after runs.e2e.mjs on the
// same page and seeded backend (backend.mjs registered churn-classifier v1, v2 with the alias champion → v2).
import { activeWebview, contextMenu, runCommand, showRuntrail, treeItem } from './runs.e2e.mjs';

const TREE_TIMEOUT = 30_000;
const NEW_MODEL = 'e2e-registered';

/** The Models pane of the runtrail container. */
function modelsPane(page) {
  return page.locator('.sidebar .pane', { has: page.locator('.pane-header', { hasText: /^Models/i }) }).first();
}

/** A row of the Models view whose text contains every one of `texts`. */
function modelRow(page, ...texts) {
  let row = modelsPane(page).getByRole('treeitem');
  for (const text of texts) row = row.filter({ hasText: text });
  return row.first();
}

/** Expands a model row unless it is open already. */
async function expand(row) {
  await row.waitFor({ timeout: TREE_TIMEOUT });
  if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
}

/** Opens the workbench when a test runs alone (--grep: the page is still blank), and the runtrail container. */
async function ready(page, ctx) {
  if (!page.url().startsWith('http')) await page.goto(ctx.codeServer.folderUrl);
  // A menu or box left open by a failed test would swallow the clicks of this one.
  await page.keyboard.press('Escape');
  await showRuntrail(page);
}

const quickInput = (page) => page.locator('.quick-input-widget');
const quickRow = (page, text) => page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();

/** The e2e tests, in order. */
export const tests = [
  {
    name: 'the Models view shows the registered model, its versions and the alias',
    async run({ page, ctx }) {
      await ready(page, ctx);
      const model = modelRow(page, ctx.seeded.model);
      await model.filter({ hasText: '2 versions' }).filter({ hasText: '@champion → v2' }).waitFor({ timeout: TREE_TIMEOUT });
      await expand(model);
      await modelRow(page, 'Version 2', '@champion', 'run tuned').waitFor({ timeout: TREE_TIMEOUT });
      await modelRow(page, 'Version 1', 'run baseline').waitFor({ timeout: TREE_TIMEOUT });
      if (await modelRow(page, 'Version 1', '@champion').count()) throw new Error('Version 1 shows the alias of version 2');
      return `rows: ${(await modelsPane(page).getByRole('treeitem').allInnerTexts()).map((t) => t.replace(/\n/g, ' ')).join(' | ')}`;
    },
  },
  {
    name: 'Register Model from Run… (run context menu) picks an artifact folder and a new name, and creates version 1',
    async run({ page, ctx }) {
      await ready(page, ctx);
      await contextMenu(page, treeItem(page, 'tuned').first(), 'Register Model from Run…');
      await quickInput(page).filter({ hasText: 'artifact of tuned' }).waitFor({ timeout: 20_000 });
      for (const text of ['model/MLmodel', 'model/model.pkl', 'All artifacts']) await quickRow(page, text).waitFor({ timeout: 10_000 });
      await quickRow(page, '2 files').click();
      await quickInput(page).filter({ hasText: '(2/2): model' }).waitFor({ timeout: 10_000 });
      await quickRow(page, ctx.seeded.model).waitFor({ timeout: 10_000 });
      const input = quickInput(page).locator('input');
      await input.fill(NEW_MODEL);
      await quickRow(page, `New model: ${NEW_MODEL}`).waitFor({ timeout: 10_000 });
      await input.press('Enter');
      await modelRow(page, NEW_MODEL, '1 version').waitFor({ timeout: TREE_TIMEOUT });
      // The toast may already be gone (or never shown over a busy workbench): the notification center keeps it.
      await runCommand(page, 'Notifications: Show Notifications');
      await page.locator('.notifications-center', { hasText: `registered ${NEW_MODEL} version 1 from run tuned` }).first().waitFor({ timeout: 20_000 });
      await runCommand(page, 'Notifications: Clear All Notifications');
      const { versions } = await ctx.call('GET', `/api/v1/models/${NEW_MODEL}/versions`);
      const paths = versions[0]?.artifacts.map((a) => a.path).sort();
      if (versions.length !== 1 || versions[0].runId !== ctx.seeded.tuned || paths.join() !== 'model/MLmodel,model/model.pkl') {
        throw new Error(`the API lists ${JSON.stringify(versions.map((v) => ({ version: v.version, runId: v.runId, paths: v.artifacts.map((a) => a.path) })))}`);
      }
      return `API: ${NEW_MODEL} v1 from run tuned with ${paths.join(', ')}; the view and the notification show it`;
    },
  },
  {
    name: 'Set Alias… on a version (context menu) shows the alias on that row',
    async run({ page, ctx }) {
      await ready(page, ctx);
      await expand(modelRow(page, ctx.seeded.model));
      await contextMenu(page, modelRow(page, 'Version 1'), 'Set Alias…');
      const input = quickInput(page).locator('input');
      await quickInput(page).filter({ hasText: `Set Alias of ${ctx.seeded.model} v1` }).waitFor({ timeout: 10_000 });
      await input.fill('latest');
      await quickInput(page).filter({ hasText: 'reserved' }).waitFor({ timeout: 10_000 });
      await input.fill('challenger');
      await input.press('Enter');
      await modelRow(page, 'Version 1', '@challenger').waitFor({ timeout: TREE_TIMEOUT });
      const model = await ctx.call('GET', `/api/v1/models/${ctx.seeded.model}`);
      const aliases = model.aliases.map((a) => `${a.alias}→${a.version}`).sort();
      if (aliases.join() !== 'challenger→1,champion→2') throw new Error(`the API has aliases ${aliases.join(', ')}`);
      return `"latest" refused in the box; API aliases ${aliases.join(', ')}`;
    },
  },
  {
    name: "Show Lineage lists version → run → data → code and opens the source run and a cell's code",
    async run({ page, ctx }) {
      await ready(page, ctx);
      await expand(modelRow(page, ctx.seeded.model));
      await contextMenu(page, modelRow(page, 'Version 2', '@champion'), 'Show Lineage');
      await quickInput(page).filter({ hasText: `Lineage of ${ctx.seeded.model} v2` }).waitFor({ timeout: 20_000 });
      const list = page.locator('.quick-input-list');
      for (const text of ['Source run', 'Data snapshots (1)', 'Code cells (2)', 'pandas · 1000 × 12', "df = pd.read_csv('churn.csv')", 'model = fit(df, lr=lr)']) {
        await list.filter({ hasText: text }).first().waitFor({ timeout: 10_000 });
      }
      await quickRow(page, 'open the run').click();
      await page.locator('.tabs-container .tab', { hasText: 'Run tuned' }).first().waitFor({ timeout: 30_000 });
      await activeWebview(page).locator('rt-run-detail h1', { hasText: 'tuned' }).waitFor({ timeout: 30_000 });
      // A cell row opens the cell's code (an untitled Python editor, closed again without saving).
      await contextMenu(page, modelRow(page, 'Version 2', '@champion'), 'Show Lineage');
      await quickRow(page, 'model = fit(df, lr=lr)').click();
      await page.locator('.editor-instance .monaco-editor .view-lines', { hasText: 'save(model)' }).first().waitFor({ timeout: 20_000 });
      await runCommand(page, 'View: Revert and Close Editor');
      return 'the run row opened the run detail of tuned; the cell row opened its code';
    },
  },
  {
    name: 'with the backend stopped, the Models view still shows the last known models after a window reload',
    async run({ page, ctx }) {
      await ctx.backend.stop();
      try {
        await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), runCommand(page, 'Developer: Reload Window')]);
        await showRuntrail(page);
        await page.locator('.statusbar-item', { hasText: 'runtrail: offline' }).first().waitFor({ timeout: 60_000 });
        await modelsPane(page).getByText('Offline: showing the last known models').waitFor({ timeout: TREE_TIMEOUT });
        await modelRow(page, NEW_MODEL, '1 version').waitFor({ timeout: TREE_TIMEOUT });
        await expand(modelRow(page, ctx.seeded.model, '@champion → v2', '@challenger → v1'));
        await modelRow(page, 'Version 2', '@champion').waitFor({ timeout: TREE_TIMEOUT });
      } finally {
        await ctx.restartBackend();
      }
      // No Refresh: the models are fetched again as soon as the Runs history reconnects (sync retries at most every 10 s).
      await modelsPane(page).getByText('Offline: showing the last known models').waitFor({ state: 'detached', timeout: 45_000 });
      return 'after the reload with no server: both models, versions and aliases from the cache; online again by itself once the server is back';
    },
  },
  {
    name: 'Delete Model… asks for the model name and deletes it permanently',
    async run({ page, ctx }) {
      await ready(page, ctx);
      await contextMenu(page, modelRow(page, NEW_MODEL), 'Delete Model…');
      const input = quickInput(page).locator('input');
      await quickInput(page).filter({ hasText: `Delete Model "${NEW_MODEL}" permanently` }).waitFor({ timeout: 10_000 });
      await input.fill('e2e');
      await quickInput(page).filter({ hasText: `Type "${NEW_MODEL}" to delete` }).waitFor({ timeout: 10_000 });
      await input.fill(NEW_MODEL);
      await input.press('Enter');
      await modelRow(page, NEW_MODEL).waitFor({ state: 'detached', timeout: TREE_TIMEOUT });
      const gone = await ctx.call('GET', `/api/v1/models/${NEW_MODEL}`).then(() => false, (error) => / 404 /.test(error.message));
      if (!gone) throw new Error(`${NEW_MODEL} is still on the server`);
      await modelRow(page, ctx.seeded.model).waitFor({ timeout: TREE_TIMEOUT });
      return 'a wrong name is refused in the box; the model is gone from the view and the API (404)';
    },
  },
];

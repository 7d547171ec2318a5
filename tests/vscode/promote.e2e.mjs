// Promote / demote a notebook cell to a pipeline step in a real VS Code (code-server), checked against the real CLI:
// a copy of tests/fixtures/notebooks/customers.ipynb is opened in code-server's workspace folder (the project),
// an identical copy sits in another folder where `runtrail pipeline promote|demote --yes` runs. After each action
// both folders must hold the same pipeline.yaml and pipeline/steps/*.py byte for byte, and the saved notebooks the
// same cells with the same ids and tags. The notebooks are compared as parsed JSON: VS Code's ipynb serializer writes
// its own layout (key order, indentation), while the CLI keeps the file's own, so the bytes must differ.
//
// Both sides read the last run's snapshots from the same backend: the notebook names a seeded experiment whose run
// has a snapshot of `features`, so the report step's data input is bound to it in both.
//
// run.mjs runs `tests` with the shared page and ctx (backend, workspace); `--grep promote` runs only these.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { uuidv7 } from 'uuidv7';
import { ROOT } from '../../scripts/lib/setup.mjs';
import { runCommand } from './runs.e2e.mjs';
import { eventually } from './wait.mjs';

const exec = promisify(execFile);
const CLI = join(ROOT, 'packages', 'cli', 'dist', 'runtrail.mjs');
const NOTEBOOK = 'customers.ipynb';
const FEATURES_FINGERPRINT = 'xxh3:00112233445566778899aabbccddeeff';
const PROMOTE = 'Promote Cell to Pipeline Step…';
const DEMOTE = 'Demote Cell from Pipeline…';

/** Text of each cell the tests act on (a run of characters without spaces, which Monaco renders as nbsp). */
const CELL_TEXT = { lookup: 'np.arange', features: '.copy()', report: 'float(features', params: 'threshold' };

function assert(ok, what) {
  if (!ok) throw new Error(what);
}

/** Every file under `dir` (relative path -> content), skipping nothing: a refused command must change none. */
function tree(dir, prefix = '') {
  const out = {};
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix + entry.name;
    if (entry.isDirectory()) Object.assign(out, tree(join(dir, entry.name), `${rel}/`));
    else out[rel] = readFileSync(join(dir, entry.name), 'utf8');
  }
  return out;
}

/** pipeline.yaml and the step modules of a project folder. */
function pipelineFiles(dir) {
  const steps = tree(join(dir, 'pipeline'), 'pipeline/');
  return { ...(existsSync(join(dir, 'pipeline.yaml')) ? { 'pipeline.yaml': readFileSync(join(dir, 'pipeline.yaml'), 'utf8') } : {}), ...steps };
}

/** What must be equal in the two saved notebooks: per cell its type, id, source and tags. */
function notebookCells(dir) {
  const nb = JSON.parse(readFileSync(join(dir, NOTEBOOK), 'utf8'));
  const text = (s) => (Array.isArray(s) ? s.join('') : s);
  return nb.cells.map((c) => ({ type: c.cell_type, id: c.id, source: text(c.source), tags: c.metadata?.tags ?? [] }));
}

function tagsIn(dir, id) {
  return notebookCells(dir).find((c) => c.id === id)?.tags ?? [];
}

/** Asserts the workspace (VS Code) and the CLI folder hold the same pipeline files and notebook cells. */
function assertSameAsCli(ctx) {
  const vs = pipelineFiles(ctx.workspace);
  const cli = pipelineFiles(ctx.cliProject);
  assert(JSON.stringify(Object.keys(vs).sort()) === JSON.stringify(Object.keys(cli).sort()), `same files: VS Code ${Object.keys(vs)} vs CLI ${Object.keys(cli)}`);
  for (const [path, content] of Object.entries(cli)) {
    if (vs[path] !== content) throw new Error(`${path} differs:\n--- VS Code\n${vs[path]}\n--- CLI\n${content}`);
  }
  const a = JSON.stringify(notebookCells(ctx.workspace));
  const b = JSON.stringify(notebookCells(ctx.cliProject));
  assert(a === b, `the saved notebooks differ in cells/ids/tags:\nVS Code ${a}\nCLI     ${b}`);
  return Object.keys(cli).sort();
}

async function cli(ctx, ...args) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [CLI, 'pipeline', ...args], {
      cwd: ctx.cliProject,
      env: { ...process.env, RUNTRAIL_URL: ctx.backend.url, RUNTRAIL_TOKEN: ctx.token },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    return { code: error.code, stdout: error.stdout, stderr: error.stderr };
  }
}

/** The notebook's experiment with a run whose snapshots include the DataFrame `features`. */
async function seedExperiment(call) {
  const experiment = await call('POST', '/api/v1/experiments', { name: `promote-e2e-${Date.now()}`, kind: 'named' });
  const runId = uuidv7();
  const start = Date.now() - 30_000;
  await call('POST', '/api/v1/runs', { id: runId, experimentId: experiment.id, name: 'customers #1', startTime: start });
  await call('POST', `/api/v1/runs/${runId}/snapshots`, {
    snapshots: [{ id: uuidv7(), name: 'features', kind: 'pandas', fingerprint: FEATURES_FINGERPRINT, shape: [4, 3], capturedAt: start + 1000 }],
  });
  await call('POST', `/api/v1/runs/${runId}/finish`, { status: 'finished', endTime: start + 2000 });
  return experiment.id;
}

/** The fixture with the experiment id in its metadata, where both extensions keep it. */
function writeFixture(dir, experimentId) {
  const nb = JSON.parse(readFileSync(join(ROOT, 'tests', 'fixtures', 'notebooks', NOTEBOOK), 'utf8'));
  nb.metadata.runtrail = { experimentId };
  writeFileSync(join(dir, NOTEBOOK), JSON.stringify(nb, null, 1) + '\n');
}

function cellRow(page, name) {
  return page.locator('.notebookOverlay:visible .monaco-list-row.code-cell-row', { hasText: CELL_TEXT[name] }).first();
}

/** The cell's row; the notebook list renders only rows near the viewport, so it scrolls from the top until found. */
async function findCell(page, name) {
  const row = cellRow(page, name);
  for (let attempt = 0; attempt < 40; attempt++) {
    if (await row.count()) {
      await row.scrollIntoViewIfNeeded({ timeout: 10_000 });
      return row;
    }
    await page.locator('.notebookOverlay:visible .monaco-list').first().hover({ position: { x: 300, y: 200 } });
    await page.mouse.wheel(0, attempt === 0 ? -20_000 : 250);
    await page.waitForTimeout(250);
  }
  throw new Error(`cell ${name} (text ${CELL_TEXT[name]}) not found in the notebook`);
}

/**
 * Opens the notebook from the Explorer (Quick Open would wait for the folder's file search). A click that lands
 * before the ipynb serializer is registered opens the JSON text editor instead: then it closes it and retries.
 */
async function openNotebook(page) {
  await page.keyboard.press('Control+Shift+E');
  for (let attempt = 1; ; attempt++) {
    await page.getByRole('treeitem', { name: NOTEBOOK }).first().click({ timeout: 30_000 });
    const opened = await page.locator('.notebookOverlay:visible .monaco-list-row.code-cell-row').first().waitFor({ timeout: 10_000 }).then(() => true, () => false);
    if (opened) return;
    if (attempt >= 4) throw new Error(`${NOTEBOOK} did not open in the notebook editor`);
    await runCommand(page, 'View: Close All Editors');
    await page.waitForTimeout(2000);
  }
}

/** Clicks into a cell's editor, which makes it the notebook's selected cell. */
async function selectCell(page, name) {
  const row = await findCell(page, name);
  await row.locator('.view-lines').first().click({ timeout: 10_000 });
  return row;
}

/**
 * Opens a cell's context menu (right-click: the `notebook/cell/title` menu, with the cell selected first) and
 * resolves the item names.
 */
async function openCellMenu(page, name) {
  const row = await selectCell(page, name);
  await row.click({ button: 'right', position: { x: 5, y: 5 } });
  await page.getByRole('menuitem').first().waitFor({ timeout: 10_000 });
  await page.waitForTimeout(300);
  return page.getByRole('menuitem').allInnerTexts();
}

async function clickMenuItem(page, name) {
  const item = page.getByRole('menuitem', { name });
  await item.waitFor({ timeout: 10_000 });
  for (let attempt = 0; attempt < 5 && (await item.isVisible()); attempt++) {
    await item.click({ timeout: 2000 }).catch(() => {});
    await page.waitForTimeout(300);
  }
}

const quickInput = (page) => page.locator('.quick-input-widget');

/** Answers the step name box: checks its prefill, types `name` when given, presses Enter. */
async function answerName(page, expectedPrefill, name) {
  const input = quickInput(page).locator('input');
  await quickInput(page).locator('.quick-input-title', { hasText: 'step name' }).waitFor({ timeout: 30_000 });
  const prefill = await input.inputValue();
  assert(prefill === expectedPrefill, `the name box is prefilled with "${expectedPrefill}" (got "${prefill}")`);
  if (name !== undefined) await input.fill(name);
  await input.press('Enter');
}

/** Waits for a preview (or refusal) whose title contains `text`; resolves its title and row texts. */
async function previewShown(page, text) {
  const title = quickInput(page).locator('.quick-input-title', { hasText: text });
  await title.waitFor({ timeout: 30_000 });
  const rows = await quickInput(page).locator('.quick-input-list .monaco-list-row').allInnerTexts();
  return { title: await title.innerText(), rows: rows.map((r) => r.replace(/\s+/g, ' ').trim()) };
}

async function chooseRow(page, label) {
  await quickInput(page).locator('.quick-input-list .monaco-list-row', { hasText: label }).first().click({ timeout: 10_000 });
}

/** Waits until the saved notebook in the workspace has (or no longer has) the step tag of cell `id`. */
async function savedTag(ctx, id, tag, present = true) {
  await eventually(() => tagsIn(ctx.workspace, id).includes(tag) === present, 30_000, `${NOTEBOOK} saved with cell ${id} ${present ? 'tagged' : 'untagged'} ${tag}`);
}

/** The tests, in order. */
export const tests = [
  {
    name: 'promote: the cell menu (notebook/cell/title) promotes a cell after a preview; files and tags equal the CLI\'s',
    async run({ page, ctx }) {
      // Beside code-server's workspace, so run.mjs removes it with the rest of the run's folder.
      ctx.cliProject = join(ctx.workspace, '..', 'promote-cli');
      mkdirSync(ctx.cliProject, { recursive: true });
      const experimentId = await seedExperiment(ctx.call);
      writeFixture(ctx.workspace, experimentId);
      writeFixture(ctx.cliProject, experimentId);
      for (const dir of [ctx.workspace, ctx.cliProject]) {
        rmSync(join(dir, 'pipeline'), { recursive: true, force: true });
        rmSync(join(dir, 'pipeline.yaml'), { force: true });
      }

      await page.goto(ctx.codeServer.folderUrl);
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await page.keyboard.press('Escape');
      await openNotebook(page);

      const items = await openCellMenu(page, 'lookup');
      assert(items.some((i) => i.includes(PROMOTE)), `the cell menu offers "${PROMOTE}" (items: ${items.join(' | ')})`);
      assert(!items.some((i) => i.includes(DEMOTE)), 'an untagged cell is not offered Demote');
      await clickMenuItem(page, PROMOTE);
      await answerName(page, 'lookup');
      const preview = await previewShown(page, 'to step "lookup"');
      const text = preview.rows.join('\n');
      for (const expected of ['Promote step "lookup"', 'weights: object', 'scale', 'pause', 'pipeline/steps/lookup.py', 'pipeline.yaml']) {
        assert(text.includes(expected), `the preview shows "${expected}":\n${text}`);
      }
      assert(!existsSync(join(ctx.workspace, 'pipeline.yaml')), 'nothing is written before confirming');
      await chooseRow(page, 'Promote step "lookup"');
      await savedTag(ctx, 'lookup', 'runtrail-step:lookup');
      await page.locator('.notebookOverlay:visible .cell-statusbar-container', { hasText: 'step: lookup' }).first().waitFor({ timeout: 15_000 });

      const r = await cli(ctx, 'promote', NOTEBOOK, '--cell', 'lookup', '--yes');
      assert(r.code === 0, `the CLI promotes: ${r.stderr}`);
      return `same files as the CLI: ${assertSameAsCli(ctx).join(', ')}; cell shows "step: lookup"`;
    },
  },
  {
    name: 'promote: from the palette, a data input is bound to the last run\'s snapshot as by the CLI',
    async run({ page, ctx }) {
      await selectCell(page, 'report');
      await runCommand(page, `runtrail: ${PROMOTE}`, PROMOTE);
      await answerName(page, 'report');
      const preview = await previewShown(page, 'to step "report"');
      const text = preview.rows.join('\n');
      for (const expected of ['features: pandas.DataFrame', `snapshot ${FEATURES_FINGERPRINT.slice(0, 16)}`, 'weights: object', 'from step lookup.weights', 'upstream: lookup', 'summary: object']) {
        assert(text.includes(expected), `the preview shows "${expected}":\n${text}`);
      }
      await chooseRow(page, 'Promote step "report"');
      await savedTag(ctx, 'report', 'runtrail-step:report');
      const r = await cli(ctx, 'promote', NOTEBOOK, '--cell', 'report', '--yes');
      assert(r.code === 0, `the CLI promotes: ${r.stderr}`);
      const files = assertSameAsCli(ctx);
      assert(readFileSync(join(ctx.workspace, 'pipeline.yaml'), 'utf8').includes(`snapshot: "${FEATURES_FINGERPRINT}"`) ||
        readFileSync(join(ctx.workspace, 'pipeline.yaml'), 'utf8').includes(`snapshot: ${FEATURES_FINGERPRINT}`), 'pipeline.yaml binds features to the snapshot');
      return `same files as the CLI: ${files.join(', ')}`;
    },
  },
  {
    name: 'promote: promoting again with another name updates the step in place (old module removed), as the CLI does',
    async run({ page, ctx }) {
      await selectCell(page, 'report');
      await runCommand(page, `runtrail: ${PROMOTE}`, PROMOTE);
      await answerName(page, 'report', 'summary_report');
      const preview = await previewShown(page, 'as step "summary_report"');
      assert(preview.title.includes('Update cell 9'), `the preview says it updates the step: ${preview.title}`);
      assert(preview.rows.some((r) => r.includes('pipeline/steps/report.py') && r.includes('delete')), `the preview deletes the old module:\n${preview.rows.join('\n')}`);
      await chooseRow(page, 'Update step "summary_report"');
      await savedTag(ctx, 'report', 'runtrail-step:summary_report');
      assert(!tagsIn(ctx.workspace, 'report').includes('runtrail-step:report'), 'the old tag is replaced');
      const r = await cli(ctx, 'promote', NOTEBOOK, '--cell', 'report', '--name', 'summary_report', '--yes');
      assert(r.code === 0, `the CLI promotes: ${r.stderr}`);
      const files = assertSameAsCli(ctx);
      assert(!files.includes('pipeline/steps/report.py') && files.includes('pipeline/steps/summary_report.py'), `the module is renamed: ${files}`);
      return `same files as the CLI: ${files.join(', ')}`;
    },
  },
  {
    name: 'promote: a refused promotion (name collides with an output) and a refused demotion write nothing',
    async run({ page, ctx }) {
      const before = { vs: tree(ctx.workspace), cli: tree(ctx.cliProject) };
      await selectCell(page, 'features');
      await runCommand(page, `runtrail: ${PROMOTE}`, PROMOTE);
      await answerName(page, 'features');
      const refused = await previewShown(page, 'nothing was written');
      const expected = 'step "features": name: the step function "features" would collide with an output of the same name';
      assert(refused.title.includes(expected), `the error names the step and the field: ${refused.title}`);
      assert(refused.rows.some((r) => r.includes('Choose another name')), 'a name error offers another name');
      await page.keyboard.press('Escape');

      await selectCell(page, 'lookup');
      await runCommand(page, `runtrail: ${DEMOTE}`, DEMOTE);
      const demoteRefused = await previewShown(page, 'nothing was written');
      assert(demoteRefused.title.includes('step "lookup": steps: step "summary_report" reads an output of this step'), `the demote error names the step: ${demoteRefused.title}`);
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1000);

      const cliPromote = await cli(ctx, 'promote', NOTEBOOK, '--cell', 'features', '--yes');
      assert(cliPromote.stderr.includes(expected), `the CLI refuses with the same error: ${cliPromote.stderr}`);
      const cliDemote = await cli(ctx, 'demote', NOTEBOOK, '--cell', 'lookup', '--yes');
      assert(cliDemote.code !== 0, 'the CLI refuses the demotion too');
      const after = { vs: tree(ctx.workspace), cli: tree(ctx.cliProject) };
      for (const side of ['vs', 'cli']) {
        for (const path of new Set([...Object.keys(before[side]), ...Object.keys(after[side])])) {
          assert(before[side][path] === after[side][path], `${side === 'vs' ? 'VS Code' : 'the CLI'} changed ${path} although it refused`);
        }
      }
      return refused.title;
    },
  },
  {
    name: 'promote: Demote is offered on step cells only and removes the step, its module and the tag, as the CLI does',
    async run({ page, ctx }) {
      const plain = await openCellMenu(page, 'params');
      await page.keyboard.press('Escape');
      assert(!plain.some((i) => i.includes(DEMOTE)), `a cell that is not a step has no Demote (items: ${plain.join(' | ')})`);
      const items = await openCellMenu(page, 'report');
      assert(items.some((i) => i.includes(DEMOTE)), `a step cell offers "${DEMOTE}" (items: ${items.join(' | ')})`);
      await clickMenuItem(page, DEMOTE);
      const preview = await previewShown(page, 'Demote step "summary_report"');
      assert(preview.rows.some((r) => r.includes('pipeline/steps/summary_report.py') && r.includes('delete')), `the preview deletes the module:\n${preview.rows.join('\n')}`);
      await chooseRow(page, 'Demote step "summary_report"');
      await savedTag(ctx, 'report', 'runtrail-step:summary_report', false);
      const r = await cli(ctx, 'demote', NOTEBOOK, '--cell', 'report', '--yes');
      assert(r.code === 0, `the CLI demotes: ${r.stderr}`);
      const files = assertSameAsCli(ctx);
      assert(!files.includes('pipeline/steps/summary_report.py'), 'the module is deleted');
      rmSync(ctx.cliProject, { recursive: true, force: true });
      return `same files as the CLI: ${files.join(', ')}`;
    },
  },
];

/**
 * Promote a cell to a pipeline step from JupyterLab's UI, then check it wrote what the CLI writes: the same notebook
 * (tests/fixtures/notebooks/customers.ipynb, run once so the backend holds its last run's snapshots) is promoted in
 * JupyterLab (cell context menu, preview, Enter) and, as an identical copy in another folder, by the bundled
 * `runtrail pipeline promote` against the same backend. pipeline.yaml, pipeline/steps/*.py and the notebook file are
 * compared byte for byte. Nothing has to be ignored: both sides start from the same saved notebook, JupyterLab
 * saves it with the same JSON layout the CLI keeps, and the step paths are relative to the notebook's folder on
 * both sides. Then: promoting again (cell toolbar) updates in place, demoting removes the step, and a cell below a
 * star import shows the error and writes nothing.
 */
import { expect, test, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BACKEND, api, eventually, startBackend, stopBackend } from './backend';
import { PYTHON3, galataOptions } from './setup';

type Page = IJupyterLabPageFixture;

const exec = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(REPO, 'packages/cli/dist/runtrail.mjs');
const FIXTURES = join(REPO, 'tests/fixtures');
const UI_DIR = 'promote-ui';
const ERR_DIR = 'promote-errors';
const FAULT_DIR = 'promote-fault';
const NOTEBOOK = `${UI_DIR}/customers.ipynb`;
const FEATURES = 7; // the "features" cell: reads raw (cell 3) and threshold (the parameters cell)

const uiRoot = () => join(process.env.JLAB_ROOT!, UI_DIR);
let cliRoot: string;

/** Every file under `dir` with its bytes, by relative path. */
function tree(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix + entry.name;
    if (entry.isDirectory()) Object.assign(out, tree(join(dir, entry.name), `${rel}/`));
    else out[rel] = readFileSync(join(dir, entry.name), 'latin1');
  }
  return out;
}

/** The files promotion writes: pipeline.yaml and the step modules. */
const pipelineFiles = (root: string) => ({
  ...(existsSync(join(root, 'pipeline.yaml')) ? { 'pipeline.yaml': readFileSync(join(root, 'pipeline.yaml'), 'latin1') } : {}),
  ...tree(join(root, 'pipeline'), 'pipeline/'),
});

/** The step names in a folder's pipeline.yaml (entries of `steps:` are `  - name: ...`). */
const stepNames = (root: string) => [...readFileSync(join(root, 'pipeline.yaml'), 'utf8').matchAll(/^ {2}- name: (\S+)$/gm)].map((m) => m[1]);

const tagsInFile = (file: string) =>
  (JSON.parse(readFileSync(file, 'utf8')) as { cells: Array<{ id: string; metadata: { tags?: string[] } }> }).cells.map((c) => [c.id, c.metadata.tags ?? []]);

async function cli(...args: string[]): Promise<string> {
  const { stdout } = await exec(process.execPath, [CLI, ...args], {
    cwd: cliRoot,
    env: { ...process.env, RUNTRAIL_URL: BACKEND.url, RUNTRAIL_TOKEN: BACKEND.token },
  });
  return stdout;
}

async function openNotebook(page: Page, path: string): Promise<void> {
  await page.evaluate((p) => (window as any).jupyterapp.commands.execute('docmanager:open', { path: p }), path);
  await eventually(() => page.notebook.isActive(path.split('/').pop()!), 30_000, `${path} to open`);
}

const liveTags = (page: Page, index: number) =>
  page.evaluate((i) => ((window as any).jupyterapp.shell.currentWidget.content.model.cells.get(i).getMetadata('tags') ?? []) as string[], index);

const cellAt = (page: Page, index: number) => page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell').nth(index);

async function contextMenuCommand(page: Page, index: number, command: string): Promise<void> {
  const item = page.locator(`.lm-Menu-item[data-command="${command}"]`);
  // A right-click while the notebook is still being laid out can be lost: right-click again until the menu shows.
  await expect(async () => {
    await cellAt(page, index).locator('.jp-InputArea-editor').click({ button: 'right' });
    await expect(item).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
  await item.click();
}

/** Waits for the notification that a promotion or demotion was written (files, tag and notebook save). */
async function done(page: Page, message: string): Promise<void> {
  await expect(page.getByText(message).first()).toBeVisible({ timeout: 15_000 });
}

/** Copies the notebook as JupyterLab saved it into the CLI's folder, so both sides start identical. */
async function syncCliCopy(page: Page): Promise<void> {
  await page.notebook.save();
  copyFileSync(join(uiRoot(), 'customers.ipynb'), join(cliRoot, 'customers.ipynb'));
}

function expectSameAsCli(): void {
  const ui: Record<string, string> = pipelineFiles(uiRoot());
  expect(Object.keys(ui).sort()).toEqual(Object.keys(pipelineFiles(cliRoot)).sort());
  for (const [path, content] of Object.entries(pipelineFiles(cliRoot))) expect(ui[path], path).toBe(content);
  expect(tagsInFile(join(uiRoot(), 'customers.ipynb'))).toEqual(tagsInFile(join(cliRoot, 'customers.ipynb')));
  expect(readFileSync(join(uiRoot(), 'customers.ipynb'), 'latin1')).toBe(readFileSync(join(cliRoot, 'customers.ipynb'), 'latin1'));
}

test.describe.configure({ mode: 'serial' });
test.use(galataOptions());

test.beforeAll(async () => {
  for (const dir of [join(uiRoot(), 'data'), join(process.env.JLAB_ROOT!, ERR_DIR)]) mkdirSync(dir, { recursive: true });
  copyFileSync(join(FIXTURES, 'notebooks/customers.ipynb'), join(uiRoot(), 'customers.ipynb'));
  copyFileSync(join(FIXTURES, 'data/customers.csv'), join(uiRoot(), 'data/customers.csv'));
  // problems.ipynb names no kernel; given one, JupyterLab opens it without asking which kernel to start.
  const problems = JSON.parse(readFileSync(join(FIXTURES, 'notebooks/problems.ipynb'), 'utf8'));
  problems.metadata.kernelspec = PYTHON3;
  writeFileSync(join(process.env.JLAB_ROOT!, ERR_DIR, 'problems.ipynb'), JSON.stringify(problems, null, 1));
  mkdirSync(join(process.env.JLAB_ROOT!, FAULT_DIR), { recursive: true });
  copyFileSync(join(FIXTURES, 'notebooks/customers.ipynb'), join(process.env.JLAB_ROOT!, FAULT_DIR, 'customers.ipynb'));
  cliRoot = mkdtempSync(join(tmpdir(), 'runtrail-promote-cli-'));
  await startBackend();
});
test.afterAll(async () => {
  await stopBackend();
  if (cliRoot) rmSync(cliRoot, { recursive: true, force: true });
});

test('promote from the UI writes what the CLI writes; again updates in place; demote removes it', async ({ page }) => {
  page.on('console', (msg) => {
    if (msg.type() === 'error') console.log(`[browser error] ${msg.text()}`);
  });
  await openNotebook(page, NOTEBOOK);
  const experiment = await eventually(
    () => page.evaluate(() => (window as any).jupyterapp.shell.currentWidget?.content?.model?.getMetadata('runtrail')?.experimentId as string | undefined),
    90_000,
    'the notebook experiment id',
  );
  // One run of the whole notebook, so the backend holds snapshots of raw and features to bind and type them.
  await page.notebook.run();
  const snapshots = await eventually(async () => {
    const { runs } = await api<{ runs: Array<{ snapshots: Array<{ name: string; kind: string; fingerprint: string }> }> }>(
      'POST', '/api/v1/runs/search', { experimentIds: [experiment] },
    );
    const names = new Map(runs[0]?.snapshots.map((s) => [s.name, s]) ?? []);
    return names.has('raw') && names.has('features') ? names : null;
  }, 90_000, 'snapshots of raw and features on the backend');
  await syncCliCopy(page);

  // The default name (the heading "Features") would clash with the cell's output `features`: the dialog says so,
  // naming the step and field, and takes another name; the preview then shows inputs with where they come from,
  // outputs with types, params. Escape cancels and nothing is written.
  await contextMenuCommand(page, FEATURES, 'runtrail:promote-cell');
  const dialog = page.locator('.jp-Dialog');
  const name = dialog.locator('.rt-Promote-nameInput');
  const problem = dialog.locator('.rt-Promote-error');
  await expect(name).toHaveValue('features');
  await expect(problem).toContainText('Step "features", field name: the step function "features" would collide with an output');
  await name.fill('Bad Name');
  await expect(problem).toContainText('Step "Bad Name", field name:');
  await name.fill('build_features');
  await expect(problem).toBeHidden();
  const raw = dialog.locator('[data-testid="inputs"] tr[data-name="raw"]');
  await expect(raw).toContainText('pandas.DataFrame');
  await expect(raw).toContainText(`data from cell 3, snapshot ${snapshots.get('raw')!.fingerprint}`);
  await expect(dialog.locator('[data-testid="outputs"] tr[data-name="features"]')).toContainText('pandas.DataFrameparquet');
  await expect(dialog.locator('[data-testid="params"] tr[data-name="threshold"]')).toContainText('0.5');
  await expect(dialog.locator('[data-testid="files"]')).toContainText('pipeline/steps/build_features.py');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  expect(pipelineFiles(uiRoot())).toEqual({});
  expect(await liveTags(page, FEATURES)).toEqual([]);

  // Confirm with Enter in the name field.
  await contextMenuCommand(page, FEATURES, 'runtrail:promote-cell');
  await expect(name).toBeFocused();
  await name.fill('build_features');
  await expect(problem).toBeHidden();
  await page.keyboard.press('Enter');
  await expect(dialog).toHaveCount(0);
  await done(page, 'Pipeline step "build_features" added: pipeline/steps/build_features.py, pipeline.yaml');
  expect(await liveTags(page, FEATURES)).toEqual(['runtrail-step:build_features']);
  await expect(cellAt(page, FEATURES).locator('.rt-StepBadge')).toHaveText('step: build_features');
  await cli('pipeline', 'promote', 'customers.ipynb', '--cell', 'features', '--name', 'build_features', '--yes');
  expectSameAsCli();

  // Promote again from the cell toolbar after an edit: the step is updated in place, still one step.
  await page.evaluate((i) => (window as any).jupyterapp.shell.currentWidget.content.model.cells.get(i).sharedModel.setSource(
    'features = raw[raw.value > threshold].copy()\nfeatures["double"] = features.value * 3',
  ), FEATURES);
  await syncCliCopy(page);
  await cellAt(page, FEATURES).locator('.jp-InputArea-editor').click();
  await cellAt(page, FEATURES).locator('.jp-cell-toolbar [data-command="runtrail:promote-cell"]').click();
  await expect(dialog.locator('.jp-Dialog-header')).toContainText('Update pipeline step "build_features"');
  await dialog.locator('.jp-mod-accept').click();
  await expect(dialog).toHaveCount(0);
  await done(page, 'Pipeline step "build_features" updated');
  expect(readFileSync(join(uiRoot(), 'pipeline/steps/build_features.py'), 'utf8')).toContain('features.value * 3');
  expect(stepNames(uiRoot())).toEqual(['build_features']);
  await cli('pipeline', 'promote', 'customers.ipynb', '--cell', 'features', '--yes');
  expectSameAsCli();

  // Demote from the context menu: the module and the yaml entry go, the tag and the label too.
  await syncCliCopy(page);
  await contextMenuCommand(page, FEATURES, 'runtrail:demote-step');
  await expect(dialog.locator('.rt-Demote')).toContainText('deletes pipeline/steps/build_features.py');
  await page.keyboard.press('Enter');
  await expect(dialog).toHaveCount(0);
  await done(page, 'Pipeline step "build_features" demoted: pipeline/steps/build_features.py deleted');
  expect(existsSync(join(uiRoot(), 'pipeline/steps/build_features.py'))).toBe(false);
  expect(readFileSync(join(uiRoot(), 'pipeline.yaml'), 'utf8')).not.toContain('build_features');
  expect(stepNames(uiRoot())).toEqual([]);
  expect(await liveTags(page, FEATURES)).toEqual([]);
  await expect(cellAt(page, FEATURES).locator('.rt-StepBadge')).toHaveCount(0);
  await cli('pipeline', 'demote', 'customers.ipynb', '--cell', 'features', '--yes');
  expectSameAsCli();
});

test('a cell below a star import: the error names the step and field, and nothing is written', async ({ page }) => {
  const folder = join(process.env.JLAB_ROOT!, ERR_DIR);
  const tagsBefore = tagsInFile(join(folder, 'problems.ipynb'));
  await openNotebook(page, `${ERR_DIR}/problems.ipynb`);
  await contextMenuCommand(page, 4, 'runtrail:promote-cell');
  const error = page.locator('.jp-Dialog .rt-PipelineError');
  await expect(error).toContainText('Step "step_4", field imports: cell 3 has "from math import *"');
  await expect(error).toContainText('Nothing was written.');
  await page.keyboard.press('Enter');
  await expect(page.locator('.jp-Dialog')).toHaveCount(0);
  expect(await liveTags(page, 4)).toEqual([]);
  expect(pipelineFiles(folder)).toEqual({});
  expect(tagsInFile(join(folder, 'problems.ipynb'))).toEqual(tagsBefore);
});

test('when the server refuses pipeline.yaml, the step module and the folders made for it are removed again', async ({ page }) => {
  const folder = join(process.env.JLAB_ROOT!, FAULT_DIR);
  const tagsBefore = tagsInFile(join(folder, 'customers.ipynb'));
  // The real Jupyter server answers everything except the write of pipeline.yaml, which fails as a full disk would.
  await page.route(`**/api/contents/${FAULT_DIR}/pipeline.yaml*`, (route) =>
    route.request().method() === 'PUT' ? route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ message: 'disk full' }) }) : route.fallback(),
  );
  const writes: string[] = [];
  page.on('request', (request) => {
    const path = decodeURIComponent(new URL(request.url()).pathname).split('/api/contents/')[1];
    if (path?.startsWith(FAULT_DIR) && ['PUT', 'DELETE'].includes(request.method())) writes.push(`${request.method()} ${path}`);
  });
  await openNotebook(page, `${FAULT_DIR}/customers.ipynb`);
  await contextMenuCommand(page, 3, 'runtrail:promote-cell');
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog.locator('.rt-Promote-nameInput')).toHaveValue('load');
  await page.keyboard.press('Enter');
  const error = page.locator('.jp-Dialog .rt-PipelineError');
  await expect(error).toContainText('disk full');
  await expect(error).toContainText('Nothing was written.');
  await page.keyboard.press('Enter');
  // The step module and its folders were written, then taken away again; the notebook's tags are unchanged.
  expect(writes).toEqual(expect.arrayContaining([`PUT ${FAULT_DIR}/pipeline`, `PUT ${FAULT_DIR}/pipeline/steps`, `PUT ${FAULT_DIR}/pipeline/steps/load.py`]));
  expect(writes).toEqual(expect.arrayContaining([`DELETE ${FAULT_DIR}/pipeline/steps/load.py`, `DELETE ${FAULT_DIR}/pipeline`]));
  expect(existsSync(join(folder, 'pipeline'))).toBe(false);
  expect(existsSync(join(folder, 'pipeline.yaml'))).toBe(false);
  expect(tagsInFile(join(folder, 'customers.ipynb'))).toEqual(tagsBefore);
  expect(await liveTags(page, 3)).toEqual([]);
});

/**
 * Faults in a real JupyterLab: a backend that refuses the token (tracking degrades with a visible message, the
 * notebook shows nothing of runtrail, and nothing captured is lost: once the token is fixed it all arrives); a
 * notebook without cell ids that builds a 10M-row DataFrame and prints megabytes.
 */
import { expect, test, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import { BACKEND, api, eventually, startBackend, stopBackend } from './backend';
import { codeCell, galataOptions, writeNotebook } from './setup';

type Page = IJupyterLabPageFixture;
const NOTEBOOK = 'faults.ipynb';
const LARGE = 'large.ipynb';

test.describe.configure({ mode: 'serial' });
test.use(galataOptions('not-the-token'));

test.beforeAll(async () => {
  writeNotebook(NOTEBOOK, [codeCell('log', "import runtrail\nrisk = 0.5\nruntrail.log_metric('auc', 0.9)")]);
  // nbformat 4.4: cells have no ids.
  writeNotebook(
    LARGE,
    [
      codeCell(undefined, "import numpy as np, pandas as pd\nbig = pd.DataFrame({'a': np.arange(10_000_000), 'b': np.zeros(10_000_000)})"),
      codeCell(undefined, "print('x' * 2_000_000)"),
      codeCell(undefined, "from IPython.display import Image, display\ndisplay(Image(data=bytes(range(256)) * 4, format='png'))"),
    ],
    4,
  );
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

test('a notebook without cell ids, a 10M-row DataFrame and megabytes of output are captured whole', async ({ page }) => {
  await page.evaluate(
    ([url, token]) => (window as any).jupyterapp.commands.execute('runtrail:connect', { serverUrl: url, token }),
    [BACKEND.url, BACKEND.token] as const,
  );
  await page.evaluate((path) => (window as any).jupyterapp.commands.execute('docmanager:open', { path }), LARGE);
  await eventually(() => page.notebook.isActive(LARGE), 30_000, 'the notebook to open');
  const experiment = await experimentId(page);
  await page.notebook.run();

  type Snapshot = { name: string; shape: number[]; columns: { column: string; max?: unknown; count: number }[] };
  // The frame is fingerprinted and described in the kernel's background thread; it arrives without another cell.
  const run = await eventually(async () => {
    const found = await api<{ runs: { id: string; cellCount: number; snapshots: Snapshot[] }[] }>('POST', '/api/v1/runs/search', { experimentIds: [experiment] });
    const big = found.runs[0]?.snapshots.find((s) => s.name === 'big');
    return found.runs.length === 1 && found.runs[0]!.cellCount === 3 && big && big.columns.length === 2 ? found.runs[0]! : null;
  }, 90_000, 'the run with the 10M-row snapshot and its statistics');
  const big = run.snapshots.find((s) => s.name === 'big')!;
  expect(big.shape).toEqual([10_000_000, 2]);
  expect(big.columns.find((c) => c.column === 'a')).toMatchObject({ count: 10_000_000, max: 9_999_999 });

  type Output = { text?: string; truncated: boolean; blob?: { sha256: string; size: number; mediaType: string } };
  const cells = await api<{ executions: { cellId: string; status: string; snapshotIds: string[]; outputs: Output[] }[] }>('GET', `/api/v1/runs/${run.id}/cells`);
  expect(cells.executions.map((e) => e.status)).toEqual(['ok', 'ok', 'ok']);
  // JupyterLab gives id-less cells ids; each execution is recorded under its cell's id.
  expect(new Set(cells.executions.map((e) => e.cellId)).size).toBe(3);
  expect(cells.executions[0]!.snapshotIds.length).toBe(1);
  // Megabytes of text: 4 KB inline, the whole output as a blob. An image: a blob with its bytes.
  const printed = cells.executions[1]!.outputs[0]!;
  expect(printed.truncated).toBe(true);
  expect(printed.text!.length).toBeLessThan(100_000);
  expect(printed.blob).toMatchObject({ size: 2_000_001, mediaType: 'text/plain; charset=utf-8' });
  const image = cells.executions[2]!.outputs[0]!.blob!;
  expect(image).toMatchObject({ size: 1024, mediaType: 'image/png' });
  for (const blob of [printed.blob!, image]) {
    const bytes = await eventually(async () => {
      const res = await fetch(`${BACKEND.url}/api/v1/blobs/${blob.sha256}`, { headers: { authorization: `Bearer ${BACKEND.token}` } });
      return res.ok ? new Uint8Array(await res.arrayBuffer()) : null;
    }, 30_000, `blob ${blob.mediaType}`);
    expect(bytes.length).toBe(blob.size);
  }
  await expect(page.getByTestId('runtrail-status')).toHaveText(/runtrail: tracking · synced$/, { timeout: 30_000 });
});

/**
 * Notebook capture inside the real extension host: the controller's settings and secret, running cells on the
 * Jupyter server the e2e harness started ($JUPYTER_TOKEN, runtrail.jupyterServerUrl), outputs written into the
 * cells, interrupt, restart, the capture level, and basic capture of a notebook run by another controller.
 * The "other controller" is a real VS Code controller registered here: it stands in for the Jupyter extension,
 * which cannot be installed without the marketplace.
 */
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { experimentIdOf } from '../../src/notebook/metadata';
import { jupyterTokenKey } from '../../src/platform/jupyter-settings';
import { runtrail, until } from './helpers';

const EXTENSION_ID = 'runtrail.runtrail-vscode';
const decoder = new TextDecoder();

function writeNotebook(name: string, sources: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the in-host window has no workspace folder');
  const cells = sources.map((source, i) => ({ id: `c${i}`, cell_type: 'code', source, metadata: i === 0 ? { tags: ['parameters'] } : {}, outputs: [], execution_count: null }));
  const file = join(folder.uri.fsPath, name);
  writeFileSync(file, JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: 'python3', display_name: 'Python 3' } }, cells }));
  return vscode.Uri.file(file);
}

async function openNotebook(uri: vscode.Uri): Promise<vscode.NotebookEditor> {
  const notebook = await vscode.workspace.openNotebookDocument(uri);
  return vscode.window.showNotebookDocument(notebook);
}

async function selectController(editor: vscode.NotebookEditor, id: string, extension: string): Promise<void> {
  await vscode.commands.executeCommand('notebook.selectKernel', { notebookEditor: editor, id, extension });
}

async function executeCells(notebook: vscode.NotebookDocument, start: number, end: number): Promise<void> {
  await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start, end }], document: notebook.uri });
}

const finished = (cell: vscode.NotebookCell) => cell.executionSummary?.timing?.endTime !== undefined && cell.executionSummary.success !== undefined;
const texts = (cell: vscode.NotebookCell) => cell.outputs.flatMap((o) => o.items.map((i) => `${i.mime}: ${decoder.decode(i.data)}`));

async function backendCall<T>(path: string, body?: unknown): Promise<T> {
  const api = await runtrail();
  const server = api.settings.serverUrl();
  const res = await fetch(server + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${await api.settings.token()}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Registers the notebook suite. */
export function notebookSuite(): void {
  describe('notebook capture', () => {
    afterEach(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

    it('declares runtrail.jupyterServerUrl (default: the npm start server) and runtrail.captureNotebooks', () => {
      const config = vscode.workspace.getConfiguration('runtrail');
      assert.equal(config.inspect<string>('jupyterServerUrl')?.defaultValue, 'http://127.0.0.1:8888');
      assert.equal(config.inspect<boolean>('captureNotebooks')?.defaultValue, true);
    });

    it('keeps the Jupyter token in SecretStorage per server URL, with $JUPYTER_TOKEN as the fallback', async () => {
      const { notebooks } = await runtrail();
      const url = notebooks.jupyter.serverUrl();
      assert.equal((await notebooks.jupyter.server()).token, process.env.JUPYTER_TOKEN);
      await notebooks.jupyter.save(url, 'stored-token');
      assert.equal((await notebooks.jupyter.server()).token, 'stored-token');
      assert.equal(jupyterTokenKey(`${url}/`), jupyterTokenKey(url));
      await notebooks.jupyter.save(url, '');
      assert.equal((await notebooks.jupyter.server()).token, process.env.JUPYTER_TOKEN);
      assert.equal(notebooks.jupyter.serverUrl(), url, 'the URL setting is unchanged');
    });

    it('without a secret or $JUPYTER_TOKEN, finds the token the running server wrote into its runtime folder', async () => {
      const { notebooks } = await runtrail();
      const envToken = process.env.JUPYTER_TOKEN;
      assert.ok(process.env.JUPYTER_RUNTIME_DIR, 'the harness passes the server runtime folder');
      delete process.env.JUPYTER_TOKEN;
      try {
        assert.equal((await notebooks.jupyter.server()).token, envToken);
      } finally {
        process.env.JUPYTER_TOKEN = envToken;
      }
    });

    it('names the setting when the Jupyter server URL is not a URL', async () => {
      const { notebooks } = await runtrail();
      const config = vscode.workspace.getConfiguration('runtrail');
      const url = notebooks.jupyter.serverUrl();
      await config.update('jupyterServerUrl', 'not a url', vscode.ConfigurationTarget.Global);
      try {
        assert.throws(() => notebooks.jupyter.serverUrl(), /runtrail\.jupyterServerUrl: "not a url" is not a URL/);
      } finally {
        await config.update('jupyterServerUrl', url, vscode.ConfigurationTarget.Global);
      }
    });

    it('runs cells on the Jupyter server and writes stream, result and error outputs into them', async function () {
      this.timeout(90_000);
      const { notebooks } = await runtrail();
      const editor = await openNotebook(writeNotebook('inhost-outputs.ipynb', ['x = 2', "print('hello', x)\nx * 21", "raise KeyError('nope')"]));
      const notebook = editor.notebook;
      await selectController(editor, notebooks.controllerId, EXTENSION_ID);
      await until(() => notebooks.levelOf(notebook) === 'full', 'full capture level');
      await executeCells(notebook, 0, 3);
      await until(() => finished(notebook.cellAt(2)), 'the third cell to finish', 60_000);
      const [first, second, third] = [0, 1, 2].map((i) => notebook.cellAt(i));
      assert.equal(first!.executionSummary?.success, true);
      assert.equal(second!.executionSummary?.executionOrder, 2);
      assert.deepEqual(texts(second!), ['application/vnd.code.notebook.stdout: hello 2\n', 'text/plain: 42']);
      assert.equal(third!.executionSummary?.success, false);
      const error = JSON.parse(decoder.decode(third!.outputs[0]!.items[0]!.data)) as { name: string; message: string };
      assert.equal(third!.outputs[0]!.items[0]!.mime, 'application/vnd.code.notebook.error');
      assert.deepEqual([error.name, error.message], ['KeyError', "'nope'"]);
      const capture = await notebooks.captureOf(notebook);
      assert.ok(capture, 'the notebook is captured');
      assert.equal(capture.level, 'full');
      // The experiment id is saved in the .ipynb, where JupyterLab keeps it too (it survives renames).
      await until(() => experimentIdOf(notebook.metadata) === capture.experimentId, 'the experiment id in the notebook metadata');
      await notebook.save();
      const saved = JSON.parse(readFileSync(notebook.uri.fsPath, 'utf8')) as { metadata: { runtrail?: { experimentId?: string } }; cells: { outputs: unknown[] }[] };
      assert.equal(saved.metadata.runtrail?.experimentId, capture.experimentId);
      assert.equal(saved.cells[1]!.outputs.length, 2, 'outputs are saved with the notebook');
    });

    it('interrupts a running cell', async function () {
      this.timeout(120_000);
      const { notebooks } = await runtrail();
      const editor = await openNotebook(writeNotebook('inhost-interrupt.ipynb', ["import time\nprint('sleeping', flush=True)\ntime.sleep(60)"]));
      const notebook = editor.notebook;
      await selectController(editor, notebooks.controllerId, EXTENSION_ID);
      const started = Date.now();
      void executeCells(notebook, 0, 1);
      // Interrupt once the cell itself runs (the kernel is also busy while the helper is injected).
      await until(() => texts(notebook.cellAt(0)).some((t) => t.includes('sleeping')), 'the cell to start sleeping', 60_000);
      // The editor's Interrupt action (the notebook is the active editor); VS Code calls the interruptHandler.
      await vscode.commands.executeCommand('notebook.cancelExecution');
      await until(() => finished(notebook.cellAt(0)), 'the interrupted cell to finish', 30_000);
      assert.ok(Date.now() - started < 45_000, 'ended well before the sleep would have');
      assert.equal(notebook.cellAt(0).executionSummary?.success, false);
      assert.match(texts(notebook.cellAt(0)).join('\n'), /KeyboardInterrupt/);
    });

    it('Restart Kernel ends the run; the next execution opens another one', async function () {
      this.timeout(90_000);
      const { notebooks } = await runtrail();
      const editor = await openNotebook(writeNotebook('inhost-restart.ipynb', ['y = 1']));
      const notebook = editor.notebook;
      await selectController(editor, notebooks.controllerId, EXTENSION_ID);
      await executeCells(notebook, 0, 1);
      await until(() => finished(notebook.cellAt(0)), 'the cell to finish', 60_000);
      const capture = (await notebooks.captureOf(notebook))!;
      const firstRun = capture.openRunId;
      assert.ok(firstRun, 'a run is open');
      await vscode.commands.executeCommand('runtrail.restartKernel');
      assert.equal(capture.openRunId, null, 'the restart closed the run');
      await executeCells(notebook, 0, 1);
      await until(() => capture.openRunId && capture.openRunId !== firstRun, 'a second run');
      const run = await until(
        () => backendCall<{ runs: { id: string; status: string }[] }>('/api/v1/runs/search', { experimentIds: [capture.experimentId] }).then((p) => p.runs.find((r) => r.id === firstRun && r.status === 'finished')),
        'the first run finished on the backend',
        30_000,
      );
      assert.equal(run.status, 'finished');
    });

    it('a kernel that dies ends the run as failed; after the automatic restart the helper is back and a new run opens', async function () {
      this.timeout(120_000);
      const { notebooks } = await runtrail();
      const editor = await openNotebook(
        writeNotebook('inhost-crash.ipynb', ['v = 1', 'import os\nos._exit(1)', "import runtrail\nruntrail.log_metric('after', 1.0)\nprint('helper back')"]),
      );
      const notebook = editor.notebook;
      await selectController(editor, notebooks.controllerId, EXTENSION_ID);
      await executeCells(notebook, 0, 1);
      await until(() => finished(notebook.cellAt(0)), 'the first cell', 60_000);
      const capture = (await notebooks.captureOf(notebook))!;
      const firstRun = capture.openRunId;
      assert.ok(firstRun);
      await executeCells(notebook, 1, 2);
      await until(() => capture.openRunId === null && notebooks.runnerOf(notebook)?.state === 'idle', 'the run to end and the kernel to come back', 60_000);
      await executeCells(notebook, 2, 3);
      await until(() => finished(notebook.cellAt(2)), 'the cell after the crash', 60_000);
      assert.equal(notebook.cellAt(2).executionSummary?.success, true, texts(notebook.cellAt(2)).join('\n'));
      assert.ok(capture.openRunId && capture.openRunId !== firstRun, 'a new run');
      const run = await until(
        () =>
          backendCall<{ runs: { id: string; status: string; cellCount: number }[] }>('/api/v1/runs/search', { experimentIds: [capture.experimentId] }).then((p) =>
            p.runs.find((r) => r.id === firstRun && r.status === 'failed' && r.cellCount === 2),
          ),
        'the first run failed on the backend with both of its cells',
        30_000,
      );
      assert.equal(run.status, 'failed');
    });

    it('captureNotebooks=false switches the level off', async () => {
      const { notebooks } = await runtrail();
      const editor = await openNotebook(writeNotebook('inhost-off.ipynb', ['z = 3']));
      const config = vscode.workspace.getConfiguration('runtrail');
      await config.update('captureNotebooks', false, vscode.ConfigurationTarget.Global);
      try {
        assert.equal(notebooks.levelOf(editor.notebook), 'off');
      } finally {
        await config.update('captureNotebooks', undefined, vscode.ConfigurationTarget.Global);
      }
      assert.notEqual(notebooks.levelOf(editor.notebook), 'off');
    });

    it('captures executions of another controller at basic level (source, outcome, timing, outputs)', async function () {
      this.timeout(90_000);
      const { notebooks } = await runtrail();
      // A controller of another extension's kind: it prints a line per cell and fails cells that say so.
      const other = vscode.notebooks.createNotebookController('inhost-other', 'jupyter-notebook', 'In-host other controller');
      other.supportedLanguages = ['python'];
      const selectedBy = new Set<string>();
      other.onDidChangeSelectedNotebooks(({ notebook, selected }) => (selected ? selectedBy.add(notebook.uri.toString()) : selectedBy.delete(notebook.uri.toString())));
      let order = 0;
      other.executeHandler = async (cells) => {
        for (const cell of cells) {
          const execution = other.createNotebookCellExecution(cell);
          execution.executionOrder = ++order;
          execution.start(Date.now());
          const fails = cell.document.getText().includes('raise');
          await execution.replaceOutput(
            fails
              ? new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error({ name: 'RuntimeError', message: 'other failed' })])
              : new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.stdout(`ran ${cell.index}\n`)]),
          );
          execution.end(!fails, Date.now());
        }
      };
      try {
        const editor = await openNotebook(writeNotebook('inhost-basic.ipynb', ['a = 1', "raise RuntimeError('x')"]));
        const notebook = editor.notebook;
        // The tests are bundled inside the extension's folder, so VS Code attributes this controller to it.
        await selectController(editor, other.id, EXTENSION_ID);
        // Executing before the selection lands would open the kernel picker instead.
        await until(() => selectedBy.has(notebook.uri.toString()), 'the other controller to be selected');
        await until(() => notebooks.levelOf(notebook) === 'basic', 'basic capture level');
        await executeCells(notebook, 0, 2);
        await until(() => finished(notebook.cellAt(1)), 'the other controller to finish');
        const capture = await until(() => notebooks.captureOf(notebook), 'capture of the notebook');
        assert.equal(capture.level, 'basic');
        const run = await until(
          () =>
            backendCall<{ runs: { id: string; cellCount: number; params: unknown[] }[] }>('/api/v1/runs/search', { experimentIds: [capture.experimentId] }).then((p) =>
              p.runs.find((r) => r.cellCount === 2),
            ),
          'the basic run on the backend',
          30_000,
        ).catch(async (error: Error) => {
          const pending = (await notebooks.store.outbox.pending()).map((i) => `${i.payload.kind}(${i.attempts})`);
          const { runs } = await backendCall<{ runs: { id: string }[] }>('/api/v1/runs/search', { experimentIds: [capture.experimentId] });
          const cells = await Promise.all(runs.map((r) => backendCall(`/api/v1/runs/${r.id}/cells`)));
          throw new Error(`${error.message}; outbox: ${pending.join(', ')}; backend: ${JSON.stringify(cells).slice(0, 1500)}`);
        });
        assert.deepEqual(run.params, [], 'basic capture has no kernel helper, so no params');
        const cells = await backendCall<{ executions: { cellId: string; status: string; source: string; outputs: { text?: string }[]; error: { ename: string } | null }[] }>(`/api/v1/runs/${run.id}/cells`);
        assert.deepEqual(cells.executions.map((e) => [e.cellId, e.status, e.source]), [['c0', 'ok', 'a = 1'], ['c1', 'error', "raise RuntimeError('x')"]]);
        assert.equal(cells.executions[0]!.outputs[0]!.text, 'ran 0\n');
        assert.equal(cells.executions[1]!.error?.ename, 'RuntimeError');
      } finally {
        other.dispose();
      }
    });
  });
}

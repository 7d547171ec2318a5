/**
 * Notebook capture in VS Code: the runtrail notebook controller (cells run on a Jupyter server, full capture),
 * basic capture of executions by other controllers (notebook document change events), the status bar item that
 * says which level the active notebook has, and the notebook commands. Wiring only: running cells is
 * notebook/runner.ts, capture is notebook/capture.ts on core/capture, persistence and sync notebook/store.ts.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { createRedactor } from '@runtrail/core/capture';
import helperSource from '../../../packages/kernel/runtrail_kernel.py';
import { createNodeSocket } from '../history/socket';
import { cellTags, nbformatCellId } from '../notebook/cell-items';
import { NotebookCapture, type CaptureLevel } from '../notebook/capture';
import { JupyterServer } from '../notebook/jupyter';
import { CONTROLLER_LABEL, captureLevelOf, captureLevelView, type CaptureLevelState } from '../notebook/level';
import { experimentIdOf, withExperimentId } from '../notebook/metadata';
import { finishedExecutionKey, kernelRestartedBetween, observeExecution } from '../notebook/observe';
import { NotebookRunner, type CellToRun } from '../notebook/runner';
import { CaptureStore } from '../notebook/store';
import { JupyterSettings, promptForJupyterServer } from './jupyter-settings';
import { cellOutputs, toVscodeOutput } from './notebook-outputs';
import type { Settings } from './settings';

/** Id of the runtrail notebook controller. */
export const CONTROLLER_ID = 'runtrail.jupyter-server';
const NOTEBOOK_TYPE = 'jupyter-notebook';
const SNAPSHOT_MAX_BYTES = 2 * 1024 ** 3;

/** What notebook capture exposes to the extension's API (in-host tests). */
export interface NotebookCaptureApi {
  controllerId: string;
  store: CaptureStore;
  jupyter: JupyterSettings;
  /** The capture of a notebook once opened (after its first execution). */
  captureOf(notebook: vscode.NotebookDocument): Promise<NotebookCapture | null>;
  /** The capture level the status bar shows for a notebook. */
  levelOf(notebook: vscode.NotebookDocument): CaptureLevelState;
  /** The kernel runner of a notebook on the runtrail controller, if it has one. */
  runnerOf(notebook: vscode.NotebookDocument): NotebookRunner | undefined;
  /** Shuts our kernels down (their runs end) and saves what capture holds; deactivate awaits it. */
  close(): Promise<void>;
}

interface NotebookEntry {
  capture: Promise<NotebookCapture | null> | null;
  /** The capture once opened (the runner reads it synchronously). */
  opened: NotebookCapture | null;
  runner: NotebookRunner | null;
  /** Execution order of the last execution another controller made (restart detection). */
  lastOrder: number | null;
  /** Executions by other controllers already recorded: cell -> `${order}@${endTime}`. */
  seen: WeakMap<vscode.NotebookCell, string>;
}

/** Registers the controller, basic capture, the status bar item and the notebook commands. */
export function registerNotebooks(context: vscode.ExtensionContext, deps: { settings: Settings; log: (line: string) => void }): NotebookCaptureApi {
  const { settings, log } = deps;
  const jupyter = new JupyterSettings(context.secrets);
  const store = new CaptureStore({ dir: vscode.Uri.joinPath(context.globalStorageUri, 'capture').fsPath, createSocket: createNodeSocket, log });
  const entries = new Map<string, NotebookEntry>();
  const selected = new Set<string>();
  let server: JupyterServer | null = null;
  let serverKey = '';
  let backend: { serverUrl: string; token: string | undefined } | null = null;

  const report = (message: string) => {
    log(message);
    void vscode.window.setStatusBarMessage(message, 8000);
  };
  const connectBackend = async () => {
    backend = await settings.connection();
    store.setConnection(backend);
  };
  void connectBackend();

  const entryOf = (notebook: vscode.NotebookDocument): NotebookEntry => {
    const key = notebook.uri.toString();
    let entry = entries.get(key);
    if (!entry) entries.set(key, (entry = { capture: null, opened: null, runner: null, lastOrder: null, seen: new WeakMap() }));
    return entry;
  };

  const captureOf = (notebook: vscode.NotebookDocument, level: CaptureLevel): Promise<NotebookCapture | null> => {
    const entry = entryOf(notebook);
    entry.capture ??= NotebookCapture.open(
      { path: notebook.uri.scheme === 'file' ? notebook.uri.fsPath : notebook.uri.toString(), name: basename(notebook.uri.path), metadataExperimentId: experimentIdOf(notebook.metadata) },
      level,
      {
        store,
        redactor: () => createRedactor(),
        pathExists: (path) => stat(path).then(() => true, () => false),
        writeExperimentId: async (experimentId) => {
          const edit = new vscode.WorkspaceEdit();
          edit.set(notebook.uri, [vscode.NotebookEdit.updateNotebookMetadata(withExperimentId(notebook.metadata, experimentId))]);
          await vscode.workspace.applyEdit(edit);
        },
        notebookDir: notebook.uri.scheme === 'file' ? dirname(notebook.uri.fsPath) : '',
        snapshotMaxBytes: SNAPSHOT_MAX_BYTES,
      },
    ).then(
      (capture) => (entry.opened = capture),
      (error: Error) => {
        report(`runtrail: cannot capture ${basename(notebook.uri.path)}: ${error.message}`);
        return null;
      },
    );
    return entry.capture;
  };

  const jupyterServer = async (): Promise<JupyterServer> => {
    const config = await jupyter.server();
    const key = `${config.baseUrl} ${config.token ?? ''}`;
    if (!server || key !== serverKey) {
      server?.dispose();
      server = new JupyterServer(config);
      serverKey = key;
    }
    return server;
  };

  const controller = vscode.notebooks.createNotebookController(CONTROLLER_ID, NOTEBOOK_TYPE, CONTROLLER_LABEL);
  controller.supportedLanguages = ['python'];
  controller.supportsExecutionOrder = true;
  controller.detail = 'Runs cells on a Jupyter server with full runtrail capture (params, data snapshots, metrics)';
  const describeServer = () => {
    try {
      controller.description = jupyter.serverUrl();
    } catch (error) {
      controller.description = (error as Error).message;
    }
  };
  describeServer();

  const runnerOf = (notebook: vscode.NotebookDocument): NotebookRunner => {
    const entry = entryOf(notebook);
    if (entry.runner) return entry.runner;
    // The server is looked up when a kernel starts, so a changed URL or token applies to the next kernel.
    entry.runner = new NotebookRunner({
      server: jupyterServer,
      serverPath: vscode.workspace.asRelativePath(notebook.uri, false),
      capture: () => (jupyter.captureEnabled() ? entry.opened : null),
      helperSource,
      helperConfig: () => ({ backendUrl: backend?.serverUrl ?? null, token: backend?.token ?? null }),
      report,
    });
    entry.runner.onState((state) => {
      if (state !== 'idle' && state !== 'busy') log(`kernel of ${basename(notebook.uri.path)}: ${state}`);
    });
    return entry.runner;
  };

  controller.executeHandler = async (cells, notebook) => {
    const executions = cells.map((cell) => controller.createNotebookCellExecution(cell));
    let runner: NotebookRunner;
    try {
      // Opened before the kernel starts, so the kernel start is a run boundary; later when capture is switched on.
      if (jupyter.captureEnabled()) await captureOf(notebook, 'full');
      runner = runnerOf(notebook);
      await runner.kernel();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      report(`runtrail: ${message}`);
      for (const execution of executions) {
        execution.start(Date.now());
        await execution.replaceOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error({ name: 'runtrail', message })]));
        execution.end(false, Date.now());
      }
      return;
    }
    let stopped = false;
    for (const execution of executions) {
      const cell = execution.cell;
      if (stopped) {
        execution.end(undefined);
        continue;
      }
      const cancel = execution.token.onCancellationRequested(() => void runner.interrupt());
      execution.start(Date.now());
      await execution.clearOutput();
      const toRun: CellToRun = { cellId: nbformatCellId(cell.metadata), index: cell.index, source: cell.document.getText(), tags: cellTags(cell.metadata) };
      let pendingOutputs = Promise.resolve();
      try {
        const result = await runner.run(toRun, (outputs) => {
          pendingOutputs = pendingOutputs.then(() => execution.replaceOutput(outputs.map(toVscodeOutput))).then(undefined, () => undefined);
        });
        await pendingOutputs;
        if (result.executionCount !== null) execution.executionOrder = result.executionCount;
        execution.end(result.success ?? undefined, result.endedAt);
        if (result.success !== true) stopped = true;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await execution.replaceOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error({ name: 'runtrail', message })]));
        execution.end(false, Date.now());
        stopped = true;
      } finally {
        cancel.dispose();
      }
    }
  };
  controller.interruptHandler = async (notebook) => {
    await entries.get(notebook.uri.toString())?.runner?.interrupt();
  };

  // Basic capture: executions by other controllers, from the execution summaries VS Code reports.
  const onNotebookChange = (event: vscode.NotebookDocumentChangeEvent) => {
    const notebook = event.notebook;
    if (notebook.notebookType !== NOTEBOOK_TYPE || selected.has(notebook.uri.toString()) || !jupyter.captureEnabled()) return;
    for (const change of event.cellChanges) {
      const summary = change.executionSummary;
      const key = finishedExecutionKey(summary);
      if (!summary?.timing || key === null) continue;
      const entry = entryOf(notebook);
      if (entry.seen.get(change.cell) === key) continue;
      entry.seen.set(change.cell, key);
      const cell = change.cell;
      const order = summary.executionOrder ?? null;
      const restarted = kernelRestartedBetween(entry.lastOrder, order);
      entry.lastOrder = order ?? entry.lastOrder;
      const observed = observeExecution({
        cellId: nbformatCellId(cell.metadata),
        index: cell.index,
        source: cell.document.getText(),
        tags: cellTags(cell.metadata),
        executionCount: order,
        success: summary.success ?? null,
        startedAt: summary.timing.startTime,
        endedAt: summary.timing.endTime,
        outputs: cellOutputs(cell),
      });
      void captureOf(notebook, 'basic').then(async (capture) => {
        if (!capture) return;
        if (restarted) capture.kernelRestarted('requested');
        await capture.recorded(observed, null, 'basic');
        updateStatus();
      });
    }
  };

  const status = vscode.window.createStatusBarItem('runtrail.captureLevel', vscode.StatusBarAlignment.Right, 100);
  status.name = 'runtrail notebook capture';
  const levelOf = (notebook: vscode.NotebookDocument): CaptureLevelState =>
    captureLevelOf({ captureEnabled: jupyter.captureEnabled(), runtrailSelected: selected.has(notebook.uri.toString()) });
  const updateStatus = () => {
    const notebook = vscode.window.activeNotebookEditor?.notebook;
    if (!notebook || notebook.notebookType !== NOTEBOOK_TYPE) {
      status.hide();
      return;
    }
    const view = captureLevelView(levelOf(notebook));
    status.text = view.text;
    status.tooltip = view.tooltip;
    status.command = view.command;
    status.show();
    void vscode.commands.executeCommand('setContext', 'runtrail.notebookCaptureLevel', levelOf(notebook));
  };

  const closeNotebook = (notebook: vscode.NotebookDocument) => {
    const key = notebook.uri.toString();
    const entry = entries.get(key);
    entries.delete(key);
    selected.delete(key);
    if (!entry) return;
    void (async () => {
      await entry.runner?.dispose();
      (await entry.capture)?.dispose();
    })();
  };

  const commands: Record<string, (...args: unknown[]) => unknown> = {
    'runtrail.restartKernel': async () => {
      const notebook = vscode.window.activeNotebookEditor?.notebook;
      const runner = notebook && entries.get(notebook.uri.toString())?.runner;
      if (!runner) return vscode.window.showInformationMessage('runtrail: this notebook has no kernel on the runtrail controller yet.');
      await runner.restart();
    },
    'runtrail.newRun': async () => {
      const notebook = vscode.window.activeNotebookEditor?.notebook;
      if (!notebook) return;
      const capture = await captureOf(notebook, levelOf(notebook) === 'full' ? 'full' : 'basic');
      capture?.newRun();
    },
    'runtrail.setJupyterServer': async () => {
      let current = '';
      try {
        current = jupyter.serverUrl();
      } catch {
        // A bad value in settings: offer the default instead.
      }
      const answer = await promptForJupyterServer(current);
      if (answer) await jupyter.save(answer.url, answer.token || undefined);
    },
    'runtrail.showCaptureLevel': async () => {
      const notebook = vscode.window.activeNotebookEditor?.notebook;
      if (!notebook) return;
      const level = levelOf(notebook);
      const pick = await vscode.window.showInformationMessage(captureLevelView(level).tooltip, ...(level === 'basic' ? ['Select Kernel'] : []));
      if (pick === 'Select Kernel') await vscode.commands.executeCommand('notebook.selectKernel');
    },
  };

  context.subscriptions.push(
    controller,
    status,
    controller.onDidChangeSelectedNotebooks(({ notebook, selected: isSelected }) => {
      if (isSelected) selected.add(notebook.uri.toString());
      else selected.delete(notebook.uri.toString());
      updateStatus();
    }),
    vscode.workspace.onDidChangeNotebookDocument(onNotebookChange),
    vscode.workspace.onDidCloseNotebookDocument(closeNotebook),
    vscode.window.onDidChangeActiveNotebookEditor(updateStatus),
    jupyter.onDidChange(() => {
      describeServer();
      updateStatus();
    }),
    settings.onDidChange(() => void connectBackend()),
    ...Object.entries(commands).map(([id, handler]) => vscode.commands.registerCommand(id, handler)),
    { dispose: () => void close() },
  );
  updateStatus();

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      const open = [...entries.values()];
      entries.clear();
      await Promise.all(open.map((entry) => entry.runner?.dispose()));
      for (const entry of open) (await entry.capture)?.dispose();
      server?.dispose();
      await store.close();
    })());

  return {
    controllerId: CONTROLLER_ID,
    store,
    jupyter,
    captureOf: (notebook) => entries.get(notebook.uri.toString())?.capture ?? Promise.resolve(null),
    levelOf,
    runnerOf: (notebook) => entries.get(notebook.uri.toString())?.runner ?? undefined,
    close,
  };
}

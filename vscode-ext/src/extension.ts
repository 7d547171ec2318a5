/**
 * Entry point of the VS Code extension: wiring only. It creates the history (src/history), the views and
 * panels (src/platform) and registers the commands of package.json; logic lives in src/model, src/panels
 * and core.
 */
import * as vscode from 'vscode';
import { fileDocCache, serverCacheDir } from './history/cache';
import { RunHistory } from './history/history';
import { createNodeSocket } from './history/socket';
import { fileModelsCache } from './model/models-cache';
import { ModelRegistry } from './model/models-registry';
import { runIdsFromArgs, runPickItems } from './model/pick';
import { compareSubject, runSubject } from './panels/subject';
import { modelCommands } from './platform/models-commands';
import { createModelsView, type ModelsTreeProvider } from './platform/models-view';
import { registerNotebooks, type NotebookCaptureApi } from './platform/notebooks';
import { RunPanels } from './platform/panels';
import { registerPipelineCommands } from './platform/pipeline';
import { copyRunId, pickRuns, promptForServer, warn } from './platform/prompts';
import { Settings } from './platform/settings';
import { ConnectionStatusBar } from './platform/status';
import { createRunsView, type RunsTreeProvider } from './platform/tree';
import { viewCommands } from './platform/view-commands';

/** What `activate` returns: the extension's API for in-host tests (`extension.exports`). */
export interface RuntrailExtensionApi {
  history: RunHistory;
  settings: Settings;
  panels: RunPanels;
  /** The Runs view's rows and filter. */
  runsTree: RunsTreeProvider;
  /** The model registry the Models view shows (REST, polled; cached for offline use). */
  models: ModelRegistry;
  /** The Models view's rows. */
  modelsTree: ModelsTreeProvider;
  /** The status bar item (connection, pending uploads). */
  statusBar: ConnectionStatusBar;
  /** Notebook capture: the runtrail controller, basic capture of other controllers, the capture level. */
  notebooks: NotebookCaptureApi;
  /** Resolves once the current connection attempt finished (cache shown, server answered or not). */
  connected(): Promise<void>;
}

let active: RunHistory | undefined;
let activeNotebooks: NotebookCaptureApi | undefined;

/** Called by VS Code on the first activation event (startup finished, or a panel to restore). */
export function activate(context: vscode.ExtensionContext): RuntrailExtensionApi {
  const output = vscode.window.createOutputChannel('runtrail', { log: true });
  const log = (line: string) => output.info(line);
  const settings = new Settings(context.secrets);
  const history = new RunHistory({
    createSocket: createNodeSocket,
    openCache: (serverUrl) => fileDocCache(serverCacheDir(context.globalStorageUri.fsPath, serverUrl)),
    log,
  });
  active = history;
  const runsView = createRunsView(history);
  const panels = new RunPanels(context.extensionUri, history, { copyRunId: (id) => void copyRunId(id), log });
  context.subscriptions.push(output, settings, { dispose: () => history.dispose() }, ...runsView.disposables, panels);
  const statusBar = new ConnectionStatusBar(history);
  const models = new ModelRegistry({ openCache: (serverUrl) => fileModelsCache(serverCacheDir(context.globalStorageUri.fsPath, serverUrl)), log });
  const modelsView = createModelsView(models, history);
  context.subscriptions.push(statusBar, { dispose: () => models.dispose() }, ...modelsView.disposables);

  let connecting: Promise<void> = Promise.resolve();
  const connect = () => {
    connecting = settings.connection().then((connection) => {
      log(connection ? `connecting to ${connection.serverUrl}${connection.token ? '' : ' (no token)'}` : 'no server configured');
      return Promise.all([history.connect(connection), models.connect(connection)]).then(() => undefined);
    });
    return connecting;
  };
  history.onDidChangeState((state) => log(`connection: ${state.kind}${'reason' in state ? ` (${state.reason})` : ''}`));
  // The registry is polled (decision 16): when the server answers again, fetch the models at once, not on the next poll.
  history.onDidChangeState((state) => {
    if (state.kind === 'online' && models.state.kind === 'offline') void models.refresh();
  });
  // Saving a server fires both a configuration and a secret event: reconnect once for both.
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  context.subscriptions.push(
    settings.onDidChange(() => {
      clearTimeout(reconnectTimer);
      reconnectTimer = setTimeout(() => void connect(), 50);
    }),
    { dispose: () => clearTimeout(reconnectTimer) },
  );

  /** The runs a command acts on: its arguments, else the tree's selection. */
  const targetRuns = (args: unknown[]) => {
    const fromArgs = runIdsFromArgs(args);
    return fromArgs.length ? fromArgs : runIdsFromArgs([runsView.view.selection]);
  };
  const pick = (many: boolean, title: string) => pickRuns(runPickItems(history.entries(), Date.now()), many, title);

  const commands: Record<string, (...args: unknown[]) => unknown> = {
    'runtrail.connect': async () => {
      const current = settings.serverUrl();
      const answer = await promptForServer(current, Boolean(current && (await settings.token(current))));
      // An empty token box keeps the stored secret (never copies $RUNTRAIL_TOKEN into it).
      if (answer) await settings.save(answer.serverUrl, answer.token || undefined);
    },
    'runtrail.refresh': () =>
      history.state.kind === 'unconfigured' || history.state.kind === 'unauthorized' ? connect() : Promise.all([history.refresh(), models.refresh()]),
    'runtrail.openRun': async (...args) => {
      const [runId] = runIdsFromArgs(args).length ? runIdsFromArgs(args) : await pick(false, 'Open a run');
      if (runId) panels.show(runSubject(runId));
    },
    'runtrail.compareSelected': async (...args) => {
      let runIds = targetRuns(args);
      if (runIds.length < 2) runIds = await pick(true, 'Pick 2 or more runs to compare (the first is the baseline)');
      if (runIds.length === 0) return;
      if (runIds.length < 2) return warn('runtrail: select at least two runs to compare (Ctrl/Cmd-click in the Runs view).');
      panels.show(compareSubject(runIds));
    },
    'runtrail.copyRunId': async (...args) => {
      const [runId] = targetRuns(args).length ? targetRuns(args) : await pick(false, 'Copy the id of a run');
      if (runId) await copyRunId(runId);
    },
    'runtrail.showOutput': () => output.show(true),
    ...modelCommands({ registry: models, history, modelsView, targetRuns, openRun: (id) => panels.show(runSubject(id)), log }),
    ...viewCommands({ history, runsView, serverUrl: () => settings.serverUrl(), targetRuns, openRun: (id) => panels.show(runSubject(id)), log }),
  };
  for (const [id, handler] of Object.entries(commands)) context.subscriptions.push(vscode.commands.registerCommand(id, handler));

  const notebooks = registerNotebooks(context, { settings, log });
  activeNotebooks = notebooks;
  context.subscriptions.push(statusBar.trackPendingUploads(notebooks.store.outbox));
  registerPipelineCommands(context, { settings, log });

  void connect();
  return { history, settings, panels, runsTree: runsView.provider, models, modelsTree: modelsView.provider, statusBar, notebooks, connected: () => connecting };
}

/** Lets pending cache writes and captured notebook state finish; everything else is in context.subscriptions. */
export async function deactivate(): Promise<void> {
  await Promise.all([active?.close(), activeNotebooks?.close()]);
}

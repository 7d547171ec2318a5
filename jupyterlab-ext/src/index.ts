/**
 * runtrail for JupyterLab: plugin wiring only. Capture logic lives in @runtrail/core (session, reducer,
 * redaction, outbox); this file connects it to JupyterLab's notebooks, settings, commands and status bar.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ILayoutRestorer } from '@jupyterlab/application';
import { ICommandPalette, InputDialog, Notification } from '@jupyterlab/apputils';
import type { Cell } from '@jupyterlab/cells';
import { INotebookTracker, NotebookActions, type Notebook, type NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStatusBar } from '@jupyterlab/statusbar';
import { launchIcon } from '@jupyterlab/ui-components';
import { runPageUrl } from '@runtrail/core/client';
import { readRun, runsMap } from '@runtrail/core/sync';
import { matchesAnyGlob } from '@runtrail/core/util';
import { NotebookCapture } from './notebook';
import { registerPipelineCommands, trackStepBadges } from './pipeline';
import { cellTags, observeExecution } from './observe';
import { RunsPanel } from './panel';
import { DEFAULT_SETTINGS, RuntrailService, type RuntrailSettings } from './service';
import { RuntrailStatus } from './status';

const PLUGIN_ID = 'runtrail-jupyterlab:plugin';

/** Command ids. */
export const COMMANDS = {
  newRun: 'runtrail:new-run',
  toggle: 'runtrail:toggle-tracking',
  openPanel: 'runtrail:open-runs-panel',
  connect: 'runtrail:connect',
  openInBrowser: 'runtrail:open-run-in-browser',
} as const;

/** A notebook's run to open: the one its next execution lands in, else its latest. */
function notebookRunId(capture: NotebookCapture | undefined): string | null {
  if (!capture) return null;
  if (capture.openRunId) return capture.openRunId;
  const doc = capture.handle?.doc;
  const runs = doc ? [...runsMap(doc).values()].map(readRun) : [];
  return runs.sort((a, b) => b.startTime - a.startTime)[0]?.id ?? null;
}

function activate(
  app: JupyterFrontEnd,
  tracker: INotebookTracker,
  settingRegistry: ISettingRegistry,
  palette: ICommandPalette | null,
  statusBar: IStatusBar | null,
  restorer: ILayoutRestorer | null,
): void {
  const service = new RuntrailService();
  const captures = new Map<Notebook, NotebookCapture>();
  const scheduled = new WeakMap<Cell, number>();
  const pathExists = (path: string) =>
    app.serviceManager.contents.get(path, { content: false }).then(() => true, () => false);

  void settingRegistry.load(PLUGIN_ID).then((settings) => {
    const apply = () => service.configure({ ...DEFAULT_SETTINGS, ...(settings.composite as Partial<RuntrailSettings>) });
    apply();
    settings.changed.connect(apply);
  }, (error) => service.report(`runtrail: cannot load settings: ${(error as Error).message}`));

  const current = () => (tracker.currentWidget ? captures.get(tracker.currentWidget.content) : undefined);
  const runsPanel = new RunsPanel(service, () => current() ?? null, tracker, {
    openInBrowser: () => void app.commands.execute(COMMANDS.openInBrowser, { from: 'runs-panel' }),
  });
  app.shell.add(runsPanel, 'left', { rank: 600 });
  restorer?.add(runsPanel, runsPanel.id);

  tracker.widgetAdded.connect((_, panel: NotebookPanel) => {
    void panel.context.ready.then(() => {
      if (!panel.isDisposed) trackStepBadges(panel);
      if (panel.isDisposed || matchesAnyGlob(panel.context.path, service.settings.excludeNotebooks)) return;
      const capture = new NotebookCapture(panel, service, pathExists);
      captures.set(panel.content, capture);
      panel.disposed.connect(() => {
        captures.delete(panel.content);
        capture.dispose();
      });
      void capture.ready.then(
        () => runsPanel.follow(),
        (error) => service.report(`runtrail: cannot track ${panel.context.path}: ${(error as Error).message}`),
      );
    });
  });

  NotebookActions.executionScheduled.connect((_, { cell }) => scheduled.set(cell, Date.now()));
  NotebookActions.executed.connect((_, { notebook, cell, success }) => {
    const capture = captures.get(notebook);
    if (!capture || !service.settings.tracking || cell.model.type !== 'code') return;
    if (cellTags(cell).some((tag) => service.settings.excludeCellTags.includes(tag))) return;
    const end = Date.now();
    capture.executed(observeExecution(cell, scheduled.get(cell) ?? end, end, success));
  });


  app.commands.addCommand(COMMANDS.newRun, {
    label: 'New Run',
    caption: 'Start a new runtrail run with the next execution',
    isEnabled: () => current() !== undefined,
    execute: () => current()?.newRun(),
  });
  app.commands.addCommand(COMMANDS.toggle, {
    label: () => (service.settings.tracking ? 'Pause Tracking' : 'Resume Tracking'),
    caption: 'Pause or resume runtrail capture of executed cells',
    isToggled: () => service.settings.tracking,
    execute: async () => {
      await settingRegistry.set(PLUGIN_ID, 'tracking', !service.settings.tracking);
    },
  });
  app.commands.addCommand(COMMANDS.openPanel, {
    label: 'Open Runs Panel',
    execute: () => app.shell.activateById(runsPanel.id),
  });
  app.commands.addCommand(COMMANDS.connect, {
    label: 'Connect to runtrail Server…',
    caption: 'Set the backend URL and API token runtrail syncs to (asks for what the arguments leave out)',
    execute: async (args) => {
      let serverUrl = typeof args.serverUrl === 'string' ? args.serverUrl : undefined;
      let token = typeof args.token === 'string' ? args.token : undefined;
      if (serverUrl === undefined) {
        const answer = await InputDialog.getText({ title: 'runtrail backend URL', text: service.settings.serverUrl });
        if (!answer.button.accept) return;
        serverUrl = answer.value ?? '';
      }
      if (token === undefined) {
        const answer = await InputDialog.getPassword({ title: 'runtrail API token' });
        if (!answer.button.accept) return;
        token = answer.value ?? '';
      }
      await settingRegistry.set(PLUGIN_ID, 'serverUrl', serverUrl);
      await settingRegistry.set(PLUGIN_ID, 'token', token);
      service.report(null);
    },
  });
  app.commands.addCommand(COMMANDS.openInBrowser, {
    label: (args) => (args.toolbar ? '' : 'Open Run in Browser'),
    caption: "Open the run on the runtrail server's page (<server>/r/<run-id>) in a browser tab",
    icon: launchIcon,
    // Args: `runId`; or `from`: 'notebook' (its open/last run), 'runs-panel-menu' (the row right-clicked), else
    // the run selected or shown in the Runs panel, falling back to the current notebook's.
    execute: (args) => {
      const given = typeof args.runId === 'string' ? args.runId : null;
      const fromPanel = args.from === 'notebook' ? null : runsPanel.targetRunId(args.from === 'runs-panel-menu');
      const runId = given ?? fromPanel ?? notebookRunId(current());
      if (!runId) return void Notification.warning('runtrail: no run to open. Select one in the Runs panel, or run a cell first.');
      if (!service.settings.serverUrl) return void Notification.warning('runtrail: no backend URL is set. Use "Connect to runtrail Server…" first.');
      let url: string;
      try {
        url = runPageUrl(service.settings.serverUrl, runId);
      } catch (error) {
        return void Notification.error(`runtrail: ${(error as Error).message}`);
      }
      window.open(url, '_blank', 'noopener');
      return url;
    },
  });
  app.contextMenu.addItem({ command: COMMANDS.openInBrowser, selector: '.rt-Panel', args: { from: 'runs-panel-menu' }, rank: 10 });
  for (const command of Object.values(COMMANDS)) palette?.addItem({ command, category: 'runtrail' });
  registerPipelineCommands(app, tracker, { contents: app.serviceManager.contents, client: () => service.client() }, palette);
  service.statusChanged.connect(() => app.commands.notifyCommandChanged(COMMANDS.toggle));

  statusBar?.registerStatusItem(`${PLUGIN_ID}:status`, {
    item: new RuntrailStatus(service),
    align: 'left',
    rank: 50,
    isActive: () => true,
  });
}

/** The runtrail plugin. */
const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Captures every executed notebook cell into runtrail experiment runs.',
  autoStart: true,
  requires: [INotebookTracker, ISettingRegistry],
  optional: [ICommandPalette, IStatusBar, ILayoutRestorer],
  activate,
};

export default plugin;

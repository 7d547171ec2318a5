/**
 * The left-sidebar Runs panel: packages/ui's run table over the current notebook's experiment doc (live),
 * a run's detail on open, and compare of the selected runs. Metric series come from the backend on demand.
 * Note and tag edits in the detail go into the experiment doc (core/sync edit functions); the service's
 * SyncClient ships them, or they wait in IndexedDB while offline.
 */
import type { INotebookTracker } from '@jupyterlab/notebook';
import { historyIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import type * as Y from 'yjs';
import { diffMany, diffRuns } from '@runtrail/core/diff';
import type { Run } from '@runtrail/core/schema';
import { RunEditError, applyNoteEdit, deleteRunTag, getRunMap, readCellExecutions, readRun, runsMap, setRunTag } from '@runtrail/core/sync';
import {
  defineRuntrailElements,
  installJupyterLabThemeBridge,
  type RtRunCompare,
  type RtRunDetail,
  type RtRunTable,
} from '@runtrail/ui';
import type { NotebookCapture } from './notebook';
import type { RuntrailService } from './service';

/** The run id of the run-table row in an event's composed path (rows carry `data-run-id`), if any. */
function runIdInPath(path: readonly EventTarget[]): string | null {
  for (const target of path) {
    if (target instanceof HTMLElement && target.dataset.runId) return target.dataset.runId;
  }
  return null;
}

/** What the panel's own buttons ask of the plugin. */
export interface RunsPanelActions {
  /** Opens the panel's target run (`targetRunId`) on the server's run page. */
  openInBrowser(): void;
}

/** The Runs panel. */
export class RunsPanel extends Widget {
  private doc: Y.Doc | null = null;
  private readonly table: RtRunTable;
  private readonly detail: RtRunDetail;
  private readonly compare: RtRunCompare;
  private readonly message = document.createElement('div');
  private readonly back = document.createElement('button');
  private readonly openInBrowser = document.createElement('button');
  /** The run under the pointer at the last right-click in the panel (null when it was not on a run). */
  private pointedRunId: string | null = null;
  private readonly uninstallTheme: () => void;

  constructor(
    private readonly service: RuntrailService,
    private readonly current: () => NotebookCapture | null,
    tracker: INotebookTracker,
    actions?: RunsPanelActions,
  ) {
    super();
    defineRuntrailElements();
    this.uninstallTheme = installJupyterLabThemeBridge();
    this.id = 'runtrail-runs-panel';
    this.addClass('rt-Panel');
    this.title.icon = historyIcon;
    this.title.caption = 'runtrail runs';
    this.table = document.createElement('rt-run-table') as RtRunTable;
    this.detail = document.createElement('rt-run-detail') as RtRunDetail;
    this.detail.editable = true;
    this.compare = document.createElement('rt-run-compare') as RtRunCompare;
    this.message.className = 'rt-Panel-message';
    this.message.setAttribute('role', 'status');
    this.back.className = 'jp-Button rt-Panel-back';
    this.back.textContent = '← Runs';
    this.back.addEventListener('click', () => this.showView('table'));
    const header = document.createElement('div');
    header.className = 'rt-Panel-header';
    const title = document.createElement('span');
    title.className = 'rt-Panel-title';
    title.textContent = 'Runs';
    this.openInBrowser.className = 'jp-Button rt-Panel-open-browser';
    this.openInBrowser.textContent = 'Open in Browser';
    this.openInBrowser.title = 'Open the selected run on the runtrail server in a browser tab';
    this.openInBrowser.hidden = !actions;
    this.openInBrowser.addEventListener('click', () => actions?.openInBrowser());
    header.append(title, this.back, this.openInBrowser);
    const body = document.createElement('div');
    body.className = 'rt-Panel-body';
    body.append(this.table, this.detail, this.compare);
    this.node.append(header, this.message, body);
    this.showView('table');

    this.table.addEventListener('rt-open-run', (e) => this.openRun(e.detail.runId));
    this.table.addEventListener('rt-compare', (e) => this.compareRuns(e.detail.runIds));
    this.node.addEventListener('rt-request-series', (e) => void this.loadSeries(e.detail.runId, e.detail.key));
    this.node.addEventListener('rt-copy-run-id', (e) => void navigator.clipboard?.writeText(e.detail.runId));
    this.detail.addEventListener('rt-edit-note', (e) => this.edit((doc) => applyNoteEdit(doc, e.detail.runId, e.detail.previousText, e.detail.nextText)));
    this.detail.addEventListener('rt-set-tag', (e) => this.edit((doc) => setRunTag(doc, e.detail.runId, e.detail.key, e.detail.value, service.redactor)));
    this.detail.addEventListener('rt-delete-tag', (e) => this.edit((doc) => deleteRunTag(doc, e.detail.runId, e.detail.key)));
    this.table.addEventListener('rt-selection-change', () => this.updateTargetButton());
    // Runs before JupyterLab's document-level listener opens the context menu, so its commands see the run.
    this.node.addEventListener('contextmenu', (e) => (this.pointedRunId = runIdInPath(e.composedPath())));
    tracker.currentChanged.connect(() => void this.follow());
    service.statusChanged.connect(this.onStatus, this);
  }

  private onStatus(): void {
    this.message.textContent = this.service.status.message ?? '';
  }

  private showView(view: 'table' | 'detail' | 'compare'): void {
    this.table.hidden = view !== 'table';
    this.detail.hidden = view !== 'detail';
    this.compare.hidden = view !== 'compare';
    this.back.hidden = view === 'table';
    this.updateTargetButton();
  }

  /**
   * The run a command acts on: with `fromContextMenu`, the row right-clicked last; else the run whose detail
   * is shown, else the first selected run in the table; null when there is none.
   */
  targetRunId(fromContextMenu = false): string | null {
    if (fromContextMenu && this.pointedRunId) return this.pointedRunId;
    if (!this.detail.hidden && this.detail.run) return this.detail.run.id;
    if (!this.table.hidden) return this.table.selectedRunIds[0] ?? null;
    return null;
  }

  private updateTargetButton(): void {
    this.openInBrowser.disabled = this.targetRunId() === null;
  }

  private readonly onDocUpdate = () => this.refresh();

  protected override onAfterShow(): void {
    void this.follow();
  }

  /** Shows the runs of the current notebook (called when it changes and when its capture becomes ready). */
  async follow(): Promise<void> {
    const capture = this.current();
    await capture?.ready;
    const doc = capture?.handle?.doc ?? null;
    if (doc === this.doc) return this.refresh();
    this.doc?.off('update', this.onDocUpdate);
    this.doc = doc;
    doc?.on('update', this.onDocUpdate);
    this.showView('table');
    this.refresh();
  }

  private runs(): Run[] {
    if (!this.doc) return [];
    return [...runsMap(this.doc).values()].map(readRun).sort((a, b) => b.startTime - a.startTime);
  }

  private refresh(): void {
    this.table.runs = this.runs();
    const shown = this.detail.run;
    if (shown && this.doc) {
      const map = getRunMap(this.doc, shown.id);
      if (map) {
        this.detail.run = readRun(map);
        this.detail.executions = readCellExecutions(map);
      }
    }
  }

  private openRun(runId: string): void {
    const map = this.doc && getRunMap(this.doc, runId);
    if (!map) return;
    this.detail.run = readRun(map);
    this.detail.executions = readCellExecutions(map);
    this.detail.series = {};
    this.showView('detail');
  }

  /** Applies a note or tag edit to the shown experiment's doc; a refused edit is reported, never half-applied. */
  private edit(apply: (doc: Y.Doc) => unknown): void {
    if (!this.doc) return this.service.report('runtrail: this run is not in an open experiment, so it cannot be edited');
    try {
      apply(this.doc);
    } catch (error) {
      if (!(error instanceof RunEditError)) throw error;
      this.service.report(`runtrail: ${error.message}`);
    }
  }

  private compareRuns(runIds: string[]): void {
    if (!this.doc || runIds.length < 2) return;
    const sides = runIds.flatMap((id) => {
      const map = getRunMap(this.doc!, id);
      return map ? [{ run: readRun(map), executions: readCellExecutions(map) }] : [];
    });
    if (sides.length === 2) {
      this.compare.table = null;
      this.compare.diff = diffRuns(sides[0]!, sides[1]!);
    } else {
      this.compare.diff = null;
      this.compare.table = diffMany(sides.map((s) => s.run));
    }
    this.compare.runNames = Object.fromEntries(sides.map((s) => [s.run.id, s.run.name]));
    this.compare.series = {};
    this.showView('compare');
  }

  private async loadSeries(runId: string, key: string): Promise<void> {
    const client = this.service.client();
    if (!client) return this.service.report('runtrail: connect a backend to see metric charts');
    try {
      const history = await client.call('metricHistory', { params: { runId }, query: { key } });
      const points = history.points.filter((p): p is { step: number; value: number; timestamp: number } => p.value !== null);
      if (this.detail.run?.id === runId) this.detail.series = { ...this.detail.series, [key]: points };
      if (this.compare.runNames[runId] !== undefined) {
        this.compare.series = { ...this.compare.series, [runId]: { ...this.compare.series[runId], [key]: points } };
      }
    } catch (error) {
      this.service.report(`runtrail: cannot load the ${key} series: ${(error as Error).message}`);
    }
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.doc?.off('update', this.onDocUpdate);
    this.service.statusChanged.disconnect(this.onStatus, this);
    this.uninstallTheme();
    super.dispose();
  }
}

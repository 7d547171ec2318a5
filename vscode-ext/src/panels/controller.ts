/**
 * The logic of one run or compare panel, without VS Code: answers the view's messages (each parsed with the
 * zod contract of packages/ui), sends what to show, loads metric series for the charts, and re-sends when
 * the history changed. Note and tag edits from the view are applied to the experiment doc that holds the run
 * (core/sync edit functions), whose SyncClient ships them. The platform layer only moves messages between this
 * and a WebviewPanel.
 */
import { RuntrailApiError } from '@runtrail/core/client';
import { createRedactor, type Redactor } from '@runtrail/core/capture';
import { diffMany, diffRuns } from '@runtrail/core/diff';
import type { Run } from '@runtrail/core/schema';
import { RunEditError, applyNoteEdit, deleteRunTag, setRunTag } from '@runtrail/core/sync';
import type * as Y from 'yjs';
import { parseViewToHost, type HostToView } from '@runtrail/ui/messages';
import type { RunWithCells, SeriesPoint } from '../history/history';
import { runLabel } from '../model/tree';
import type { PanelSubject } from './subject';

/** What a panel needs from its surroundings. */
export interface PanelHost {
  /** Sends a message to the webview. */
  post(message: HostToView): void;
  setTitle(title: string): void;
  findRun(runId: string): RunWithCells | null;
  metricSeries(runId: string, key: string): Promise<SeriesPoint[]>;
  openRun(runId: string): void;
  compare(runIds: string[]): void;
  copyRunId(runId: string): void;
  /** Applies an edit to the experiment doc holding `runId`; false when no doc holds it. */
  editRun(runId: string, apply: (doc: Y.Doc) => void): boolean;
  log(line: string): void;
}

/** Metrics charted as soon as a panel opens (the rest load on the view's "Chart" button). */
export const AUTO_CHART_METRICS = 4;

/** The metric keys to chart at once: those with at least two points, by key, capped. */
export function autoChartKeys(run: Run, max = AUTO_CHART_METRICS): string[] {
  return run.metrics
    .filter((m) => m.count >= 2)
    .map((m) => m.key)
    .sort()
    .slice(0, max);
}

/** The title of a panel: the run's label, or "Compare a ↔ b (+N)". */
export function panelTitle(subject: PanelSubject, runs: readonly (Run | null)[]): string {
  const names = subject.runIds.map((id, i) => (runs[i] ? runLabel(runs[i]!) : id.slice(-8)));
  if (subject.view === 'run') return `Run ${names[0]}`;
  const more = names.length > 2 ? ` (+${names.length - 2})` : '';
  return `Compare ${names[0]} ↔ ${names[1]}${more}`;
}

/** The message that shows a subject, or an error message when a run is not known (yet). */
export function subjectMessage(
  subject: PanelSubject,
  sides: readonly (RunWithCells | null)[],
  series: Readonly<Record<string, Record<string, SeriesPoint[]>>>,
): HostToView {
  const missing = subject.runIds.filter((_, i) => !sides[i]);
  if (missing.length) {
    return { type: 'error', message: `Run ${missing.join(', ')} is not in the history (yet). It shows here once the server has it.` };
  }
  const known = sides as RunWithCells[];
  if (subject.view === 'run') {
    const { run, executions } = known[0]!;
    return { type: 'show-run', run, executions, series: series[run.id] ?? {} };
  }
  const runNames = Object.fromEntries(known.map((s) => [s.run.id, runLabel(s.run)]));
  const compareSeries = Object.fromEntries(known.map((s) => [s.run.id, series[s.run.id] ?? {}]));
  if (known.length === 2) return { type: 'show-compare', diff: diffRuns(known[0]!, known[1]!), runNames, series: compareSeries };
  return { type: 'show-compare', table: diffMany(known.map((s) => s.run)), runNames, series: compareSeries };
}

/** One panel's controller. */
export class PanelController {
  private ready = false;
  private lastSent = '';
  /** Loaded series by run and key, re-sent with every render so a refresh does not drop the charts. */
  private readonly series: Record<string, Record<string, SeriesPoint[]>> = {};
  /** Point count each loaded series had in the run's summary, to reload series that grew. */
  private readonly loadedCounts = new Map<string, number>();
  private readonly loading = new Set<string>();
  /** Runs whose charts were requested on open; a run unknown at `ready` (restored panel, cache loading) gets them later. */
  private readonly charted = new Set<string>();
  private disposed = false;

  constructor(
    readonly subject: PanelSubject,
    private readonly host: PanelHost,
    /** Redacts tag values the user sets, as captured tags are. */
    private readonly redactor: Redactor = createRedactor(),
  ) {}

  /** Handles a raw message from the webview; malformed ones are logged and ignored. */
  handle(raw: unknown): void {
    if (this.disposed) return;
    const parsed = parseViewToHost(raw);
    if (!parsed.ok) return this.host.log(`webview: ignored a malformed message: ${parsed.error}`);
    const message = parsed.message;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.lastSent = '';
        this.render();
        this.loadCharts();
        return;
      case 'refresh':
        this.lastSent = '';
        this.render();
        return;
      case 'request-series':
        void this.loadSeries(message.runId, message.key);
        return;
      case 'open-run':
        this.host.openRun(message.runId);
        return;
      case 'compare':
        this.host.compare(message.runIds);
        return;
      case 'copy-run-id':
        this.host.copyRunId(message.runId);
        return;
      case 'edit-note':
        return this.edit(message.runId, (doc) => void applyNoteEdit(doc, message.runId, message.previousText, message.nextText));
      case 'set-tag':
        return this.edit(message.runId, (doc) => void setRunTag(doc, message.runId, message.key, message.value, this.redactor));
      case 'delete-tag':
        return this.edit(message.runId, (doc) => void deleteRunTag(doc, message.runId, message.key));
      case 'selection-change':
      case 'columns-change':
        return;
    }
  }

  /** Applies a user edit; a refused one (bad tag, unknown run) is shown in the view and changes nothing. */
  private edit(runId: string, apply: (doc: Y.Doc) => void): void {
    if (!this.subject.runIds.includes(runId)) {
      this.host.log(`webview: ignored an edit of run ${runId}, which this panel does not show`);
      return;
    }
    try {
      if (!this.host.editRun(runId, apply)) {
        this.host.post({ type: 'error', message: `Run ${runId} is not in the history, so it cannot be edited.` });
      }
    } catch (error) {
      if (!(error instanceof RunEditError)) throw error;
      this.host.post({ type: 'error', message: error.message });
    }
  }

  /** The history changed: re-send if what this panel shows changed, and reload series that grew. */
  refresh(): void {
    if (this.disposed) return;
    this.render();
    if (this.ready) this.loadCharts();
    for (const key of [...this.loadedCounts.keys()]) {
      const [runId, metric] = splitKey(key);
      const count = this.host.findRun(runId)?.run.metrics.find((m) => m.key === metric)?.count ?? 0;
      if (count > this.loadedCounts.get(key)!) void this.loadSeries(runId, metric);
    }
  }

  /** Stops answering; late series results are dropped. Safe to call twice. */
  dispose(): void {
    this.disposed = true;
  }

  private sides(): (RunWithCells | null)[] {
    return this.subject.runIds.map((id) => this.host.findRun(id));
  }

  private render(): void {
    const sides = this.sides();
    this.host.setTitle(panelTitle(this.subject, sides.map((s) => s?.run ?? null)));
    if (!this.ready) return;
    const message = subjectMessage(this.subject, sides, this.series);
    // Docs change often (other runs, notes); only send when this panel's content did.
    const text = JSON.stringify(message);
    if (text === this.lastSent) return;
    this.lastSent = text;
    this.host.post(message);
  }

  private loadCharts(): void {
    for (const side of this.sides()) {
      if (!side || this.charted.has(side.run.id)) continue;
      this.charted.add(side.run.id);
      for (const key of autoChartKeys(side.run)) if (!this.series[side.run.id]?.[key]) void this.loadSeries(side.run.id, key);
    }
  }

  private async loadSeries(runId: string, key: string): Promise<void> {
    const id = `${runId}\u0000${key}`;
    if (this.loading.has(id)) return;
    this.loading.add(id);
    const count = this.host.findRun(runId)?.run.metrics.find((m) => m.key === key)?.count ?? 0;
    try {
      const points = await this.host.metricSeries(runId, key);
      if (this.disposed) return;
      this.series[runId] = { ...this.series[runId], [key]: points };
      this.loadedCounts.set(id, Math.max(count, points.length));
      this.render();
    } catch (error) {
      if (this.disposed) return;
      this.host.log(`series ${key} of ${runId}: ${(error as Error).message}`);
      // Unreachable server: chart again once the history changes (it does when the server is back).
      if (error instanceof RuntrailApiError && error.status === 0) this.charted.delete(runId);
      this.host.post({ type: 'error', message: `Cannot load the ${key} chart: ${(error as Error).message}` });
    } finally {
      this.loading.delete(id);
    }
  }
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf('\u0000');
  return [key.slice(0, i), key.slice(i + 1)];
}

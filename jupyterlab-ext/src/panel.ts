/**
 * The left-sidebar Runs panel: the runs of the current notebook, live from its experiment doc; select two
 * to compare them (params, metrics, code per cell, data).
 */
import type { INotebookTracker } from '@jupyterlab/notebook';
import { historyIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import type * as Y from 'yjs';
import { diffRuns, type RunDiff } from '@runtrail/core/diff';
import type { Run } from '@runtrail/core/schema';
import { getRunMap, readCellExecutions, readRun, runsMap } from '@runtrail/core/sync';
import type { NotebookCapture } from './notebook';
import type { RuntrailService } from './service';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

const duration = (run: Run) => (run.endTime === null ? 'running' : `${((run.endTime - run.startTime) / 1000).toFixed(1)}s`);
const short = (value: unknown) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 24 ? `${text.slice(0, 23)}…` : text;
};

/** The Runs panel. */
export class RunsPanel extends Widget {
  private doc: Y.Doc | null = null;
  private selected = new Set<string>();
  private readonly list = el('div', { class: 'rt-Panel-body', role: 'list', 'aria-label': 'Runs of this notebook' });
  private readonly detail = el('div', { class: 'rt-Panel-detail', 'aria-live': 'polite' });
  private readonly message = el('div', { class: 'rt-Panel-message', role: 'status' });
  private readonly compareButton = el('button', { class: 'jp-Button', type: 'button', disabled: '' }, 'Compare');

  constructor(
    private readonly service: RuntrailService,
    private readonly current: () => NotebookCapture | null,
    tracker: INotebookTracker,
  ) {
    super();
    this.id = 'runtrail-runs-panel';
    this.addClass('rt-Panel');
    this.title.icon = historyIcon;
    this.title.caption = 'runtrail runs';
    const header = el('div', { class: 'rt-Panel-header' }, el('span', { class: 'rt-Panel-title' }, 'Runs'), this.compareButton);
    this.node.append(header, this.message, this.list, this.detail);
    this.compareButton.addEventListener('click', () => this.compare());
    tracker.currentChanged.connect(() => void this.follow());
    service.statusChanged.connect(() => (this.message.textContent = service.status.message ?? ''));
  }

  private readonly onDocUpdate = () => this.render();

  private async follow(): Promise<void> {
    const capture = this.current();
    await capture?.ready;
    const doc = capture?.handle?.doc ?? null;
    if (doc === this.doc) return;
    this.doc?.off('update', this.onDocUpdate);
    this.doc = doc;
    this.selected.clear();
    this.detail.replaceChildren();
    doc?.on('update', this.onDocUpdate);
    this.render();
  }

  private runs(): Run[] {
    if (!this.doc) return [];
    return [...runsMap(this.doc).values()].map(readRun).sort((a, b) => b.startTime - a.startTime);
  }

  private render(): void {
    const runs = this.runs();
    this.list.replaceChildren(
      ...(runs.length === 0 ? [el('p', {}, this.doc ? 'No runs yet: execute a cell.' : 'Open a notebook to see its runs.')] : []),
      ...runs.map((run) => {
        const box = el('input', { type: 'checkbox', 'aria-label': `Select ${run.name} for compare` });
        box.checked = this.selected.has(run.id);
        box.addEventListener('change', () => {
          if (box.checked) this.selected.add(run.id);
          else this.selected.delete(run.id);
          this.compareButton.disabled = this.selected.size !== 2;
        });
        const params = run.params.slice(0, 4).map((p) => `${p.key}=${short(p.value)}`).join(' ');
        const metrics = run.metrics.slice(0, 4).map((m) => `${m.key}=${m.last === null ? 'NaN' : Number(m.last.toPrecision(4))}`).join(' ');
        return el('div', { class: 'rt-Run', role: 'listitem', 'data-run-id': run.id, 'data-status': run.status },
          box,
          el('span', { class: 'rt-Run-name' }, run.name),
          el('span', { class: 'rt-Run-status' }, run.status),
          el('span', { class: 'rt-Run-duration' }, duration(run)),
          el('span', { class: 'rt-Run-cells' }, `${run.cellCount} cells`),
          el('div', { class: 'rt-Run-params' }, params),
          el('div', { class: 'rt-Run-metrics' }, metrics),
        );
      }),
    );
    this.compareButton.disabled = this.selected.size !== 2;
  }

  private compare(): void {
    if (!this.doc || this.selected.size !== 2) return;
    const [a, b] = [...this.selected].map((id) => {
      const map = getRunMap(this.doc!, id)!;
      return { run: readRun(map), executions: readCellExecutions(map) };
    }) as [{ run: Run; executions: ReturnType<typeof readCellExecutions> }, { run: Run; executions: ReturnType<typeof readCellExecutions> }];
    this.showDiff(diffRuns(a, b));
  }

  private showDiff(diff: RunDiff): void {
    const rows = (title: string, items: string[][]) =>
      items.length === 0 ? [] : [el('h3', {}, title), el('table', { class: 'rt-Diff' }, ...items.map((cells) => el('tr', {}, ...cells.map((c) => el('td', {}, c)))))];
    const differing = <T extends { status: string }>(xs: T[]) => xs.filter((x) => x.status !== 'same');
    this.detail.replaceChildren(
      el('h2', {}, `${diff.a.name} vs ${diff.b.name}`),
      ...(diff.identical ? [el('p', {}, 'No differences')] : []),
      ...rows('Params', differing(diff.params).map((p) => [p.key, short(p.a ?? ''), short(p.b ?? '')])),
      ...rows('Metrics', differing(diff.metrics).map((m) => [m.key, String(m.a ?? ''), String(m.b ?? '')])),
      ...rows('Data', differing(diff.data).map((d) => [d.name, d.fingerprintEqual ? 'same content' : 'content changed', `${d.rows.a ?? ''} → ${d.rows.b ?? ''} rows`])),
      ...rows('Code', differing(diff.code).map((c) => [c.cellId, c.status, `+${c.linesAdded} -${c.linesRemoved}`])),
    );
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.doc?.off('update', this.onDocUpdate);
    super.dispose();
  }
}

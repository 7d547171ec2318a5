/**
 * `<rt-run-detail>`: everything about one run: header, params, metrics (with a chart per metric whose
 * series the host provided; a button asks the host for the others), executed cells, data snapshots,
 * environment, artifacts, and the note and tags, which the user edits (the host applies the edits to the
 * shared experiment doc and shows the result, including other people's edits, through `run`).
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import type { CellExecution, Run } from '@runtrail/core/schema';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { ChartSeries } from '../model/chart';
import type { SeriesPoint } from '../model/downsample';
import { metricViews, sourceLabel } from '../model/detail';
import { formatDuration, formatTimestamp, formatValue, runDurationMs } from '../model/format';
import { themeStyles } from '../theme/styles';
import { emit } from './events';
import { statusIcon } from './parts';
import { annotationStyles, noteEditor, noteView, tagProblem, tagsEditor } from './run-detail-annotations';
import { NoteDraft } from './run-detail-note';
import { artifactsSection, cellsSection, dataSection, environmentSection, section } from './run-detail-sections';

/** Styles of the detail view and of its sections. */
const detailStyles = css`
  :host {
    padding: 8px 12px;
    background: transparent;
  }
  header h1 {
    font-size: 1.3em;
    font-weight: 600;
    margin: 0 0 4px;
    display: flex;
    gap: 8px;
    align-items: center;
  }
  .facts {
    display: flex;
    flex-wrap: wrap;
    gap: 4px 16px;
    align-items: center;
  }
  summary {
    cursor: pointer;
  }
  summary h2 {
    display: inline;
  }
  .section {
    margin: 12px 0;
  }
  .section-body {
    padding: 4px 0 0 14px;
  }
  .charts {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(320px, 1fr));
    gap: 12px;
    margin-top: 8px;
  }
  .chart h3 {
    margin: 0;
  }
  ol.cells {
    list-style: none;
    padding: 0;
    margin: 0;
  }
  .cell {
    margin-bottom: 10px;
    border-left: 2px solid var(--rt-border);
    padding-left: 8px;
  }
  .cell.error {
    border-left-color: var(--rt-red);
  }
  .cell-head {
    display: flex;
    gap: 8px;
    align-items: center;
    margin-bottom: 2px;
  }
  .cell-error {
    margin-top: 2px;
  }
  pre.output {
    margin-top: 2px;
    background: transparent;
    border: 1px dashed var(--rt-border);
  }
  table.kv th {
    width: 8em;
  }
  table.packages {
    max-width: 40em;
  }
`;

/** The run detail element. Set `run`; optionally `executions` and `series` (metric key → points). */
export class RtRunDetail extends LitElement {
  static override properties = {
    run: { attribute: false },
    executions: { attribute: false },
    series: { attribute: false },
    editable: { type: Boolean, reflect: true },
    tagError: { state: true },
  };

  static override styles = [themeStyles, detailStyles, annotationStyles];

  /** The run to show; nothing renders without one. */
  declare run: Run | null;
  /** The run's cell executions, in any order. */
  declare executions: CellExecution[];
  /** Metric series by key, for the charts; keys without a series show their summary only. */
  declare series: Record<string, SeriesPoint[]>;

  /**
   * Whether the note and tags are editable. Only hosts that apply the edit events (rt-edit-note, rt-set-tag,
   * rt-delete-tag) to the experiment doc turn it on; elsewhere (the backend's shareable pages) they are shown.
   */
  declare editable: boolean;
  /** Why the last tag the user tried to set was refused (shown by the tag form). */
  declare tagError: string;

  /** The note editor's draft: debounced edits out, remote notes in. */
  private readonly noteDraft = new NoteDraft((runId, previousText, nextText) =>
    emit(this, 'rt-edit-note', { runId, previousText, nextText }),
  );

  /** Chart inputs by series array, so a re-render with the same series does not redraw the chart. */
  private chartInputs = new WeakMap<readonly SeriesPoint[], ChartSeries[]>();

  constructor() {
    super();
    this.run = null;
    this.executions = [];
    this.series = {};
    this.tagError = '';
    this.editable = false;
  }

  override disconnectedCallback(): void {
    this.noteDraft.flush();
    super.disconnectedCallback();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const previous = changed.get('run') as Run | null | undefined;
    if (previous && this.run && previous.id !== this.run.id) this.tagError = '';
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!(changed.has('run') || changed.has('editable')) || !this.run) return;
    const editor = this.renderRoot.querySelector<HTMLTextAreaElement>('textarea.note-editor');
    if (!editor) return;
    const next = this.noteDraft.show(this.run.id, this.run.note, editor);
    if (!next) return;
    editor.value = next.value;
    if (this.shadowRoot?.activeElement === editor) editor.setSelectionRange(next.selectionStart, next.selectionEnd);
  }

  private readonly onNoteInput = (e: Event) => this.noteDraft.input((e.target as HTMLTextAreaElement).value);
  private readonly onNoteBlur = () => this.noteDraft.flush();

  private readonly onTagSubmit = (e: SubmitEvent) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const key = (form.elements.namedItem('key') as HTMLInputElement).value.trim();
    const value = (form.elements.namedItem('value') as HTMLInputElement).value;
    const problem = tagProblem(key, value);
    this.tagError = problem ?? '';
    if (problem || !this.run) return;
    emit(this, 'rt-set-tag', { runId: this.run.id, key, value });
    form.reset();
    (form.elements.namedItem('key') as HTMLInputElement).focus();
  };

  private readonly onTagRemove = (key: string) => {
    if (this.run) emit(this, 'rt-delete-tag', { runId: this.run.id, key });
  };

  protected override render() {
    const run = this.run;
    if (!run) return html`<p class="muted">No run selected.</p>`;
    return html`${this.renderHeader(run)} ${this.renderParams(run)} ${this.renderMetrics(run)} ${cellsSection(this.executions)}
    ${dataSection(run.snapshots)} ${environmentSection(run.environment)} ${artifactsSection(run.artifacts)}
    ${this.editable ? this.renderEditors(run) : section('note', 'Note', '', noteView(run.note))}`;
  }

  private renderEditors(run: Run) {
    return html`${section('tags', 'Tags', String(run.tags.length), tagsEditor(run, this.tagError, this.onTagRemove, this.onTagSubmit))}
    ${section('note', 'Note', '', noteEditor(this.onNoteInput, this.onNoteBlur))}`;
  }

  private renderHeader(run: Run) {
    const duration = formatDuration(runDurationMs(run, Date.now()));
    return html`<header>
      <h1>${statusIcon(run.status)} ${run.name || run.id}</h1>
      <div class="facts">
        <span>${run.status}${run.status === 'running' ? ' for' : ''} ${duration}</span>
        <span class="muted">started ${formatTimestamp(run.startTime)}</span>
        <span class="muted" title=${run.source.kind}>${sourceLabel(run.source)}</span>
        <span class="mono muted">${run.id}</span>
        <vscode-button secondary title="Copy the run id" @click=${() => emit(this, 'rt-copy-run-id', { runId: run.id })}>Copy id</vscode-button>
        ${run.parentRunId
          ? html`<a href="#" @click=${(e: Event) => this.openParent(e, run.parentRunId!)}>parent run</a>`
          : nothing}
      </div>
      ${run.tags.length ? html`<div class="facts">${run.tags.map((t) => html`<span class="badge">${t.key}: ${t.value}</span>`)}</div>` : nothing}
    </header>`;
  }

  private chartInput(run: Run, points: readonly SeriesPoint[]): ChartSeries[] {
    let input = this.chartInputs.get(points);
    if (!input) {
      input = [{ label: run.name || run.id, points }];
      this.chartInputs.set(points, input);
    }
    return input;
  }

  private openParent(e: Event, runId: string): void {
    e.preventDefault();
    emit(this, 'rt-open-run', { runId });
  }

  private renderParams(run: Run) {
    const params = [...run.params].sort((a, b) => a.key.localeCompare(b.key));
    const body = params.length
      ? html`<table class="data">
          <thead><tr><th scope="col">key</th><th scope="col">value</th><th scope="col">origin</th></tr></thead>
          <tbody>
            ${params.map((p) => html`<tr><th scope="row">${p.key}</th><td class="mono">${formatValue(p.value)}</td><td class="muted">${p.origin}</td></tr>`)}
          </tbody>
        </table>`
      : html`<p class="muted">No params.</p>`;
    return section('params', 'Params', String(params.length), body);
  }

  private renderMetrics(run: Run) {
    const metrics = metricViews(run, this.series);
    if (metrics.length === 0) return section('metrics', 'Metrics', '0', html`<p class="muted">No metrics.</p>`);
    const table = html`<table class="data">
      <thead>
        <tr>
          <th scope="col">key</th><th scope="col" class="num">last</th><th scope="col" class="num">min</th><th scope="col" class="num">max</th>
          <th scope="col" class="num">step</th><th scope="col" class="num">points</th><th scope="col"><span class="sr-only">chart</span></th>
        </tr>
      </thead>
      <tbody>
        ${metrics.map(
          (m) => html`<tr>
            <th scope="row">${m.key}</th><td class="num">${m.last}</td><td class="num">${m.min}</td><td class="num">${m.max}</td>
            <td class="num">${m.step}</td><td class="num">${m.count}</td>
            <td>
              ${m.series || m.count < 2
                ? nothing
                : html`<vscode-button secondary @click=${() => emit(this, 'rt-request-series', { runId: run.id, key: m.key })}>Chart</vscode-button>`}
            </td>
          </tr>`,
        )}
      </tbody>
    </table>`;
    const charts = metrics.filter((m) => m.series);
    return section(
      'metrics',
      'Metrics',
      String(metrics.length),
      html`${table}
      ${charts.length
        ? html`<div class="charts">
            ${charts.map(
              (m) => html`<div class="chart">
                <h3>${m.key}</h3>
                <rt-metric-chart .label=${m.key} .series=${this.chartInput(run, m.series!)}></rt-metric-chart>
              </div>`,
            )}
          </div>`
        : nothing}`,
    );
  }
}

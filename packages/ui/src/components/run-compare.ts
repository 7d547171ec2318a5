/**
 * `<rt-run-compare>`: runs side by side. Takes a RunDiff (two runs: params, metrics with deltas, code per
 * cell, data) or a CompareTable (2..N runs: params and metrics). Differences are highlighted; metrics with
 * series get one overlaid chart each (downsampled, extremes kept).
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { live } from 'lit/directives/live.js';
import type { CompareTable, RunDiff } from '@runtrail/core/diff';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import { DEFAULT_MAX_POINTS, type ChartSeries } from '../model/chart';
import { compareViewFromDiff, compareViewFromTable, differenceCounts, metricKeysOf, visibleCompareRows, type CompareView, type CompareViewRow } from '../model/compare-rows';
import type { SeriesPoint } from '../model/downsample';
import { themeStyles } from '../theme/styles';
import { emit } from './events';
import { codeSection, compareSectionStyles, dataSection, statusBadge } from './run-compare-sections';

const compareStyles = css`
  :host {
    padding: 8px 12px;
    background: transparent;
  }
  h1 {
    font-size: 1.3em;
    font-weight: 600;
    margin: 0 0 6px;
  }
  .bar {
    display: flex;
    flex-wrap: wrap;
    gap: 8px 16px;
    align-items: center;
  }
  tr.differs td,
  tr.differs th[scope='row'] {
    background: var(--rt-changed-bg);
  }
  tr.added td:nth-child(3) {
    color: var(--rt-green);
  }
  tr.removed td:nth-child(2) {
    color: var(--rt-red);
  }
  tbody th.group {
    color: var(--rt-fg);
    padding-top: 10px;
  }
  .up {
    color: var(--rt-green);
  }
  .down {
    color: var(--rt-red);
  }
  a.run {
    color: var(--rt-link);
  }
  .charts {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(340px, 1fr));
    gap: 12px;
  }
  .chart h3 {
    margin: 0;
  }
`;

/** The compare element. Set `diff` or `table`; optionally `runNames` and `series` (run id → key → points). */
export class RtRunCompare extends LitElement {
  static override properties = {
    diff: { attribute: false },
    table: { attribute: false },
    runNames: { attribute: false },
    series: { attribute: false },
    onlyDifferences: { type: Boolean, attribute: 'only-differences' },
    maxPoints: { type: Number, attribute: 'max-points' },
  };

  static override styles = [themeStyles, compareSectionStyles, compareStyles];

  /** A two-run diff; takes precedence over `table`. */
  declare diff: RunDiff | null;
  /** An N-run table. */
  declare table: CompareTable | null;
  /** Names of runs by id, for table columns (a RunDiff carries its own). */
  declare runNames: Record<string, string>;
  /** Metric series by run id, then metric key. */
  declare series: Record<string, Record<string, SeriesPoint[]>>;
  /** Hide params and metrics that are equal in every run. */
  declare onlyDifferences: boolean;
  /** Points per run and metric after downsampling (the charts' default unless set; Infinity draws every point). */
  declare maxPoints: number;

  private view: CompareView = { runs: [], rows: [], pairwise: false };
  private chartInputs = new Map<string, { parts: (readonly SeriesPoint[] | undefined)[]; input: ChartSeries[] }>();

  constructor() {
    super();
    this.diff = null;
    this.table = null;
    this.runNames = {};
    this.series = {};
    this.onlyDifferences = false;
    this.maxPoints = DEFAULT_MAX_POINTS;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('diff') || changed.has('table') || changed.has('runNames')) {
      if (this.diff) this.view = compareViewFromDiff(this.diff);
      else if (this.table) this.view = compareViewFromTable(this.table, this.runNames);
      else this.view = { runs: [], rows: [], pairwise: false };
    }
  }

  protected override render() {
    if (this.view.runs.length === 0) return html`<p class="muted">Nothing to compare.</p>`;
    const { runs, pairwise } = this.view;
    const counts = differenceCounts(this.view.rows);
    return html`<h1>
        Compare
        ${runs.map((r, i) => html`${i ? html` <span class="muted">vs</span> ` : nothing}<a class="run" href="#" @click=${(e: Event) => this.open(e, r.id)}>${r.name}</a>`)}
      </h1>
      <div class="bar">
        ${this.diff?.identical ? html`<span class="badge good">identical</span>` : nothing}
        <span class="muted">${counts.params} params and ${counts.metrics} metrics differ${this.diff ? `, ${this.diff.summary.code} cells, ${this.diff.summary.data} data objects` : ''}</span>
        <vscode-checkbox
          label="Only differences"
          .checked=${live(this.onlyDifferences)}
          @change=${(e: Event) => (this.onlyDifferences = (e.target as HTMLInputElement).checked)}
        ></vscode-checkbox>
        ${pairwise ? nothing : html`<span class="muted">${runs.length} runs</span>`}
      </div>
      <h2 id="values-h">Params and metrics</h2>
      ${this.renderTable()}
      <h2 id="charts-h">Metric charts</h2>
      ${this.renderCharts()}
      ${this.diff
        ? html`<h2>Code <span class="muted">${this.diff.summary.code} changed</span></h2>
            ${codeSection(this.diff.code)}
            <h2>Data <span class="muted">${this.diff.summary.data} changed</span></h2>
            ${dataSection(this.diff.data)}`
        : nothing}`;
  }

  private open(e: Event, runId: string): void {
    e.preventDefault();
    emit(this, 'rt-open-run', { runId });
  }

  private renderTable() {
    const { runs, pairwise } = this.view;
    const rows = visibleCompareRows(this.view.rows, this.onlyDifferences);
    const columns = runs.length + 1 + (pairwise ? 2 : 0);
    const group = (section: CompareViewRow['section'], title: string) => {
      const inGroup = rows.filter((r) => r.section === section);
      return html`<tbody>
        <tr><th class="group" colspan=${columns} scope="colgroup">${title}</th></tr>
        ${inGroup.length ? inGroup.map((r) => this.renderRow(r)) : html`<tr><td class="muted" colspan=${columns}>None${this.onlyDifferences ? ' differ' : ''}.</td></tr>`}
      </tbody>`;
    };
    return html`<table class="data" aria-labelledby="values-h">
      <thead>
        <tr>
          <th scope="col">key</th>
          ${runs.map((r, i) => html`<th scope="col">${r.name}${pairwise ? html` <span class="muted">(${i === 0 ? 'baseline' : 'compared'})</span>` : nothing}</th>`)}
          ${pairwise ? html`<th scope="col" class="num">Δ</th><th scope="col" class="num">Δ%</th>` : nothing}
        </tr>
      </thead>
      ${group('params', 'Params')} ${group('metrics', 'Metrics')}
    </table>`;
  }

  private renderRow(row: CompareViewRow) {
    return html`<tr class="${row.differs ? 'differs' : ''} ${row.status ?? ''}">
      <th scope="row">${row.key}${row.status && row.status !== 'same' ? html` ${statusBadge(row.status)}` : row.differs ? html`<span class="sr-only"> (differs)</span>` : nothing}</th>
      ${row.cells.map((c) => html`<td class="mono">${c}</td>`)}
      ${this.view.pairwise
        ? row.section === 'metrics'
          ? html`<td class="num ${row.trend ?? ''}">${row.delta}</td><td class="num ${row.trend ?? ''}">${row.relativeDelta}</td>`
          : html`<td></td><td></td>`
        : nothing}
    </tr>`;
  }

  /** The chart input of a metric, rebuilt only when one of its runs' series arrays changed. */
  private chartInput(key: string): ChartSeries[] {
    const parts = this.view.runs.map((r) => this.series[r.id]?.[key]);
    const cached = this.chartInputs.get(key);
    if (cached && cached.parts.length === parts.length && cached.parts.every((p, i) => p === parts[i])) return cached.input;
    const input = this.view.runs.flatMap((r, i) => (parts[i] ? [{ label: r.name, points: parts[i] }] : []));
    this.chartInputs.set(key, { parts, input });
    return input;
  }

  private requestMissing(keys: readonly string[]): void {
    for (const key of keys) {
      for (const r of this.view.runs) if (!this.series[r.id]?.[key]) emit(this, 'rt-request-series', { runId: r.id, key });
    }
  }

  private renderCharts() {
    const keys = metricKeysOf(this.view);
    if (keys.length === 0) return html`<p class="muted">No metrics.</p>`;
    const charted = keys.filter((k) => this.chartInput(k).length > 0);
    const missing = keys.filter((k) => this.view.runs.some((r) => !this.series[r.id]?.[k]));
    return html`${missing.length
        ? html`<p>
            <span class="muted">${missing.length} metric${missing.length === 1 ? '' : 's'} without series for every run.</span>
            <vscode-button secondary @click=${() => this.requestMissing(missing)}>Load series</vscode-button>
          </p>`
        : nothing}
      <div class="charts">
        ${charted.map(
          (key) => html`<div class="chart">
            <h3>${key}</h3>
            <rt-metric-chart .label=${key} .maxPoints=${this.maxPoints} .series=${this.chartInput(key)}></rt-metric-chart>
          </div>`,
        )}
      </div>`;
  }
}

/**
 * `<rt-metric-chart>`: one metric as lines over steps, one line per series (a run, in compare), drawn by
 * uPlot on a canvas. Series are downsampled with min/max buckets before drawing, so 100k-point series stay
 * fast without hiding spikes. Drag to zoom on steps, double-click to reset (uPlot's defaults).
 */
import { LitElement, css, html, nothing, unsafeCSS, type PropertyValues } from 'lit';
import uPlot from 'uplot';
import { UPLOT_CSS } from '../charts/uplot-css';
import { DEFAULT_MAX_POINTS, buildChartData, chartSummary, hasPoints, type ChartSeries } from '../model/chart';
import { formatNumber } from '../model/format';
import { resolveChartTheme, seriesColor, type ChartTheme } from '../theme/palette';
import { themeStyles } from '../theme/styles';
import { onThemeChange } from '../theme/watch';

/** A metric chart element; set `series` (and optionally `label`, `maxPoints`, `height`). */
export class RtMetricChart extends LitElement {
  static override properties = {
    series: { attribute: false },
    label: { type: String },
    maxPoints: { type: Number, attribute: 'max-points' },
    height: { type: Number },
  };

  static override styles = [
    themeStyles,
    unsafeCSS(UPLOT_CSS),
    css`
      :host {
        background: transparent;
      }
      .plot .uplot {
        font-family: inherit;
        width: auto;
      }
      .plot .u-legend {
        font-size: 0.9em;
        text-align: left;
      }
      .plot .u-select {
        background: var(--rt-hover);
      }
      .empty {
        padding: 1em 0;
      }
    `,
  ];

  // Reactive properties are `declare`d and set in the constructor: a class field initializer would
  // shadow the accessor Lit installs (useDefineForClassFields semantics of ES2022).
  /** The lines to draw. */
  declare series: ChartSeries[];
  /** The metric's name: the accessible name and the y-axis meaning. */
  declare label: string;
  /** Points per series after downsampling. */
  declare maxPoints: number;
  /** Plot height in px. */
  declare height: number;

  private plot: uPlot | null = null;
  private drawn = 0;
  private resizeObserver: ResizeObserver | null = null;
  private stopThemeWatch: (() => void) | null = null;
  private colors: ChartTheme | null = null;

  constructor() {
    super();
    this.series = [];
    this.label = '';
    this.maxPoints = DEFAULT_MAX_POINTS;
    this.height = 180;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(this);
    this.stopThemeWatch = onThemeChange(() => this.rebuildIfThemeChanged());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    this.resizeObserver = null;
    this.stopThemeWatch?.();
    this.stopThemeWatch = null;
    this.destroyPlot();
  }

  protected override render() {
    const drawable = hasPoints(this.series);
    return html`<div class="plot" role="img" aria-label=${chartSummary(this.label, this.series)} ?hidden=${!drawable}></div>
      ${drawable ? nothing : html`<p class="empty muted">No points logged for ${this.label || 'this metric'}.</p>`}`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('series') || changed.has('maxPoints') || changed.has('height')) this.rebuild();
  }

  /** How many points the chart handed to uPlot (after downsampling, over all series): for tests and benchmarks. */
  get drawnPoints(): number {
    return this.plot ? this.drawn : 0;
  }

  private readTheme(): ChartTheme {
    const style = getComputedStyle(this);
    return resolveChartTheme((name) => style.getPropertyValue(name));
  }

  private rebuildIfThemeChanged(): void {
    const next = this.readTheme();
    if (JSON.stringify(next) !== JSON.stringify(this.colors)) this.rebuild();
  }

  private destroyPlot(): void {
    this.plot?.destroy();
    this.plot = null;
  }

  private rebuild(): void {
    this.destroyPlot();
    const target = this.renderRoot.querySelector<HTMLElement>('.plot');
    if (!target || !hasPoints(this.series)) return;
    this.colors = this.readTheme();
    const { steps, values } = buildChartData(this.series, this.maxPoints);
    this.drawn = values.reduce((sum, row) => sum + row.filter((v) => v !== null).length, 0);
    const colors = this.colors;
    const axis = { stroke: colors.axis, grid: { stroke: colors.grid, width: 1 }, ticks: { stroke: colors.grid, width: 1 } };
    const options: uPlot.Options = {
      width: Math.max(200, this.clientWidth),
      height: this.height,
      scales: { x: { time: false } },
      legend: { show: true, live: true },
      cursor: { drag: { x: true, y: false } },
      series: [
        { label: 'step' },
        ...this.series.map((s, i) => ({
          label: s.label,
          stroke: seriesColor(colors, i),
          width: 1.5,
          spanGaps: true,
          value: (_u: uPlot, v: number | null) => (v === null ? '—' : formatNumber(v)),
        })),
      ],
      axes: [axis, { ...axis, size: 56, values: (_u: uPlot, ticks: number[]) => ticks.map((t) => formatNumber(t, 3)) }],
    };
    this.plot = new uPlot(options, [steps, ...values] as uPlot.AlignedData, target);
  }

  private resize(): void {
    if (this.plot && this.clientWidth > 0) this.plot.setSize({ width: this.clientWidth, height: this.height });
  }
}

/**
 * Colors for canvas drawing (uPlot), which cannot read CSS variables: they are resolved from the theme's
 * `--vscode-charts-*` variables at draw time and again when the theme changes.
 */

/** Theme variables of chart series colors, in the order series use them. */
export const CHART_SERIES_VARS: readonly string[] = [
  '--vscode-charts-blue',
  '--vscode-charts-orange',
  '--vscode-charts-green',
  '--vscode-charts-purple',
  '--vscode-charts-red',
  '--vscode-charts-yellow',
];

/** VS Code's default dark+ chart colors: readable on light and dark backgrounds alike. */
const SERIES_FALLBACKS: readonly string[] = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700'];

/** The colors a chart draws with. */
export interface ChartTheme {
  series: string[];
  /** Axis labels and ticks. */
  axis: string;
  /** Grid lines. */
  grid: string;
}

/**
 * Resolves chart colors through `read` (a variable's value, '' when unset): each theme variable, else a
 * fallback. Taking a reader rather than an element keeps this testable without a DOM.
 */
export function resolveChartTheme(read: (cssVariable: string) => string): ChartTheme {
  const pick = (name: string, fallback: string) => read(name).trim() || fallback;
  return {
    series: CHART_SERIES_VARS.map((name, i) => pick(name, SERIES_FALLBACKS[i]!)),
    axis: pick('--vscode-charts-foreground', '') || pick('--vscode-foreground', '#8b8b8b'),
    grid: pick('--vscode-charts-lines', '') || pick('--vscode-panel-border', 'rgba(128, 128, 128, 0.25)'),
  };
}

/** The color of series `index`, cycling through the palette. */
export function seriesColor(theme: ChartTheme, index: number): string {
  return theme.series[index % theme.series.length]!;
}

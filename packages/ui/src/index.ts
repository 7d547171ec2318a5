/**
 * Public API of @runtrail/ui: the web components (run table, run detail, compare, metric chart), their
 * registration, the host message contract, theming, and the pure view-model functions behind them.
 */
export { defineRuntrailElements, RUNTRAIL_ELEMENTS } from './define';
export { RtRunTable } from './components/run-table';
export { RtRunDetail } from './components/run-detail';
export { RtRunCompare } from './components/run-compare';
export { RtMetricChart } from './components/metric-chart';
export { RUNTRAIL_EVENTS, type RuntrailEventDetail, type RuntrailEventName } from './components/events';

export {
  HostToView,
  ViewToHost,
  HOST_TO_VIEW_TYPES,
  VIEW_TO_HOST_TYPES,
  SeriesPointMessage,
  parseHostToView,
  parseViewToHost,
  type ParseResult,
} from './messages';
export { applyHostMessage, connectViewToHost, messageFromEvent, withRunSeries, withSeries, type RuntrailViews } from './host-bridge';

export { JUPYTERLAB_THEME_BRIDGE_CSS, installJupyterLabThemeBridge } from './theme/jupyterlab';
export { announceThemeChange } from './theme/watch';
export { resolveChartTheme, type ChartTheme } from './theme/palette';

export { downsampleMinMax, alignSeries, type SeriesPoint, type AlignedSeries } from './model/downsample';
export { visibleRange, scrollToReveal, type VisibleRange } from './model/virtual';
export { sortRuns, nextSort, DEFAULT_SORT, type SortState, type SortDirection } from './model/sort';
export { compileRunFilter, filterRuns, matchesClause, type RunFilter } from './model/filter';
export { availableColumns, defaultColumns, toggleColumn, columnDef, type ColumnDef } from './model/columns';
export { formatDuration, formatTimestamp, formatNumber, formatValue, formatBytes, formatDelta } from './model/format';
export { compareViewFromDiff, compareViewFromTable, type CompareView, type CompareViewRow } from './model/compare-rows';
export { hunkLines, dataDiffView, type DiffLine, type DataDiffView } from './model/diff-sections';
export { buildChartData, chartSummary, type ChartSeries } from './model/chart';

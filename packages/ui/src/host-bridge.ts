/**
 * Glue for a page that embeds the views in a webview or iframe: component events out as ViewToHost
 * messages, HostToView messages in as element properties. The mapping functions are pure; the two
 * functions that touch elements are a few lines each.
 */
import type { RtRunCompare } from './components/run-compare';
import type { RtRunDetail } from './components/run-detail';
import type { RtRunTable } from './components/run-table';
import { RUNTRAIL_EVENTS, type RuntrailEventDetail, type RuntrailEventName } from './components/events';
import type { SeriesPoint } from './model/downsample';
import type { HostToView, ViewToHost } from './messages';
import { announceThemeChange } from './theme/watch';

/** The ViewToHost message a component event stands for. */
export function messageFromEvent<K extends RuntrailEventName>(type: K, detail: RuntrailEventDetail[K]): ViewToHost {
  const d = detail as Partial<{ runId: string; runIds: string[]; key: string; columns: string[]; value: string; previousText: string; nextText: string }>;
  switch (type) {
    case 'rt-open-run':
      return { type: 'open-run', runId: d.runId! };
    case 'rt-compare':
      return { type: 'compare', runIds: d.runIds! };
    case 'rt-selection-change':
      return { type: 'selection-change', runIds: d.runIds! };
    case 'rt-columns-change':
      return { type: 'columns-change', columns: d.columns! };
    case 'rt-request-series':
      return { type: 'request-series', runId: d.runId!, key: d.key! };
    case 'rt-copy-run-id':
      return { type: 'copy-run-id', runId: d.runId! };
    case 'rt-edit-note':
      return { type: 'edit-note', runId: d.runId!, previousText: d.previousText!, nextText: d.nextText! };
    case 'rt-set-tag':
      return { type: 'set-tag', runId: d.runId!, key: d.key!, value: d.value! };
    case 'rt-delete-tag':
      return { type: 'delete-tag', runId: d.runId!, key: d.key! };
    default:
      return { type: 'refresh' };
  }
}

/**
 * Forwards every component event fired under `root` to `post` (e.g. `vscode.postMessage`). Returns a
 * disconnect function; calling it twice is harmless and it leaves no listener behind.
 */
export function connectViewToHost(root: EventTarget, post: (message: ViewToHost) => void): () => void {
  const listener = (event: Event) => {
    post(messageFromEvent(event.type as RuntrailEventName, (event as CustomEvent).detail));
  };
  for (const type of RUNTRAIL_EVENTS) root.addEventListener(type, listener);
  let connected = true;
  return () => {
    if (!connected) return;
    connected = false;
    for (const type of RUNTRAIL_EVENTS) root.removeEventListener(type, listener);
  };
}

/** A copy of series-by-key with one key's points replaced: a new object, so Lit sees the change. */
export function withSeries(
  current: Readonly<Record<string, SeriesPoint[]>>,
  key: string,
  points: SeriesPoint[],
): Record<string, SeriesPoint[]> {
  return { ...current, [key]: points };
}

/** A copy of series-by-run-and-key with one run's key replaced. */
export function withRunSeries(
  current: Readonly<Record<string, Record<string, SeriesPoint[]>>>,
  runId: string,
  key: string,
  points: SeriesPoint[],
): Record<string, Record<string, SeriesPoint[]>> {
  return { ...current, [runId]: withSeries(current[runId] ?? {}, key, points) };
}

/** The elements of an embedding page; any may be absent. */
export interface RuntrailViews {
  table?: RtRunTable | null;
  detail?: RtRunDetail | null;
  compare?: RtRunCompare | null;
  /** Shows a host error (`error` messages) to the user. */
  onError?: (message: string) => void;
}

/** Applies one parsed HostToView message to the page's elements. */
export function applyHostMessage(views: RuntrailViews, message: HostToView): void {
  switch (message.type) {
    case 'show-runs':
      if (views.table) {
        views.table.runs = message.runs;
        if (message.selectedRunIds) views.table.selectedRunIds = message.selectedRunIds;
      }
      return;
    case 'show-run':
      if (views.detail) {
        views.detail.run = message.run;
        views.detail.executions = message.executions;
        views.detail.series = message.series;
      }
      return;
    case 'show-compare':
      if (views.compare) {
        views.compare.diff = message.diff ?? null;
        views.compare.table = message.table ?? null;
        views.compare.runNames = message.runNames;
        views.compare.series = message.series;
      }
      return;
    case 'series':
      if (views.detail?.run?.id === message.runId) {
        views.detail.series = withSeries(views.detail.series, message.key, message.points);
      }
      if (views.compare) views.compare.series = withRunSeries(views.compare.series, message.runId, message.key, message.points);
      return;
    case 'theme-changed':
      announceThemeChange();
      return;
    case 'error':
      views.onError?.(message.message);
      return;
  }
}

/**
 * The CustomEvents the components fire. They bubble and are composed, so a host listens on any ancestor
 * (or on document) across shadow roots; `connectViewToHost` in host-bridge.ts turns them into messages.
 */

/** Event names and their `detail` payloads. */
export interface RuntrailEventDetail {
  /** The user opened a run (Enter or double-click on a row, a run link in compare). */
  'rt-open-run': { runId: string };
  /** The set of selected runs changed, in the order they were picked. */
  'rt-selection-change': { runIds: string[] };
  /** The user asked to compare the selected runs (2 or more; the first is the baseline). */
  'rt-compare': { runIds: string[] };
  /** A view needs a metric's series it was not given. */
  'rt-request-series': { runId: string; key: string };
  /** The user asked to copy a run id. */
  'rt-copy-run-id': { runId: string };
  /** The user changed the run table's columns; hosts may persist them. */
  'rt-columns-change': { columns: string[] };
  /** The user asked for fresh data. */
  'rt-refresh': Record<string, never>;
  /** The user edited a run's note (after a typing pause): the text before and after. */
  'rt-edit-note': { runId: string; previousText: string; nextText: string };
  /** The user set a run tag (key already checked against the Tag schema by the view). */
  'rt-set-tag': { runId: string; key: string; value: string };
  /** The user removed a run tag. */
  'rt-delete-tag': { runId: string; key: string };
}

/** Names of all component events. */
export type RuntrailEventName = keyof RuntrailEventDetail;

/** Every event name, for hosts that forward them all. */
export const RUNTRAIL_EVENTS: readonly RuntrailEventName[] = [
  'rt-open-run',
  'rt-selection-change',
  'rt-compare',
  'rt-request-series',
  'rt-copy-run-id',
  'rt-columns-change',
  'rt-refresh',
  'rt-edit-note',
  'rt-set-tag',
  'rt-delete-tag',
];

/** Fires a component event from `target`. */
export function emit<K extends RuntrailEventName>(target: EventTarget, type: K, detail: RuntrailEventDetail[K]): void {
  target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}

/** Typed `addEventListener` for the component events, on elements and on document. */
type RuntrailEventMap = { [K in RuntrailEventName]: CustomEvent<RuntrailEventDetail[K]> };

declare global {
  // Declaration merging adds the component events to the DOM's event maps; the bodies stay empty.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface HTMLElementEventMap extends RuntrailEventMap {}
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DocumentEventMap extends RuntrailEventMap {}
}

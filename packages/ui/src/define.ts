/**
 * Registration of the custom elements. It is explicit, so a host decides when it happens; importing the
 * package only registers the vscode-elements the components use (those register themselves on import).
 */
import { RtMetricChart } from './components/metric-chart';
import { RtRunCompare } from './components/run-compare';
import { RtRunDetail } from './components/run-detail';
import { RtRunTable } from './components/run-table';

/** Tag names and their classes. */
export const RUNTRAIL_ELEMENTS = {
  'rt-run-table': RtRunTable,
  'rt-run-detail': RtRunDetail,
  'rt-run-compare': RtRunCompare,
  'rt-metric-chart': RtMetricChart,
} as const;

/**
 * Defines every runtrail element in `registry` (the page's by default). Idempotent: a tag that is already
 * defined (by an earlier call, or another bundle of this package on the same page) is left as it is,
 * because `customElements.define` throws on a second definition and a panel may be opened twice.
 */
export function defineRuntrailElements(registry: CustomElementRegistry = customElements): void {
  for (const [tag, element] of Object.entries(RUNTRAIL_ELEMENTS)) {
    if (!registry.get(tag)) registry.define(tag, element);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rt-run-table': RtRunTable;
    'rt-run-detail': RtRunDetail;
    'rt-run-compare': RtRunCompare;
    'rt-metric-chart': RtMetricChart;
  }
}

/** The run table's toolbar (filter box, counts, column chooser toggle, Refresh, Compare) and its column chooser. */
import { html } from 'lit';
import { live } from 'lit/directives/live.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';

/** What the toolbar shows and whom it tells. */
export interface ToolbarState {
  filter: string;
  /** Why the filter is not a valid expression, or null. */
  error: string | null;
  shown: number;
  total: number;
  selected: number;
  chooserOpen: boolean;
  onFilter: (text: string) => void;
  onToggleChooser: () => void;
  onCompare: () => void;
  onRefresh: () => void;
}

/** The toolbar above the grid, and the filter error under it. */
export function toolbarTemplate(s: ToolbarState) {
  return html`<div class="toolbar">
      <vscode-textfield
        class="filter"
        type="search"
        placeholder="Filter: text, or metrics.acc > 0.9 and params.opt = 'adam'"
        label="Filter runs"
        .value=${live(s.filter)}
        ?invalid=${s.error !== null}
        @input=${(e: Event) => s.onFilter((e.target as HTMLInputElement).value)}
      ></vscode-textfield>
      <span class="muted" aria-live="polite">${s.shown} of ${s.total}</span>
      <vscode-button secondary aria-expanded=${s.chooserOpen} aria-controls="chooser" @click=${s.onToggleChooser}>Columns</vscode-button>
      <vscode-button secondary title="Ask the host for fresh runs" @click=${s.onRefresh}>Refresh</vscode-button>
      <vscode-button ?disabled=${s.selected < 2} title="Compare the selected runs; the first picked is the baseline" @click=${s.onCompare}
        >Compare${s.selected ? ` (${s.selected})` : ''}</vscode-button
      >
    </div>
    <div class="filter-error error-text" role="status" ?hidden=${s.error === null}>${s.error} — matching as text instead.</div>`;
}

/** One checkbox per column the runs offer, checked for the shown ones. */
export function chooserTemplate(available: readonly string[], shown: readonly string[], onToggle: (id: string) => void) {
  return html`<div id="chooser" class="chooser" role="group" aria-label="Columns to show">
    ${available.map(
      (id) => html`<vscode-checkbox label=${id} .checked=${live(shown.includes(id))} @change=${() => onToggle(id)}></vscode-checkbox>`,
    )}
  </div>`;
}

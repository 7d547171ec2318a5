/**
 * `<rt-run-table>`: the run list. Only the rows in view (plus overscan) are in the DOM, so 10k runs open
 * as fast as 50. Sorting, filtering, columns, selection and the virtual window are pure functions in
 * ../model; this element holds state, renders, and turns input into events.
 *
 * Keyboard: the grid is one tab stop; arrows/PageUp/PageDown/Home/End move the focused row
 * (aria-activedescendant, since virtual rows come and go), Space toggles selection (Shift extends it),
 * Enter opens, Ctrl/Cmd+A selects all shown rows. Header buttons sort with Enter or Space.
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { live } from 'lit/directives/live.js';
import type { Run } from '@runtrail/core/schema';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import { availableColumns, cellText, defaultColumns, gridTemplate, toggleColumn, visibleColumnDefs, type ColumnDef } from '../model/columns';
import { compileRunFilter, filterRuns, type RunFilter } from '../model/filter';
import { moveFocus, pruneSelection, selectRange, selectionState, toggleAll, toggleSelection } from '../model/selection';
import { DEFAULT_SORT, ariaSort, nextSort, sortRuns, type SortState } from '../model/sort';
import { sameRange, scrollToReveal, visibleRange, type VisibleRange } from '../model/virtual';
import { themeStyles } from '../theme/styles';
import { emit } from './events';
import { statusIcon } from './parts';
import { chooserTemplate, toolbarTemplate } from './run-table-toolbar';
import { runTableStyles } from './run-table.styles';

/** Rows rendered above and below the viewport, so fast scrolling does not flash empty space. */
const OVERSCAN = 8;
/** Assumed viewport height before the first measurement: enough rows for a first screen. */
const INITIAL_VIEWPORT = 800;

/** The run list element. Set `runs`; optionally `columns`, `sort`, `filter`, `selectedRunIds`, `rowHeight`. */
export class RtRunTable extends LitElement {
  static override properties = {
    runs: { attribute: false },
    columns: { attribute: false },
    sort: { attribute: false },
    filter: { type: String },
    selectedRunIds: { attribute: false },
    rowHeight: { type: Number, attribute: 'row-height' },
    range: { state: true },
    focusIndex: { state: true },
    chooserOpen: { state: true },
  };

  static override styles = [themeStyles, runTableStyles];

  /** The runs to list, in the host's order (used when the sort is cleared). */
  declare runs: Run[];
  /** Chosen column ids (`started`, `params.lr`, `metrics.acc`...); null picks defaults from the runs. */
  declare columns: string[] | null;
  /** Current sort; null keeps the host's order. */
  declare sort: SortState;
  /** Text of the filter box. */
  declare filter: string;
  /** Selected run ids, in the order they were picked. */
  declare selectedRunIds: string[];
  /** Row height in px; rows are fixed-height so the virtual window is exact. */
  declare rowHeight: number;
  declare private range: VisibleRange;
  declare private focusIndex: number;
  declare private chooserOpen: boolean;

  private view: Run[] = [];
  private compiled: RunFilter = compileRunFilter('');
  private defs: ColumnDef[] = [];
  private selection: ReadonlySet<string> = new Set();
  private anchor = -1;
  private viewport = INITIAL_VIEWPORT;
  private now = Date.now();
  private resizeObserver: ResizeObserver | null = null;

  constructor() {
    super();
    this.runs = [];
    this.columns = null;
    this.sort = DEFAULT_SORT;
    this.filter = '';
    this.selectedRunIds = [];
    this.rowHeight = 24;
    this.range = visibleRange(0, INITIAL_VIEWPORT, 24, 0, OVERSCAN);
    this.focusIndex = -1;
    this.chooserOpen = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.resizeObserver = new ResizeObserver(() => this.measure());
    void this.updateComplete.then(() => {
      const scroller = this.scroller;
      if (scroller && this.resizeObserver) this.resizeObserver.observe(scroller);
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    this.resizeObserver = null;
  }

  /** The runs currently shown (filtered and sorted), for hosts and tests. */
  get shownRuns(): readonly Run[] {
    return this.view;
  }

  private get scroller(): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>('.scroller');
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('selectedRunIds')) this.selection = new Set(this.selectedRunIds);
    if (changed.has('filter')) this.compiled = compileRunFilter(this.filter);
    if (changed.has('runs') || changed.has('columns')) {
      this.defs = visibleColumnDefs(this.columns ?? defaultColumns(this.runs));
    }
    if (changed.has('runs') || changed.has('filter') || changed.has('sort')) {
      this.now = Date.now();
      this.view = sortRuns(filterRuns(this.runs, this.compiled), this.sort, this.now);
      this.focusIndex = Math.min(this.focusIndex, this.view.length - 1);
      if (changed.has('runs')) this.setSelection(pruneSelection(this.selection, new Set(this.runs.map((r) => r.id))));
    }
    this.range = this.computeRange(this.scroller?.scrollTop ?? 0);
  }

  private computeRange(scrollTop: number): VisibleRange {
    // The sticky header takes one row of the viewport.
    return visibleRange(scrollTop, this.viewport - this.rowHeight, this.rowHeight, this.view.length, OVERSCAN);
  }

  private measure(): void {
    const height = this.scroller?.clientHeight ?? 0;
    if (height > 0 && height !== this.viewport) {
      this.viewport = height;
      this.onScroll();
    }
  }

  private onScroll(): void {
    const next = this.computeRange(this.scroller?.scrollTop ?? 0);
    if (!sameRange(next, this.range)) this.range = next;
  }

  private setSelection(next: ReadonlySet<string>): void {
    if (next === this.selection) return;
    this.selection = next;
    this.selectedRunIds = [...next];
    emit(this, 'rt-selection-change', { runIds: [...next] });
  }

  private setColumns(columns: string[]): void {
    this.columns = columns;
    emit(this, 'rt-columns-change', { columns });
  }

  private focusRow(index: number, extend: boolean): void {
    if (index < 0) return;
    this.focusIndex = index;
    if (extend && this.anchor >= 0) this.setSelection(selectRange(this.selection, this.view.map((r) => r.id), this.anchor, index));
    const scroller = this.scroller;
    if (scroller) scroller.scrollTop = scrollToReveal(index, scroller.scrollTop, this.viewport - this.rowHeight, this.rowHeight);
  }

  private toggleRow(index: number, extend: boolean): void {
    const run = this.view[index];
    if (!run) return;
    if (extend && this.anchor >= 0) {
      this.setSelection(selectRange(this.selection, this.view.map((r) => r.id), this.anchor, index));
    } else {
      this.setSelection(toggleSelection(this.selection, run.id));
      this.anchor = index;
    }
    this.focusIndex = index;
  }

  private open(index: number): void {
    const run = this.view[index];
    if (run) emit(this, 'rt-open-run', { runId: run.id });
  }

  private compare(): void {
    if (this.selection.size >= 2) emit(this, 'rt-compare', { runIds: [...this.selection] });
  }

  private onKeyDown(e: KeyboardEvent): void {
    if (e.target !== e.currentTarget) return;
    const pageSize = Math.max(1, Math.floor((this.viewport - this.rowHeight) / this.rowHeight) - 1);
    const moved = moveFocus(this.focusIndex, e.key, this.view.length, pageSize);
    if (moved !== null) {
      e.preventDefault();
      this.focusRow(moved, e.shiftKey);
    } else if (e.key === ' ') {
      e.preventDefault();
      this.toggleRow(Math.max(0, this.focusIndex), e.shiftKey);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      this.open(this.focusIndex);
    } else if (e.key.toLowerCase() === 'a' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      this.setSelection(toggleAll(this.selection, this.view.map((r) => r.id)));
    } else if (e.key === 'Escape' && this.selection.size > 0) {
      this.setSelection(new Set());
    }
  }

  private onRowClick(e: MouseEvent, index: number): void {
    this.focusIndex = index;
    this.scroller?.focus({ preventScroll: true });
    if (e.ctrlKey || e.metaKey) this.toggleRow(index, false);
  }

  private onCheckClick(e: MouseEvent, index: number): void {
    e.stopPropagation();
    this.scroller?.focus({ preventScroll: true });
    this.toggleRow(index, e.shiftKey);
  }

  protected override render() {
    const template = gridTemplate(this.defs);
    const { start, end, offsetTop, totalHeight } = this.range;
    const rows = [];
    for (let i = start; i < end; i++) rows.push(this.renderRow(this.view[i]!, i, template));
    const active = this.focusIndex >= start && this.focusIndex < end ? `row-${this.focusIndex}` : nothing;
    return html`${this.renderToolbar()} ${this.chooserOpen ? this.renderChooser() : nothing}
      <div
        class="scroller"
        role="grid"
        tabindex="0"
        aria-label="Runs"
        aria-multiselectable="true"
        aria-rowcount=${this.view.length + 1}
        aria-colcount=${this.defs.length + 1}
        aria-activedescendant=${active}
        style="--rt-row-height: ${this.rowHeight}px"
        @scroll=${this.onScroll}
        @keydown=${this.onKeyDown}
      >
        ${this.renderHeader(template)}
        <div class="body" role="rowgroup" style="height: ${totalHeight}px">
          <div class="window" style="transform: translateY(${offsetTop}px)">${rows}</div>
        </div>
        ${this.view.length === 0 ? html`<p class="empty muted">${this.runs.length ? 'No run matches the filter.' : 'No runs yet.'}</p>` : nothing}
      </div>`;
  }

  private renderToolbar() {
    return toolbarTemplate({
      filter: this.filter,
      error: this.compiled.error,
      shown: this.view.length,
      total: this.runs.length,
      selected: this.selection.size,
      chooserOpen: this.chooserOpen,
      onFilter: (text) => (this.filter = text),
      onToggleChooser: () => (this.chooserOpen = !this.chooserOpen),
      onCompare: () => this.compare(),
      onRefresh: () => emit(this, 'rt-refresh', {}),
    });
  }

  private renderChooser() {
    const shown = this.columns ?? defaultColumns(this.runs);
    return chooserTemplate(availableColumns(this.runs), shown, (id) => this.setColumns(toggleColumn(shown, id)));
  }

  private renderHeader(template: string) {
    const all = selectionState(this.selection, this.view.map((r) => r.id));
    return html`<div class="row head" role="row" aria-rowindex="1" style="grid-template-columns: ${template}">
      <div class="check" role="columnheader">
        <vscode-checkbox
          .checked=${live(all === 'all')}
          .indeterminate=${all === 'some'}
          @change=${() => this.setSelection(toggleAll(this.selection, this.view.map((r) => r.id)))}
          ><span class="sr-only">Select all shown runs</span></vscode-checkbox
        >
      </div>
      ${this.defs.map((d) => {
        const sort = ariaSort(this.sort, d.id);
        const arrow = sort === 'ascending' ? '▲' : sort === 'descending' ? '▼' : '';
        return html`<div role="columnheader" aria-sort=${sort} class=${d.numeric ? 'num' : ''}>
          <button title="Sort by ${d.label}" @click=${() => (this.sort = nextSort(this.sort, d.id))}>
            ${d.kind === 'status' ? html`<span aria-label="Status">●</span>` : d.label}<span class="arrow" aria-hidden="true">${arrow}</span>
          </button>
        </div>`;
      })}
    </div>`;
  }

  private renderRow(run: Run, index: number, template: string) {
    const selected = this.selection.has(run.id);
    return html`<div
      id="row-${index}"
      class="row ${selected ? 'selected' : ''} ${index === this.focusIndex ? 'focused' : ''}"
      data-run-id=${run.id}
      role="row"
      aria-rowindex=${index + 2}
      aria-selected=${selected}
      style="grid-template-columns: ${template}"
      @click=${(e: MouseEvent) => this.onRowClick(e, index)}
      @dblclick=${() => this.open(index)}
    >
      <div class="check" role="gridcell" @click=${(e: MouseEvent) => this.onCheckClick(e, index)}>
        <vscode-checkbox tabindex="-1" aria-hidden="true" .checked=${live(selected)}></vscode-checkbox>
      </div>
      ${this.defs.map((d) => {
        const text = cellText(run, d, this.now);
        return html`<div role="gridcell" class=${d.numeric ? 'num' : ''} title=${text}>${d.kind === 'status' ? statusIcon(run.status) : text}</div>`;
      })}
    </div>`;
  }
}

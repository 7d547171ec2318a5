/** Layout of `<rt-run-table>`: a toolbar over a scroller that holds a sticky header and the virtual rows. */
import { css } from 'lit';

/** Styles of the run table. The row height comes from `--rt-row-height`, set from the `rowHeight` property. */
export const runTableStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    height: 100%;
    /* Without a height from the page the list would grow to all rows and defeat virtualization. */
    max-height: 100vh;
    min-height: 8em;
    background: transparent;
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
    align-items: center;
    padding: 4px 0;
  }
  .toolbar .filter {
    flex: 1 1 16em;
    min-width: 10em;
  }
  .filter-error {
    padding: 0 0 4px;
    font-size: 0.9em;
  }
  .chooser {
    display: flex;
    flex-wrap: wrap;
    gap: 2px 12px;
    max-height: 10em;
    overflow: auto;
    padding: 4px 6px;
    margin-bottom: 4px;
    border: 1px solid var(--rt-border);
    background: var(--rt-widget-bg);
  }
  .scroller {
    flex: 1 1 auto;
    min-height: 0;
    overflow: auto;
    position: relative;
    outline: none;
    border-top: 1px solid var(--rt-border);
  }
  .scroller:focus-visible .row.focused,
  .scroller:focus .row.focused {
    outline: 1px solid var(--rt-focus);
    outline-offset: -1px;
  }
  .row {
    display: grid;
    align-items: center;
    height: var(--rt-row-height, 24px);
    min-width: 100%;
    width: max-content;
    cursor: default;
  }
  .row > * {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    padding: 0 6px;
  }
  .row > .num {
    text-align: right;
    font-variant-numeric: tabular-nums;
  }
  .head {
    position: sticky;
    top: 0;
    z-index: 1;
    background: var(--rt-bg);
    border-bottom: 1px solid var(--rt-border);
    font-weight: 600;
  }
  .head button {
    all: unset;
    box-sizing: border-box;
    width: 100%;
    cursor: pointer;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .head .num button {
    text-align: right;
  }
  .head button:focus-visible {
    outline: 1px solid var(--rt-focus);
  }
  .head .arrow {
    color: var(--rt-muted);
    padding-left: 2px;
  }
  .body {
    position: relative;
  }
  .window {
    position: absolute;
    left: 0;
    right: 0;
    top: 0;
    will-change: transform;
  }
  .body .row:hover {
    background: var(--rt-hover);
  }
  .body .row.selected {
    background: var(--rt-selected);
  }
  .check {
    display: flex;
    align-items: center;
    justify-content: center;
    padding: 0;
    cursor: pointer;
  }
  .body .check vscode-checkbox {
    pointer-events: none;
  }
  .empty {
    padding: 1em 6px;
  }
`;

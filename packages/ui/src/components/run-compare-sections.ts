/** Templates of the compare view's code and data sections (two-run diffs only). */
import { css, html, nothing } from 'lit';
import type { CellDiff, SnapshotDiff } from '@runtrail/core/diff';
import { cellDiffLines, cellDiffSummary, dataDiffView, type DiffLine } from '../model/diff-sections';

/** Styles of the code diff and the data diff. */
export const compareSectionStyles = css`
  .diff {
    font-family: var(--rt-mono);
    font-size: var(--rt-mono-size);
    background: var(--rt-code-bg);
    overflow: auto;
    max-height: 30em;
  }
  .line {
    display: grid;
    grid-template-columns: 3.5em 3.5em 1.5em 1fr;
    white-space: pre;
  }
  .line .no {
    color: var(--rt-muted);
    text-align: right;
    padding-right: 6px;
    user-select: none;
  }
  .line .sign {
    user-select: none;
    text-align: center;
  }
  .line.add {
    background: var(--rt-added-bg);
  }
  .line.add .sign {
    color: var(--rt-green);
  }
  .line.del {
    background: var(--rt-removed-bg);
  }
  .line.del .sign {
    color: var(--rt-red);
  }
  .line.hunk,
  .line.meta {
    color: var(--rt-muted);
  }
  .cell-diff summary,
  .data-diff summary {
    cursor: pointer;
    padding: 2px 0;
  }
  .data-diff ul {
    margin: 2px 0;
    padding-left: 1.2em;
  }
`;

const STATUS_BADGE: Record<string, string> = { added: 'good', removed: 'bad', changed: 'warn', same: '' };

/** A change status as a badge: added green, removed red, changed yellow. */
export function statusBadge(status: string) {
  return html`<span class="badge ${STATUS_BADGE[status] ?? ''}">${status}</span>`;
}

const SIGN: Record<DiffLine['kind'], string> = { add: '+', del: '-', ctx: ' ', hunk: '', meta: '' };
const KIND_LABEL: Record<DiffLine['kind'], string> = { add: 'added', del: 'removed', ctx: '', hunk: '', meta: '' };

function lineTemplate(line: DiffLine) {
  const label = KIND_LABEL[line.kind];
  return html`<div class="line ${line.kind}">
    <span class="no">${line.oldNo ?? ''}</span><span class="no">${line.newNo ?? ''}</span><span class="sign" aria-hidden="true">${SIGN[line.kind]}</span
    ><span>${label ? html`<span class="sr-only">${label}: </span>` : nothing}${line.text}</span>
  </div>`;
}

/** One cell's diff: a summary line that toggles its hunks, open when the code changed. */
export function cellDiffTemplate(cell: CellDiff) {
  const lines = cellDiffLines(cell);
  return html`<details class="cell-diff" ?open=${cell.status !== 'same'}>
    <summary>${statusBadge(cell.status)} <span class="mono">${cell.cellId}</span> <span class="muted">${cellDiffSummary(cell)}</span></summary>
    ${lines.length
      ? html`<div class="diff" role="group" aria-label="Changes in cell ${cell.cellId}">${lines.map(lineTemplate)}</div>`
      : html`<p class="muted">Same code.</p>`}
  </details>`;
}

/** The code section: changed cells first in notebook order, then a count of the unchanged ones. */
export function codeSection(cells: readonly CellDiff[]) {
  const changed = cells.filter((c) => c.status !== 'same');
  const same = cells.length - changed.length;
  if (cells.length === 0) return html`<p class="muted">No cells executed in either run.</p>`;
  return html`${changed.map(cellDiffTemplate)}
    ${same ? html`<p class="muted">${same} cell${same === 1 ? '' : 's'} with the same code.</p>` : nothing}`;
}

const FINGERPRINT_TEXT = {
  equal: 'same content',
  changed: 'content changed',
  'only-a': 'only in the baseline',
  'only-b': 'only in the compared run',
} as const;

function snapshotTemplate(diff: SnapshotDiff) {
  const v = dataDiffView(diff);
  return html`<details class="data-diff" ?open=${v.status !== 'same'}>
    <summary>
      ${statusBadge(v.status)} <strong>${v.name}</strong>
      <span class=${v.fingerprint === 'changed' ? 'error-text' : 'muted'}>${FINGERPRINT_TEXT[v.fingerprint]}</span>
      ${v.sampled ? html`<span class="badge warn" title="A fingerprint was computed over a sample">sampled</span>` : nothing}
    </summary>
    <p class="muted">fingerprint <span class="mono">${v.fingerprints[0]}</span> → <span class="mono">${v.fingerprints[1]}</span> · rows ${v.rows}</p>
    ${v.schemaChanges.length
      ? html`<h3>Schema</h3>
          <ul class="mono">${v.schemaChanges.map((c) => html`<li>${c}</li>`)}</ul>`
      : nothing}
    ${v.stats.length
      ? html`<h3>Statistics</h3>
          <table class="data">
            <thead><tr><th scope="col">column</th><th scope="col">stat</th><th scope="col" class="num">baseline</th><th scope="col" class="num">compared</th><th scope="col" class="num">Δ</th></tr></thead>
            <tbody>
              ${v.stats.map(
                (s) => html`<tr><td>${s.column}</td><td>${s.stat}</td><td class="num">${s.a}</td><td class="num">${s.b}</td><td class="num">${s.delta}</td></tr>`,
              )}
            </tbody>
          </table>`
      : nothing}
  </details>`;
}

/** The data section: each data object by name, with content, rows, schema and statistics changes. */
export function dataSection(snapshots: readonly SnapshotDiff[]) {
  if (snapshots.length === 0) return html`<p class="muted">No data snapshots in either run.</p>`;
  return html`${snapshots.map(snapshotTemplate)}`;
}

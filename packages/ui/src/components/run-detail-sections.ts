/**
 * Templates of the run detail's record sections (cells, data, environment, artifacts): plain functions of
 * records, so the element file stays about state and events.
 */
import { html, nothing } from 'lit';
import type { Artifact, CellExecution, DataSnapshot, Environment } from '@runtrail/core/schema';
import { environmentView, executionTotals, orderedExecutions, shapeLabel } from '../model/detail';
import { MISSING, formatBytes, formatDuration, formatNumber, formatTimestamp, formatValue, shortHash } from '../model/format';

/** A collapsible section with a heading that is also its toggle (native <details>: keyboard-ready). */
export function section(id: string, title: string, meta: string, body: unknown, open = true) {
  return html`<details class="section" ?open=${open} aria-labelledby="${id}-h">
    <summary><h2 id="${id}-h">${title}${meta ? html` <span class="muted count">${meta}</span>` : nothing}</h2></summary>
    <div class="section-body">${body}</div>
  </details>`;
}

function cellTemplate(e: CellExecution) {
  const label = e.executionCount === null ? '[ ]' : `[${e.executionCount}]`;
  return html`<li class="cell ${e.status}">
    <div class="cell-head">
      <span class="mono">${label}</span>
      <span class="badge ${e.status === 'ok' ? 'good' : e.status === 'error' ? 'bad' : 'warn'}">${e.status}</span>
      <span class="muted">${formatDuration(e.durationMs)} · ${formatTimestamp(e.startedAt)} · cell ${e.cellId}</span>
    </div>
    <pre><code>${e.source}</code></pre>
    ${e.error
      ? html`<div class="cell-error error-text" role="note"><strong>${e.error.ename}</strong>: ${e.error.evalue}</div>`
      : nothing}
    ${e.outputs
      .filter((o) => o.text)
      .map((o) => html`<pre class="output">${o.text}${o.truncated ? html`<span class="muted">\n… truncated</span>` : nothing}</pre>`)}
  </li>`;
}

/** Executed cells in the order they ran, with code, status, duration, errors and text outputs. */
export function cellsSection(executions: readonly CellExecution[]) {
  const ordered = orderedExecutions(executions);
  const totals = executionTotals(ordered);
  const meta = `${totals.count} · ${totals.duration}${totals.errors ? ` · ${totals.errors} failed` : ''}`;
  const body = ordered.length ? html`<ol class="cells">${ordered.map(cellTemplate)}</ol>` : html`<p class="muted">No cell executions.</p>`;
  return section('cells', 'Executed cells', meta, body);
}

function columnsTable(s: DataSnapshot) {
  if (s.statsPending) return html`<p class="muted" role="status">Column statistics are being computed in the kernel…</p>`;
  if (s.columns.length === 0) return nothing;
  const num = (v: number | null | undefined) => (v === undefined ? MISSING : formatNumber(v));
  return html`<table class="data">
    <thead>
      <tr>
        <th scope="col">column</th><th scope="col">dtype</th><th scope="col" class="num">count</th><th scope="col" class="num">nulls</th>
        <th scope="col" class="num">min</th><th scope="col" class="num">max</th><th scope="col" class="num">mean</th>
        <th scope="col" class="num">std</th><th scope="col" class="num">distinct</th>
      </tr>
    </thead>
    <tbody>
      ${s.columns.map(
        (c) => html`<tr>
          <th scope="row">${c.column}</th><td class="mono">${c.dtype}</td><td class="num">${c.count}</td><td class="num">${c.nulls}</td>
          <td class="num">${formatValue(c.min)}</td><td class="num">${formatValue(c.max)}</td><td class="num">${num(c.mean)}</td>
          <td class="num">${num(c.std)}</td><td class="num">${num(c.distinct)}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

/** Data snapshots: fingerprint, shape, schema and per-column statistics. */
export function dataSection(snapshots: readonly DataSnapshot[]) {
  const body = snapshots.length
    ? snapshots.map(
        (s) => html`<div class="snapshot">
          <h3>${s.name} <span class="badge">${s.kind}</span> ${s.sampled ? html`<span class="badge warn" title="Fingerprint computed over a sample">sampled</span>` : nothing}</h3>
          <p class="muted">
            shape ${shapeLabel(s.shape)} · fingerprint <span class="mono" title=${s.fingerprint}>${shortHash(s.fingerprint, 16)}</span> · captured
            ${formatTimestamp(s.capturedAt)}
          </p>
          ${columnsTable(s)}
        </div>`,
      )
    : html`<p class="muted">No data snapshots.</p>`;
  return section('data', 'Data', String(snapshots.length), body);
}

/** Environment: python, OS, packages (count, list on demand), git commit and whether it was dirty. */
export function environmentSection(env: Environment | null) {
  const view = environmentView(env);
  if (!view) return section('env', 'Environment', '', html`<p class="muted">Not captured.</p>`);
  const git = view.git;
  return section(
    'env',
    'Environment',
    '',
    html`<table class="data kv">
      <tr><th scope="row">Python</th><td>${view.python}</td></tr>
      <tr><th scope="row">OS</th><td>${view.os}</td></tr>
      <tr>
        <th scope="row">Git</th>
        <td>
          ${git
            ? html`<span class="mono" title=${git.fullCommit}>${git.commit}</span>${git.branch ? ` on ${git.branch}` : ''}
                ${git.dirty ? html`<span class="badge warn" title="Uncommitted changes when the run started">dirty</span>` : html`<span class="badge good">clean</span>`}`
            : MISSING}
        </td>
      </tr>
      <tr>
        <th scope="row">Packages</th>
        <td>
          <details>
            <summary>${view.packages.length} packages</summary>
            <table class="data packages">
              ${view.packages.map(([name, version]) => html`<tr><td>${name}</td><td class="mono">${version}</td></tr>`)}
            </table>
          </details>
        </td>
      </tr>
    </table>`,
  );
}

/** Artifacts: path, size and content hash. */
export function artifactsSection(artifacts: readonly Artifact[]) {
  const body = artifacts.length
    ? html`<table class="data">
        <thead><tr><th scope="col">path</th><th scope="col" class="num">size</th><th scope="col">sha256</th></tr></thead>
        <tbody>
          ${artifacts.map(
            (a) => html`<tr><td class="mono">${a.path}</td><td class="num">${formatBytes(a.size)}</td><td class="mono" title=${a.sha256}>${shortHash(a.sha256, 12)}</td></tr>`,
          )}
        </tbody>
      </table>`
    : html`<p class="muted">No artifacts.</p>`;
  return section('artifacts', 'Artifacts', String(artifacts.length), body);
}

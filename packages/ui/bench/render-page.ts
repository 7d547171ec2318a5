/**
 * Page of the UI render benchmark (tests/bench/ui-render.bench.mjs). It prepares the data outside the timed
 * section, then `window.runtrailBench.run(name)` hands it to one view and resolves with the time until the frame
 * that shows it was painted, plus a check that the view really shows it (so a fast but empty render cannot pass).
 *
 * Cases, each on a fresh page:
 * - `table`: `<rt-run-table>` with 10k runs (virtualized: only the rows in view are in the DOM);
 * - `table-naive`: a plain `<table>` with one row per run and the same columns and cell texts;
 * - `compare`: `<rt-run-compare>` of two runs with 100k metric points each (one overlaid uPlot chart,
 *   downsampled with extremes kept), plus its params, metrics, code and data sections;
 * - `compare-naive`: the same element with downsampling turned off, so uPlot gets all 200k points.
 */
import { diffRuns, type RunDiff } from '@runtrail/core/diff';
import type { Run } from '@runtrail/core/schema';
import { defineRuntrailElements } from '../src/define';
import { cellText, defaultColumns, visibleColumnDefs } from '../src/model/columns';
import { sampleExecutions, sampleRuns, sampleSeries } from '../demo/sample-data';
import type { SeriesPoint } from '../src/model/downsample';

/** Runs in the table cases. */
export const TABLE_RUNS = 10_000;
/** Metric points per run in the compare cases. */
export const SERIES_POINTS = 100_000;

/** What one case reports: elapsed ms from hand-over to painted frame, where it went, and what the page showed. */
export interface CaseResult {
  ms: number;
  /** Ms from hand-over to the end of each named phase (the last one is the painted frame). */
  phases: Record<string, number>;
  check: { ok: boolean; detail: string };
}

/** Records the end of a phase of the current measurement. */
type Lap = (phase: string) => void;

/** Resolves after the next frame has been painted: rAF runs before paint, a posted task runs after it. */
function nextPaint(): Promise<void> {
  return new Promise((resolve) =>
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve();
      channel.port2.postMessage(null);
    }),
  );
}

function stage(): HTMLElement {
  const root = document.querySelector<HTMLElement>('#stage');
  if (!root) throw new Error('the page has no #stage element');
  return root;
}

async function timed(name: string, render: (lap: Lap) => Promise<void>): Promise<{ ms: number; phases: Record<string, number> }> {
  performance.mark(`${name}:start`);
  const t0 = performance.now();
  const phases: Record<string, number> = {};
  await render((phase) => (phases[phase] = performance.now() - t0));
  await nextPaint();
  const ms = performance.now() - t0;
  phases.painted = ms;
  performance.measure(name, `${name}:start`);
  return { ms, phases };
}

async function tableCase(runs: Run[]): Promise<CaseResult> {
  const table = document.createElement('rt-run-table');
  const { ms, phases } = await timed('table', async (lap) => {
    table.runs = runs;
    stage().append(table);
    await table.updateComplete;
    lap('rendered');
  });
  const rows = table.renderRoot.querySelectorAll('.row[data-run-id]').length;
  const count = table.renderRoot.querySelector('[role="grid"]')?.getAttribute('aria-rowcount');
  return { ms, phases, check: { ok: rows > 10 && count === String(runs.length + 1), detail: `${rows} rows in the DOM, aria-rowcount ${count}` } };
}

/** The baseline: every run as a row of a plain table, cells as the run table writes them. */
async function naiveTableCase(runs: Run[]): Promise<CaseResult> {
  const { ms, phases } = await timed('table-naive', async (lap) => {
    const defs = visibleColumnDefs(defaultColumns(runs));
    const now = Date.now();
    const table = document.createElement('table');
    const head = table.createTHead().insertRow();
    for (const d of defs) head.insertCell().textContent = d.label;
    const body = table.createTBody();
    for (const run of runs) {
      const row = body.insertRow();
      for (const d of defs) row.insertCell().textContent = d.kind === 'status' ? run.status : cellText(run, d, now);
    }
    const scroller = document.createElement('div');
    scroller.className = 'naive-scroller';
    scroller.append(table);
    stage().append(scroller);
    lap('rendered');
  });
  const rows = stage().querySelectorAll('tbody tr').length;
  return { ms, phases, check: { ok: rows === runs.length, detail: `${rows} rows in the DOM` } };
}

interface CompareInput {
  diff: RunDiff;
  series: Record<string, Record<string, SeriesPoint[]>>;
}

function compareInput(): CompareInput {
  const [a, b] = sampleRuns(3)
    .slice(1)
    .map((run): Run => ({ ...run, metrics: run.metrics.filter((m) => m.key === 'loss') }));
  const diff = diffRuns({ run: a!, executions: sampleExecutions(a!) }, { run: b!, executions: sampleExecutions(b!) });
  const series = Object.fromEntries([a!, b!].map((r) => [r.id, { loss: sampleSeries(r.id, 'loss', SERIES_POINTS) }]));
  return { diff, series };
}

async function compareCase(input: CompareInput, downsample: boolean): Promise<CaseResult> {
  const compare = document.createElement('rt-run-compare');
  const { ms, phases } = await timed(downsample ? 'compare' : 'compare-naive', async (lap) => {
    if (!downsample) compare.maxPoints = Infinity;
    compare.diff = input.diff;
    compare.series = input.series;
    stage().append(compare);
    await compare.updateComplete;
    lap('rendered');
    await Promise.all([...compare.renderRoot.querySelectorAll('rt-metric-chart')].map((c) => c.updateComplete));
    lap('charted');
  });
  const chart = compare.renderRoot.querySelector('rt-metric-chart');
  const canvas = chart?.renderRoot.querySelector('canvas');
  const drawn = chart?.drawnPoints ?? 0;
  const ok = !!canvas && canvas.width > 0 && drawn > 0 && (downsample ? drawn < 2 * SERIES_POINTS : drawn === 2 * SERIES_POINTS);
  return { ms, phases, check: { ok, detail: `canvas ${canvas?.width ?? 0}x${canvas?.height ?? 0}, ${drawn} points drawn` } };
}

/** The benchmark's entry points, on `window.runtrailBench`. */
export interface RenderBench {
  run(name: string): Promise<CaseResult>;
}

function install(): RenderBench {
  defineRuntrailElements();
  const runs = sampleRuns(TABLE_RUNS);
  const compare = compareInput();
  return {
    run(name) {
      switch (name) {
        case 'table':
          return tableCase(runs);
        case 'table-naive':
          return naiveTableCase(runs);
        case 'compare':
          return compareCase(compare, true);
        case 'compare-naive':
          return compareCase(compare, false);
      }
      return Promise.reject(new Error(`unknown case ${name}`));
    },
  };
}

declare global {
  interface Window {
    runtrailBench: RenderBench;
  }
}

window.runtrailBench = install();

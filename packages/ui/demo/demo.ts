/**
 * Manual check of the three views with sample data (not part of the tests). Build and open:
 *   npx esbuild packages/ui/demo/demo.ts --bundle --format=esm --outfile=packages/ui/demo/dist/demo.js
 *   then open packages/ui/demo/index.html (any static server, or the file directly).
 * The table lists 10k runs; Enter or double-click opens one, "Compare" compares the selection.
 */
import { diffMany, diffRuns } from '@runtrail/core/diff';
import type { Run } from '@runtrail/core/schema';
import { announceThemeChange, defineRuntrailElements, installJupyterLabThemeBridge, withRunSeries, withSeries } from '../src/index';
import { sampleExecutions, sampleRuns, sampleSeries } from './sample-data';

defineRuntrailElements();

const t0 = performance.now();
const runs = sampleRuns(Number(new URLSearchParams(location.search).get('runs') ?? 10_000));
const byId = new Map(runs.map((r) => [r.id, r]));

const table = document.querySelector('rt-run-table')!;
const detail = document.querySelector('rt-run-detail')!;
const compare = document.querySelector('rt-run-compare')!;
const log = document.querySelector<HTMLOutputElement>('#log')!;

function note(text: string): void {
  log.textContent = `${new Date().toLocaleTimeString()} ${text}\n${log.textContent ?? ''}`.slice(0, 4000);
}

function showRun(run: Run): void {
  detail.run = run;
  detail.executions = sampleExecutions(run);
  detail.series = { loss: sampleSeries(run.id, 'loss') };
}

table.runs = runs;
void table.updateComplete.then(() => note(`table: ${runs.length} runs, first screen in ${Math.round(performance.now() - t0)} ms`));
showRun(runs[runs.length - 1]!);

table.addEventListener('rt-open-run', (e) => {
  note(`rt-open-run ${e.detail.runId}`);
  const run = byId.get(e.detail.runId);
  if (run) showRun(run);
});
table.addEventListener('rt-selection-change', (e) => note(`rt-selection-change [${e.detail.runIds.join(', ')}]`));
table.addEventListener('rt-refresh', () => note('rt-refresh'));
table.addEventListener('rt-columns-change', (e) => note(`rt-columns-change [${e.detail.columns.join(', ')}]`));
table.addEventListener('rt-compare', (e) => {
  note(`rt-compare [${e.detail.runIds.join(', ')}]`);
  const picked = e.detail.runIds.map((id) => byId.get(id)!);
  const series = Object.fromEntries(picked.map((r) => [r.id, { acc: sampleSeries(r.id, 'acc') }]));
  if (picked.length === 2) {
    const [a, b] = picked as [Run, Run];
    compare.table = null;
    compare.diff = diffRuns({ run: a, executions: sampleExecutions(a) }, { run: b, executions: sampleExecutions(b) });
  } else {
    compare.diff = null;
    compare.runNames = Object.fromEntries(picked.map((r) => [r.id, r.name || r.id]));
    compare.table = diffMany(picked);
  }
  compare.series = series;
  compare.scrollIntoView({ behavior: 'smooth' });
});

// Series requested by detail or compare arrive "from the host" a moment later.
document.addEventListener('rt-request-series', (e) => {
  const { runId, key } = e.detail;
  note(`rt-request-series ${runId} ${key}`);
  setTimeout(() => {
    const points = sampleSeries(runId, key);
    if (detail.run?.id === runId) detail.series = withSeries(detail.series, key, points);
    compare.series = withRunSeries(compare.series, runId, key, points);
  }, 150);
});
document.addEventListener('rt-copy-run-id', (e) => {
  void navigator.clipboard?.writeText(e.detail.runId).catch(() => undefined);
  note(`rt-copy-run-id ${e.detail.runId}`);
});

// Theme switcher: the page's own fallbacks, a VS Code dark theme, or JupyterLab variables through the bridge.
const THEMES: Record<string, Record<string, string>> = {
  'vscode-dark': {
    '--vscode-foreground': '#cccccc',
    '--vscode-editor-background': '#1f1f1f',
    '--vscode-panel-border': '#2b2b2b',
    '--vscode-list-hoverBackground': '#2a2d2e',
    '--vscode-list-inactiveSelectionBackground': '#37373d',
    '--vscode-focusBorder': '#0078d4',
    '--vscode-descriptionForeground': '#9d9d9d',
    '--vscode-textCodeBlock-background': '#2b2b2b',
  },
  'jupyterlab-dark': {
    '--jp-ui-font-color1': 'rgba(255,255,255,.87)',
    '--jp-ui-font-color2': 'rgba(255,255,255,.54)',
    '--jp-ui-font-color3': 'rgba(255,255,255,.38)',
    '--jp-layout-color1': '#212121',
    '--jp-layout-color2': '#424242',
    '--jp-layout-color3': '#616161',
    '--jp-border-color1': '#616161',
    '--jp-border-color2': '#424242',
    '--jp-brand-color1': '#2196f3',
    '--jp-error-color1': '#f44336',
    '--jp-success-color1': '#4caf50',
    '--jp-warn-color1': '#ff9800',
    '--jp-warn-color2': '#ffb74d',
    '--jp-input-background': '#424242',
    '--jp-cell-editor-background': '#212121',
    '--jp-ui-inverse-font-color0': '#000',
  },
};
let removeBridge: (() => void) | null = null;
document.querySelector<HTMLSelectElement>('#theme')!.addEventListener('change', (e) => {
  const theme = (e.target as HTMLSelectElement).value;
  document.body.removeAttribute('style');
  removeBridge?.();
  removeBridge = theme.startsWith('jupyterlab') ? installJupyterLabThemeBridge() : null;
  for (const [name, value] of Object.entries(THEMES[theme] ?? {})) document.body.style.setProperty(name, value);
  document.body.style.background = theme === 'system' ? '' : theme.endsWith('dark') ? '#1f1f1f' : '#fff';
  announceThemeChange();
});

/**
 * What a shareable page shows, read through the REST API with the user's token: the run (or runs), their
 * cell executions, and the series of the metrics charted at once. The result is one of the page's states;
 * the run data travels as the same HostToView message the VS Code and JupyterLab hosts send.
 */
import { RuntrailApiError, type RuntrailClient } from '@runtrail/core/client';
import { diffMany, diffRuns } from '@runtrail/core/diff';
import type { CellExecution, Run } from '@runtrail/core/schema';
import type { HostToView } from '../messages';
import type { SeriesPoint } from '../model/downsample';

/** What a page is about: one run, or 2..N runs to compare. */
export interface PageSubject {
  view: 'run' | 'compare';
  runIds: string[];
}

/** Everything a page can be showing. */
export type PageState =
  | { kind: 'sign-in'; problem?: string }
  | { kind: 'loading' }
  | { kind: 'not-found'; runIds: string[] }
  | { kind: 'error'; message: string }
  | { kind: 'show'; title: string; message: HostToView; chartErrors: string[] };

/** Metrics charted as soon as the page opens (others on the view's "Chart" button). */
export const PAGE_AUTO_CHARTS = 4;

/** The message shown when the server answers 401. */
export const REFUSED_TOKEN = 'The server refused the token. Check it and sign in again.';

/** The metric keys charted at once: those with at least two points, by key, capped. */
export function chartKeys(run: Run, max = PAGE_AUTO_CHARTS): string[] {
  return run.metrics
    .filter((m) => m.count >= 2)
    .map((m) => m.key)
    .sort()
    .slice(0, max);
}

/** A run's label: its name, else its id. */
export function runLabel(run: Run): string {
  return run.name || run.id;
}

/** One metric's points, without the null values (NaN/inf logged by MLflow clients) a chart cannot draw. */
export async function loadSeries(client: RuntrailClient, runId: string, key: string): Promise<SeriesPoint[]> {
  const history = await client.call('metricHistory', { params: { runId }, query: { key } });
  return history.points.filter((p): p is { step: number; value: number; timestamp: number } => p.value !== null);
}

/** The state of an API failure that ends loading: refused token, or a message naming what failed. */
export function stateOfError(error: unknown): PageState {
  if (error instanceof RuntrailApiError && error.status === 401) return { kind: 'sign-in', problem: REFUSED_TOKEN };
  if (error instanceof RuntrailApiError && error.status === 0) return { kind: 'error', message: `Cannot reach the runtrail server: ${error.message}` };
  return { kind: 'error', message: `The server could not load this page: ${(error as Error).message}` };
}

interface Side {
  run: Run;
  executions: CellExecution[];
}

async function loadSide(client: RuntrailClient, runId: string): Promise<Side | null> {
  try {
    const [run, cells] = await Promise.all([
      client.call('getRun', { params: { runId } }),
      client.call('listCells', { params: { runId } }),
    ]);
    return { run, executions: cells.executions };
  } catch (error) {
    if (error instanceof RuntrailApiError && error.status === 404) return null;
    throw error;
  }
}

/** Loads a subject: the state to show (never throws). */
export async function loadPage(client: RuntrailClient, subject: PageSubject): Promise<PageState> {
  let sides: (Side | null)[];
  try {
    sides = await Promise.all(subject.runIds.map((id) => loadSide(client, id)));
  } catch (error) {
    return stateOfError(error);
  }
  const missing = subject.runIds.filter((_, i) => !sides[i]);
  if (missing.length) return { kind: 'not-found', runIds: missing };
  const known = sides as Side[];

  const chartErrors: string[] = [];
  const series: Record<string, Record<string, SeriesPoint[]>> = {};
  await Promise.all(
    known.flatMap(({ run }) =>
      chartKeys(run).map(async (key) => {
        try {
          (series[run.id] ??= {})[key] = await loadSeries(client, run.id, key);
        } catch (error) {
          chartErrors.push(`Cannot load the ${key} chart of ${runLabel(run)}: ${(error as Error).message}`);
        }
      }),
    ),
  );

  if (subject.view === 'run') {
    const { run, executions } = known[0]!;
    return { kind: 'show', title: `Run ${runLabel(run)}`, chartErrors, message: { type: 'show-run', run, executions, series: series[run.id] ?? {} } };
  }
  const runNames = Object.fromEntries(known.map((s) => [s.run.id, runLabel(s.run)]));
  const compareSeries = Object.fromEntries(known.map((s) => [s.run.id, series[s.run.id] ?? {}]));
  const title = `Compare ${known.map((s) => runLabel(s.run)).join(' ↔ ')}`;
  const message: HostToView =
    known.length === 2
      ? { type: 'show-compare', diff: diffRuns(known[0]!, known[1]!), runNames, series: compareSeries }
      : { type: 'show-compare', table: diffMany(known.map((s) => s.run)), runNames, series: compareSeries };
  return { kind: 'show', title, chartErrors, message };
}

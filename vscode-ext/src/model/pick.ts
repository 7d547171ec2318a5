/**
 * Quick-pick items for choosing runs (Open Run, Compare Selected from the palette), and how commands find
 * the runs they act on from their arguments (a tree node, a run id, or VS Code's multi-selection array).
 */
import type { ExperimentEntry } from './tree';
import { runDescription, runLabel } from './tree';
import { shortRunId } from './format';

/** A quick-pick item that stands for a run. */
export interface RunPickItem {
  label: string;
  description: string;
  detail: string;
  runId: string;
}

/** Every run as a pick item, newest first; the experiment name and id are searchable in the detail. */
export function runPickItems(entries: readonly ExperimentEntry[], now: number): RunPickItem[] {
  return entries
    .flatMap((e) => e.runs.map((run) => ({ run, experiment: e.experiment })))
    .sort((a, b) => b.run.startTime - a.run.startTime)
    .map(({ run, experiment }) => ({
      label: `$(${statusCodicon(run.status)}) ${runLabel(run)}`,
      description: runDescription(run, now),
      detail: `${experiment.name} · ${shortRunId(run.id)} · ${run.id}`,
      runId: run.id,
    }));
}

function statusCodicon(status: string): string {
  return status === 'running' ? 'sync' : status === 'finished' ? 'pass' : status === 'failed' ? 'error' : 'circle-slash';
}

function runIdOf(value: unknown): string | null {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'run') {
    const runId = (value as { runId?: unknown }).runId;
    return typeof runId === 'string' ? runId : null;
  }
  return null;
}

/**
 * The run ids a command was invoked on, in order and without duplicates. From a tree's context menu VS Code
 * passes (clicked node, all selected nodes); from an inline action or a test, a node or an id.
 */
export function runIdsFromArgs(args: readonly unknown[]): string[] {
  const [first, second] = args;
  const candidates = Array.isArray(second) && second.length ? second : Array.isArray(first) ? first : [first];
  return [...new Set(candidates.map(runIdOf).filter((id): id is string => id !== null))];
}

/**
 * The pick items whose run name or id contains every whitespace-separated term of `query` (case-insensitive);
 * the search of "runtrail: Search Runs" when it is given a query instead of typed into the quick pick.
 */
export function searchRunItems(items: readonly RunPickItem[], query: string): RunPickItem[] {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  return items.filter((item) => {
    const haystack = `${item.label}\n${item.runId}`.toLowerCase();
    return terms.every((t) => haystack.includes(t));
  });
}

/**
 * The Runs view as data: experiment → run nodes with labels, descriptions, tooltips and icons. The platform
 * layer turns each node into a TreeItem one to one, so everything a user reads in the tree is decided (and
 * tested) here, without VS Code.
 */
import type { Experiment, Run, RunStatus } from '@runtrail/core/schema';
import { formatDuration, formatMetric, formatParam, formatTimestamp, shortRunId } from './format';

/** A codicon and, optionally, the theme colour id it is drawn in. */
export interface IconSpec {
  id: string;
  color?: string;
}

/** What both kinds of node share. */
interface NodeBase {
  /** Stable across refreshes, so VS Code keeps expansion and selection. */
  id: string;
  label: string;
  description: string;
  tooltip: string;
  icon: IconSpec;
  /** The `viewItem` value menus match on. */
  contextValue: 'experiment' | 'run';
}

/** A run row. */
export interface RunNode extends NodeBase {
  kind: 'run';
  runId: string;
  experimentId: string;
}

/** An experiment row with its runs (newest first). */
export interface ExperimentNode extends NodeBase {
  kind: 'experiment';
  experimentId: string;
  expanded: boolean;
  children: RunNode[];
}

/** Any node of the Runs view. */
export type TreeNode = ExperimentNode | RunNode;

/** One experiment and the runs known for it. */
export interface ExperimentEntry {
  experiment: Experiment;
  runs: Run[];
}

/** Up to this many experiments all start expanded; beyond it only the most recent one does. */
const EXPAND_ALL_UP_TO = 5;
/** Metrics shown in a run's description (the tooltip has them all). */
const DESCRIPTION_METRICS = 2;
/** Params and metrics listed in a tooltip before "and N more". */
const TOOLTIP_ITEMS = 12;

const STATUS_ICONS: Record<RunStatus, IconSpec> = {
  running: { id: 'sync~spin', color: 'charts.blue' },
  finished: { id: 'pass', color: 'testing.iconPassed' },
  failed: { id: 'error', color: 'testing.iconFailed' },
  killed: { id: 'circle-slash', color: 'testing.iconSkipped' },
};

/** The icon of a run in a given status: spinning while running, green pass, red error, grey slash. */
export function runStatusIcon(status: RunStatus): IconSpec {
  return STATUS_ICONS[status];
}

/** The label of a run: its name, else its short id. */
export function runLabel(run: Run): string {
  return run.name.trim() || `run ${shortRunId(run.id)}`;
}

/** The most recent activity of an experiment, for ordering: its newest run, else its creation. */
function lastActivity(entry: ExperimentEntry): number {
  return entry.runs.reduce((max, r) => Math.max(max, r.startTime), entry.experiment.createdAt);
}

function listWithMore<T>(items: T[], show: (item: T) => string): string[] {
  const lines = items.slice(0, TOOLTIP_ITEMS).map(show);
  if (items.length > TOOLTIP_ITEMS) lines.push(`  … and ${items.length - TOOLTIP_ITEMS} more`);
  return lines;
}

/** A run's description: its first metrics by key, then how long it ran (or "running"). */
export function runDescription(run: Run, now: number): string {
  const metrics = [...run.metrics]
    .sort((a, b) => a.key.localeCompare(b.key))
    .slice(0, DESCRIPTION_METRICS)
    .map((m) => `${m.key}=${formatMetric(m.last)}`);
  const time = run.status === 'running' ? `running ${formatDuration(now - run.startTime)}` : formatDuration((run.endTime ?? now) - run.startTime);
  return [...metrics, time].join(' · ');
}

/** A run's tooltip: status, timing, id, then every param and metric (capped). */
export function runTooltip(run: Run, now: number): string {
  const params = [...run.params].sort((a, b) => a.key.localeCompare(b.key));
  const metrics = [...run.metrics].sort((a, b) => a.key.localeCompare(b.key));
  const lines = [
    runLabel(run),
    `${run.status} · started ${formatTimestamp(run.startTime)} · ${formatDuration((run.endTime ?? now) - run.startTime)}`,
    `id ${run.id}`,
  ];
  if (params.length) lines.push('', 'params', ...listWithMore(params, (p) => `  ${p.key} = ${formatParam(p.value)}`));
  if (metrics.length) lines.push('', 'metrics', ...listWithMore(metrics, (m) => `  ${m.key} = ${formatMetric(m.last)} (step ${m.step})`));
  return lines.join('\n');
}

/** The node of one run. */
export function runNode(run: Run, now: number): RunNode {
  return {
    kind: 'run',
    id: `run:${run.id}`,
    runId: run.id,
    experimentId: run.experimentId,
    label: runLabel(run),
    description: runDescription(run, now),
    tooltip: runTooltip(run, now),
    icon: runStatusIcon(run.status),
    contextValue: 'run',
  };
}

function countLabel(runs: Run[]): string {
  const running = runs.filter((r) => r.status === 'running').length;
  const total = `${runs.length} run${runs.length === 1 ? '' : 's'}`;
  return running ? `${total}, ${running} running` : total;
}

/**
 * The Runs view: experiments ordered by latest activity (newest first), each with its runs newest first.
 * Deleted experiments are left out.
 */
export function buildRunsTree(entries: readonly ExperimentEntry[], now: number): ExperimentNode[] {
  const live = entries.filter((e) => e.experiment.lifecycle !== 'deleted');
  const ordered = [...live].sort((a, b) => lastActivity(b) - lastActivity(a) || a.experiment.name.localeCompare(b.experiment.name));
  return ordered.map((entry, index) => {
    const { experiment } = entry;
    const runs = [...entry.runs].sort((a, b) => b.startTime - a.startTime || a.id.localeCompare(b.id));
    const where = experiment.notebookPath ? `notebook ${experiment.notebookPath}` : `${experiment.kind} experiment`;
    return {
      kind: 'experiment',
      id: `experiment:${experiment.id}`,
      experimentId: experiment.id,
      label: experiment.name,
      description: countLabel(runs),
      tooltip: [experiment.name, where, `created ${formatTimestamp(experiment.createdAt)}`, `id ${experiment.id}`].join('\n'),
      icon: { id: experiment.kind === 'notebook' ? 'notebook' : 'beaker' },
      contextValue: 'experiment',
      expanded: ordered.length <= EXPAND_ALL_UP_TO || index === 0,
      children: runs.map((run) => runNode(run, now)),
    };
  });
}

/**
 * The Runs view's levels above experiments: workspace → project → experiment → run. The backend has no
 * workspaces or projects yet (every experiment is in project `default`), so a project is derived from where
 * the experiment's notebook lives (its folder), and the workspace level appears only when the server names
 * one. A level with a single node is left out, so a one-folder user sees experiments at the top as before.
 * Reasons: docs/decisions/0007-runs-view-hierarchy.md.
 */
import type { Experiment } from '@runtrail/core/schema';
import { buildRunsTree, type ExperimentEntry, type ExperimentNode, type IconSpec, type RunNode } from './tree';

/** The project id the backend gives every experiment while it has no projects of its own. */
export const DEFAULT_PROJECT_ID = 'default';

/** A workspace the server reports; only then the view shows a workspace level. */
export interface WorkspaceInfo {
  id: string;
  name: string;
}

/** Where an experiment belongs in the view: a stable key, what the project row says, and why. */
export interface ProjectOf {
  key: string;
  label: string;
  description: string;
  tooltip: string;
}

/** A project row: experiments of one folder (or one server project, or the named experiments). */
export interface ProjectNode {
  kind: 'project';
  id: string;
  label: string;
  description: string;
  tooltip: string;
  icon: IconSpec;
  contextValue: 'project';
  expanded: boolean;
  children: ExperimentNode[];
}

/** The workspace row, above the projects (or the experiments, when there is one project). */
export interface WorkspaceNode {
  kind: 'workspace';
  id: string;
  label: string;
  description: string;
  tooltip: string;
  icon: IconSpec;
  contextValue: 'workspace';
  expanded: boolean;
  children: (ProjectNode | ExperimentNode)[];
}

/** Any row of the Runs view. */
export type RunsViewNode = WorkspaceNode | ProjectNode | ExperimentNode | RunNode;

/** Up to this many projects all start expanded; beyond it only the most recently active one does. */
const EXPAND_PROJECTS_UP_TO = 5;

/** The folder part of a notebook path (either slash), without a trailing slash; '' for a top-level file. */
export function folderOf(path: string): string {
  const normalized = path.replace(/\\/g, '/');
  const cut = normalized.lastIndexOf('/');
  return cut <= 0 ? (cut === 0 ? '/' : '') : normalized.slice(0, cut);
}

/**
 * The project of an experiment: the server's project when it has a real one; else the folder of its notebook;
 * else the group of named experiments (created through the MLflow API or the CLI, with no notebook).
 */
export function projectOf(experiment: Experiment): ProjectOf {
  if (experiment.projectId !== DEFAULT_PROJECT_ID) {
    return { key: `project:${experiment.projectId}`, label: experiment.projectId, description: '', tooltip: `project ${experiment.projectId}` };
  }
  if (experiment.notebookPath !== null) {
    const folder = folderOf(experiment.notebookPath);
    if (folder === '') return { key: 'folder:', label: '(top folder)', description: '', tooltip: 'notebooks at the top of the folder they were run from' };
    const segments = folder.split('/').filter(Boolean);
    const label = segments[segments.length - 1] ?? folder;
    return { key: `folder:${folder}`, label, description: folder === label ? '' : folder, tooltip: `notebooks in ${folder}` };
  }
  return { key: 'named', label: 'Named experiments', description: '', tooltip: 'experiments created by name (MLflow API, CLI), not from a notebook' };
}

function lastActivity(entries: readonly ExperimentEntry[]): number {
  let last = 0;
  for (const e of entries) {
    last = Math.max(last, e.experiment.createdAt);
    for (const r of e.runs) last = Math.max(last, r.startTime);
  }
  return last;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Experiments grouped by project, most recently active project first. */
export function groupByProject(entries: readonly ExperimentEntry[]): { project: ProjectOf; entries: ExperimentEntry[] }[] {
  const groups = new Map<string, { project: ProjectOf; entries: ExperimentEntry[] }>();
  for (const entry of entries) {
    if (entry.experiment.lifecycle === 'deleted') continue;
    const project = projectOf(entry.experiment);
    const group = groups.get(project.key) ?? { project, entries: [] };
    group.entries.push(entry);
    groups.set(project.key, group);
  }
  return [...groups.values()].sort((a, b) => lastActivity(b.entries) - lastActivity(a.entries) || a.project.label.localeCompare(b.project.label));
}

/**
 * The rows of the Runs view. Projects appear when the experiments span two or more; the workspace row when
 * `workspace` is given (the server reported one). Experiment and run rows are those of `buildRunsTree`.
 */
export function buildRunsView(entries: readonly ExperimentEntry[], now: number, workspace: WorkspaceInfo | null = null): (WorkspaceNode | ProjectNode | ExperimentNode)[] {
  const groups = groupByProject(entries);
  let level: (ProjectNode | ExperimentNode)[];
  if (groups.length <= 1) {
    level = buildRunsTree(groups[0]?.entries ?? [], now);
  } else {
    level = groups.map(({ project, entries: inProject }, index): ProjectNode => {
      const runs = inProject.reduce((n, e) => n + e.runs.length, 0);
      return {
        kind: 'project',
        id: project.key,
        label: project.label,
        description: [project.description, `${plural(inProject.length, 'experiment')}, ${plural(runs, 'run')}`].filter(Boolean).join(' · '),
        tooltip: project.tooltip,
        icon: { id: project.key === 'named' ? 'beaker' : project.key.startsWith('folder:') ? 'folder' : 'project' },
        contextValue: 'project',
        expanded: groups.length <= EXPAND_PROJECTS_UP_TO || index === 0,
        children: buildRunsTree(inProject, now),
      };
    });
  }
  if (!workspace) return level;
  const experiments = groups.reduce((n, g) => n + g.entries.length, 0);
  return [
    {
      kind: 'workspace',
      id: `workspace:${workspace.id}`,
      label: workspace.name,
      description: plural(experiments, 'experiment'),
      tooltip: `workspace ${workspace.name} (${workspace.id})`,
      icon: { id: 'organization' },
      contextValue: 'workspace',
      expanded: true,
      children: level,
    },
  ];
}

/** Every node's parent by node id (for VS Code's `getParent`, which `reveal` needs). */
export function parentsOf(roots: readonly RunsViewNode[]): Map<string, RunsViewNode> {
  const parents = new Map<string, RunsViewNode>();
  const visit = (node: RunsViewNode) => {
    if (node.kind === 'run') return;
    for (const child of node.children) {
      parents.set(child.id, node);
      visit(child);
    }
  };
  roots.forEach(visit);
  return parents;
}

/** The children of a row (runs have none). */
export function childrenOf(node: RunsViewNode): RunsViewNode[] {
  return node.kind === 'run' ? [] : node.children;
}

/**
 * The Runs tree view: renders the rows of src/model/hierarchy.ts as TreeItems, rebuilt whenever the history or
 * the filter changes; the filter shows in the view's title bar.
 */
import * as vscode from 'vscode';
import type { RunHistory } from '../history/history';
import { runsViewMessage } from '../model/connection';
import { filterDescription, filterEntries, type RunsFilter } from '../model/filter';
import { buildRunsView, childrenOf, parentsOf, type RunsViewNode, type WorkspaceInfo } from '../model/hierarchy';

/** The id of the Runs view in package.json. */
export const RUNS_VIEW_ID = 'runtrail.runs';

/** Tree data of the Runs view: workspace → project → experiment → run rows of src/model, filtered. */
export class RunsTreeProvider implements vscode.TreeDataProvider<RunsViewNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private rootNodes: RunsViewNode[] = [];
  private parents = new Map<string, RunsViewNode>();
  private filterValue: RunsFilter | null = null;
  private readonly stop: () => void;
  /** Called after every rebuild (the view updates its title and message). */
  onDidRebuild: () => void = () => undefined;

  constructor(
    private readonly history: RunHistory,
    /** The workspace the server reports, if any (none does yet: see docs/decisions/0007). */
    private readonly workspace: WorkspaceInfo | null = null,
  ) {
    this.stop = history.onDidChange(() => this.rebuild());
    this.rebuild();
  }

  /** The active filter, or null. */
  get filter(): RunsFilter | null {
    return this.filterValue;
  }

  /** The top rows, as built by the last rebuild (for the view and in-host tests). */
  get roots(): readonly RunsViewNode[] {
    return this.rootNodes;
  }

  /** What the view's title bar says about the filter ('' when none). */
  get description(): string {
    return filterDescription(this.history.entries(), this.filterValue);
  }

  /** Sets (or with null clears) the filter and redraws. */
  setFilter(filter: RunsFilter | null): void {
    this.filterValue = filter;
    void vscode.commands.executeCommand('setContext', 'runtrail.filtered', filter !== null);
    this.rebuild();
  }

  /** Recomputes the nodes from the history and tells VS Code to redraw. */
  rebuild(): void {
    const entries = filterEntries(this.history.entries(), this.filterValue);
    this.rootNodes = buildRunsView(entries, Date.now(), this.workspace);
    this.parents = parentsOf(this.rootNodes);
    this.changed.fire();
    this.onDidRebuild();
  }

  /** The row of a run currently in the tree (null when unknown or filtered out). */
  runNode(runId: string): RunsViewNode | null {
    const id = `run:${runId}`;
    const parent = this.parents.get(id);
    return parent ? (childrenOf(parent).find((n) => n.id === id) ?? null) : null;
  }

  getTreeItem(node: RunsViewNode): vscode.TreeItem {
    const collapsed =
      node.kind === 'run'
        ? vscode.TreeItemCollapsibleState.None
        : node.expanded
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(node.label, collapsed);
    item.id = node.id;
    item.description = node.description;
    item.tooltip = node.tooltip;
    item.contextValue = node.contextValue;
    item.iconPath = new vscode.ThemeIcon(node.icon.id, node.icon.color ? new vscode.ThemeColor(node.icon.color) : undefined);
    if (node.kind === 'run') item.command = { command: 'runtrail.openRun', title: 'Open Run', arguments: [node.runId] };
    return item;
  }

  getChildren(node?: RunsViewNode): RunsViewNode[] {
    return node ? childrenOf(node) : this.rootNodes;
  }

  getParent(node: RunsViewNode): RunsViewNode | undefined {
    return this.parents.get(node.id);
  }

  dispose(): void {
    this.stop();
    this.changed.dispose();
  }
}

/** The Runs view, its data provider, and what to dispose. */
export interface RunsView {
  view: vscode.TreeView<RunsViewNode>;
  provider: RunsTreeProvider;
  disposables: vscode.Disposable[];
}

/** Creates the Runs view (multi-select, for Compare Selected) with its connection message and filter kept current. */
export function createRunsView(history: RunHistory): RunsView {
  const provider = new RunsTreeProvider(history);
  const view = vscode.window.createTreeView(RUNS_VIEW_ID, { treeDataProvider: provider, canSelectMany: true, showCollapseAll: true });
  const show = () => {
    view.message = runsViewMessage(history.state);
    view.description = provider.description || undefined;
  };
  show();
  provider.onDidRebuild = show;
  const stop = history.onDidChangeState(show);
  return { view, provider, disposables: [view, provider, { dispose: stop }] };
}

/** The Runs tree view: renders src/model/tree.ts nodes as TreeItems, rebuilt whenever the history changes. */
import * as vscode from 'vscode';
import type { RunHistory } from '../history/history';
import { runsViewMessage } from '../model/connection';
import { buildRunsTree, type ExperimentNode, type TreeNode } from '../model/tree';

/** The id of the Runs view in package.json. */
export const RUNS_VIEW_ID = 'runtrail.runs';
/** The id of the Models view in package.json. */
export const MODELS_VIEW_ID = 'runtrail.models';

/** Tree data of the Runs view. */
export class RunsTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: ExperimentNode[] = [];
  private readonly parents = new Map<string, ExperimentNode>();
  private readonly stop: () => void;

  constructor(private readonly history: RunHistory) {
    this.stop = history.onDidChange(() => this.rebuild());
    this.rebuild();
  }

  /** Recomputes the nodes from the history and tells VS Code to redraw. */
  rebuild(): void {
    this.roots = buildRunsTree(this.history.entries(), Date.now());
    this.parents.clear();
    for (const experiment of this.roots) for (const run of experiment.children) this.parents.set(run.id, experiment);
    this.changed.fire();
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const collapsed =
      node.kind === 'experiment'
        ? node.expanded
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed
        : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(node.label, collapsed);
    item.id = node.id;
    item.description = node.description;
    item.tooltip = node.tooltip;
    item.contextValue = node.contextValue;
    item.iconPath = new vscode.ThemeIcon(node.icon.id, node.icon.color ? new vscode.ThemeColor(node.icon.color) : undefined);
    if (node.kind === 'run') item.command = { command: 'runtrail.openRun', title: 'Open Run', arguments: [node.runId] };
    return item;
  }

  getChildren(node?: TreeNode): TreeNode[] {
    if (!node) return this.roots;
    return node.kind === 'experiment' ? node.children : [];
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.kind === 'run' ? this.parents.get(node.id) : undefined;
  }

  dispose(): void {
    this.stop();
    this.changed.dispose();
  }
}

/**
 * The Models view: empty until the server has a model registry, so VS Code shows its welcome text (which
 * says so). A provider is still registered, or VS Code reports "no data provider" instead.
 */
export function createModelsView(): vscode.Disposable {
  return vscode.window.registerTreeDataProvider<never>(MODELS_VIEW_ID, { getTreeItem: (node) => node, getChildren: () => [] });
}

/** Creates the Runs view (multi-select, for Compare Selected) with its connection message kept current. */
export function createRunsView(history: RunHistory): { view: vscode.TreeView<TreeNode>; disposables: vscode.Disposable[] } {
  const provider = new RunsTreeProvider(history);
  const view = vscode.window.createTreeView(RUNS_VIEW_ID, { treeDataProvider: provider, canSelectMany: true, showCollapseAll: true });
  const showState = () => (view.message = runsViewMessage(history.state));
  showState();
  const stop = history.onDidChangeState(showState);
  return { view, disposables: [view, provider, { dispose: stop }] };
}

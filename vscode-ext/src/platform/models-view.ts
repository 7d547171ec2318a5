/**
 * The Models view: renders the rows of src/model/models.ts (registered model → versions with aliases) as
 * TreeItems, rebuilt whenever the registry's list or state changes or the Runs history learns run names.
 */
import * as vscode from 'vscode';
import type { RunHistory } from '../history/history';
import { buildModelsView, modelsViewMessage, type ModelNode, type ModelsViewNode } from '../model/models';
import type { ModelRegistry } from '../model/models-registry';

/** The id of the Models view in package.json. */
export const MODELS_VIEW_ID = 'runtrail.models';

/** Tree data of the Models view. */
export class ModelsTreeProvider implements vscode.TreeDataProvider<ModelsViewNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private rootNodes: ModelNode[] = [];
  private readonly stops: (() => void)[];
  /** Called after every rebuild (the view updates its message). */
  onDidRebuild: () => void = () => undefined;

  constructor(
    private readonly registry: ModelRegistry,
    private readonly history: RunHistory,
  ) {
    this.stops = [registry.onDidChange(() => this.rebuild()), history.onDidChange(() => this.rebuild())];
    this.rebuild();
  }

  /** The model rows as built by the last rebuild (for in-host tests). */
  get roots(): readonly ModelNode[] {
    return this.rootNodes;
  }

  /** Recomputes the rows and tells VS Code to redraw. */
  rebuild(): void {
    const names = new Map(this.history.entries().flatMap((e) => e.runs.map((r) => [r.id, r.name] as const)));
    this.rootNodes = buildModelsView(this.registry.snapshot, (id) => names.get(id) || undefined);
    void vscode.commands.executeCommand('setContext', 'runtrail.hasModels', this.rootNodes.length > 0);
    this.changed.fire();
    this.onDidRebuild();
  }

  getTreeItem(node: ModelsViewNode): vscode.TreeItem {
    const state = node.kind === 'version' ? vscode.TreeItemCollapsibleState.None : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(node.label, state);
    item.id = node.id;
    item.description = node.description;
    item.tooltip = node.tooltip;
    item.contextValue = node.contextValue;
    item.iconPath = new vscode.ThemeIcon(node.icon.id, node.icon.color ? new vscode.ThemeColor(node.icon.color) : undefined);
    return item;
  }

  getChildren(node?: ModelsViewNode): ModelsViewNode[] {
    if (!node) return this.rootNodes;
    return node.kind === 'model' ? node.versions : [];
  }

  getParent(node: ModelsViewNode): ModelsViewNode | undefined {
    return node.kind === 'version' ? this.rootNodes.find((m) => m.modelName === node.modelName) : undefined;
  }

  dispose(): void {
    for (const stop of this.stops.splice(0)) stop();
    this.changed.dispose();
  }
}

/** The Models view, its data provider, and what to dispose. */
export interface ModelsView {
  view: vscode.TreeView<ModelsViewNode>;
  provider: ModelsTreeProvider;
  disposables: vscode.Disposable[];
}

/** Creates the Models view with its message (offline, loading, refused token) kept current. */
export function createModelsView(registry: ModelRegistry, history: RunHistory): ModelsView {
  const provider = new ModelsTreeProvider(registry, history);
  const view = vscode.window.createTreeView(MODELS_VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  const show = () => {
    view.message = modelsViewMessage(registry.state, registry.snapshot);
  };
  show();
  provider.onDidRebuild = show;
  return { view, provider, disposables: [view, provider] };
}

/**
 * Promote / demote a notebook cell to a pipeline step from VS Code: the two commands (cell title menu and palette),
 * the `step: <name>` item on promoted cells, and the `runtrail.stepCells` context key that shows Demote only on
 * them. The flow is src/pipeline/flow.ts; this file adapts it to VS Code: files through `workspace.fs` relative to
 * the notebook's workspace folder (the CLI's project folder), the tag through `NotebookEdit.updateCellMetadata`
 * followed by a save, prompts as an input box and quick picks.
 */
import { RuntrailClient } from '@runtrail/core/client';
import { lastRunSnapshots, type PlanFileSystem } from '@runtrail/core/pipeline';
import * as vscode from 'vscode';
import { experimentIdOf } from '../notebook/metadata';
import { stepOfCell, toCellSource, withCellTagEdit } from '../pipeline/cells';
import { demoteCell, promoteCell, stepNameError, type FlowOutcome, type PromoteNotebook, type PromoteUi } from '../pipeline/flow';
import type { PreviewAction, PreviewView } from '../pipeline/preview';
import { projectRelativePath } from '../pipeline/project';
import type { Settings } from './settings';

const NOTEBOOK_TYPE = 'jupyter-notebook';
const STEP_CELLS_KEY = 'runtrail.stepCells';

/** Project files through `workspace.fs`, relative to `folder`. */
function workspaceFiles(folder: vscode.Uri): PlanFileSystem {
  const at = (path: string) => vscode.Uri.joinPath(folder, ...path.split('/'));
  return {
    read: async (path) => {
      try {
        return new TextDecoder().decode(await vscode.workspace.fs.readFile(at(path)));
      } catch (error) {
        // Only a missing file reads as null; anything else (permissions, a folder) stops the command.
        const exists = await vscode.workspace.fs.stat(at(path)).then(() => true, () => false);
        if (exists) throw error;
        return null;
      }
    },
    write: async (path, content) => {
      await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(at(path), '..'));
      await vscode.workspace.fs.writeFile(at(path), new TextEncoder().encode(content));
    },
    remove: async (path) => {
      const exists = await vscode.workspace.fs.stat(at(path)).then(() => true, () => false);
      if (exists) await vscode.workspace.fs.delete(at(path), { useTrash: false });
    },
  };
}

/** The step name box and the preview quick picks. */
const quickPickUi = (command: string): PromoteUi => ({
  askName: async (prefill) =>
    vscode.window.showInputBox({
      title: `runtrail: ${command}: step name`,
      prompt: 'Name of the step: its module is pipeline/steps/<name>.py and its function <name>',
      value: prefill,
      ignoreFocusOut: true,
      validateInput: (value) => stepNameError(value),
    }),
  choose: (view) => choosePreviewRow(view),
});

type Row = vscode.QuickPickItem & { action: PreviewAction };

function choosePreviewRow(view: PreviewView): Promise<PreviewAction | undefined> {
  const pick = vscode.window.createQuickPick<Row>();
  pick.title = view.title;
  pick.placeholder = 'Choose an action; the rows below show what will change';
  pick.ignoreFocusOut = true;
  pick.matchOnDescription = true;
  pick.items = view.rows.map((r) =>
    r.separator
      ? { label: r.label, kind: vscode.QuickPickItemKind.Separator, action: 'info' as const }
      : { label: r.label, description: r.description, detail: r.detail, action: r.action },
  );
  return new Promise((resolve) => {
    let choice: PreviewAction | undefined;
    const subscriptions = [
      pick.onDidAccept(() => {
        const row = pick.selectedItems[0] ?? pick.activeItems[0];
        // Information rows keep the preview open.
        if (!row || row.action === 'info') return;
        choice = row.action;
        pick.hide();
      }),
      pick.onDidHide(() => {
        for (const s of subscriptions) s.dispose();
        pick.dispose();
        resolve(choice);
      }),
    ];
    pick.show();
  });
}

/** The notebook as the flow sees it; the tag edit is applied and saved, and undone if the save fails. */
function editorNotebook(notebook: vscode.NotebookDocument, path: string): PromoteNotebook {
  const cells = notebook.getCells().map((cell) =>
    toCellSource({ isCode: cell.kind === vscode.NotebookCellKind.Code, languageId: cell.document.languageId, source: cell.document.getText(), metadata: cell.metadata }),
  );
  const setMetadata = async (index: number, metadata: Record<string, unknown>) => {
    const edit = new vscode.WorkspaceEdit();
    edit.set(notebook.uri, [vscode.NotebookEdit.updateCellMetadata(index, metadata)]);
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`VS Code refused to edit the metadata of cell ${index}`);
  };
  return {
    path,
    cells,
    applyCellTag: async (cellTag) => {
      const before = notebook.cellAt(cellTag.index).metadata;
      await setMetadata(cellTag.index, withCellTagEdit(before, cellTag));
      const saved = await Promise.resolve(notebook.save()).catch(() => false);
      if (!saved) {
        await setMetadata(cellTag.index, { ...before }).catch(() => undefined);
        throw new Error(`could not save ${path}`);
      }
    },
  };
}

/** The cell a command acts on: the cell of the cell title menu, else the active notebook editor's selected cell. */
function targetCell(arg: unknown): vscode.NotebookCell | undefined {
  if (arg && typeof arg === 'object' && 'notebook' in arg && 'index' in arg && 'document' in arg) return arg as vscode.NotebookCell;
  const editor = vscode.window.activeNotebookEditor;
  const index = editor?.selection.start;
  return editor && index !== undefined && index < editor.notebook.cellCount ? editor.notebook.cellAt(index) : undefined;
}

/** Registers the commands, the cell status items and the context key; everything goes into `context.subscriptions`. */
export function registerPipelineCommands(context: vscode.ExtensionContext, deps: { settings: Settings; log: (line: string) => void }): void {
  const changed = new vscode.EventEmitter<void>();

  const updateStepCells = () => {
    const uris = vscode.workspace.notebookDocuments
      .filter((nb) => nb.notebookType === NOTEBOOK_TYPE)
      .flatMap((nb) => nb.getCells().filter((c) => stepOfCell(c.metadata)).map((c) => c.document.uri.toString()));
    void vscode.commands.executeCommand('setContext', STEP_CELLS_KEY, uris);
  };

  const run = async (command: string, arg: unknown, flow: (nb: PromoteNotebook, cell: vscode.NotebookCell, folder: vscode.Uri) => Promise<FlowOutcome>) => {
    const cell = targetCell(arg);
    if (!cell || cell.notebook.notebookType !== NOTEBOOK_TYPE) {
      void vscode.window.showWarningMessage(`runtrail: ${command}: select a code cell of a .ipynb notebook first.`);
      return;
    }
    const folder = vscode.workspace.getWorkspaceFolder(cell.notebook.uri);
    let path: string;
    try {
      if (!folder) throw new Error(`${cell.notebook.uri.fsPath} is not inside a workspace folder: open the project folder that holds it`);
      path = projectRelativePath(folder.uri.path, cell.notebook.uri.path);
    } catch (error) {
      void vscode.window.showErrorMessage(`runtrail: ${(error as Error).message}`);
      return;
    }
    let outcome: FlowOutcome;
    try {
      outcome = await flow(editorNotebook(cell.notebook, path), cell, folder.uri);
    } catch (error) {
      // Not a refusal of the plan (those are shown in the preview) but e.g. pipeline.yaml unreadable: nothing was written.
      deps.log(`${command} ${path} cell ${cell.index} failed: ${(error as Error).stack ?? String(error)}`);
      void vscode.window.showErrorMessage(`runtrail: ${command}: nothing was written: ${(error as Error).message}`);
      return;
    }
    deps.log(`${command} ${path} cell ${cell.index}: ${JSON.stringify(outcome)}`);
    if (outcome.kind === 'written') vscode.window.setStatusBarMessage(`runtrail: ${outcome.update ? 'updated' : 'promoted'} step "${outcome.step}"`, 5000);
    if (outcome.kind === 'demoted') vscode.window.setStatusBarMessage(`runtrail: demoted step "${outcome.step}"`, 5000);
    changed.fire();
    updateStepCells();
  };

  const snapshotsFor = async (notebook: vscode.NotebookDocument) => {
    const connection = await deps.settings.connection();
    const client = connection ? new RuntrailClient({ baseUrl: connection.serverUrl, token: connection.token }) : null;
    return lastRunSnapshots(client, experimentIdOf(notebook.metadata), { offlineNote: 'no runtrail server is connected' });
  };

  context.subscriptions.push(
    changed,
    vscode.commands.registerCommand('runtrail.promoteCell', (arg: unknown) =>
      run('Promote Cell to Pipeline Step', arg, async (nb, cell, folder) =>
        promoteCell(quickPickUi('Promote Cell to Pipeline Step'), workspaceFiles(folder), nb, { index: cell.index }, await snapshotsFor(cell.notebook)),
      ),
    ),
    vscode.commands.registerCommand('runtrail.demoteCell', (arg: unknown) =>
      run('Demote Cell from Pipeline', arg, (nb, cell, folder) => demoteCell(quickPickUi('Demote Cell from Pipeline'), workspaceFiles(folder), nb, { index: cell.index })),
    ),
    vscode.notebooks.registerNotebookCellStatusBarItemProvider(NOTEBOOK_TYPE, {
      onDidChangeCellStatusBarItems: changed.event,
      provideCellStatusBarItems: (cell) => {
        const step = stepOfCell(cell.metadata);
        if (!step) return [];
        const item = new vscode.NotebookCellStatusBarItem(`$(type-hierarchy) step: ${step}`, vscode.NotebookCellStatusBarAlignment.Left);
        item.tooltip = `runtrail: this cell is the pipeline step "${step}" (pipeline/steps/${step}.py); promote it again to update the step`;
        return [item];
      },
    }),
    vscode.workspace.onDidOpenNotebookDocument(updateStepCells),
    vscode.workspace.onDidCloseNotebookDocument(updateStepCells),
    vscode.workspace.onDidChangeNotebookDocument((e) => {
      if (e.cellChanges.some((c) => c.metadata) || e.contentChanges.length) {
        changed.fire();
        updateStepCells();
      }
    }),
  );
  updateStepCells();
}

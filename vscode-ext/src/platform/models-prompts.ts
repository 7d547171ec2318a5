/**
 * The user-facing prompts of the Models commands: artifact and model-name pickers, the alias box, the
 * delete confirmation (type the model's name) and the lineage quick pick. Items and checks come from
 * src/model/models-picks.ts; each prompt resolves undefined when cancelled.
 */
import * as vscode from 'vscode';
import {
  aliasError,
  deleteConfirmationError,
  type ArtifactPickItem,
  type LineagePickItem,
  type ModelNamePickItem,
} from '../model/models-picks';

/** Lets the user pick which artifact of a run becomes the version. */
export async function pickArtifact(items: ArtifactPickItem[], runLabel: string): Promise<string | undefined> {
  const picked = await vscode.window.showQuickPick(items, {
    title: `runtrail: Register Model from Run (1/2): artifact of ${runLabel}`,
    placeHolder: 'A folder registers every file under it',
    matchOnDescription: true,
    ignoreFocusOut: true,
  });
  return picked?.path;
}

type NameItem = vscode.QuickPickItem & { source: ModelNamePickItem };

/** Lets the user pick an existing model or type a new name; `itemsFor` computes the items for the typed text. */
export function pickModelName(itemsFor: (typed: string) => ModelNamePickItem[]): Promise<string | undefined> {
  const pick = vscode.window.createQuickPick<NameItem>();
  pick.title = 'runtrail: Register Model from Run (2/2): model';
  pick.placeholder = 'Pick a registered model, or type a new name';
  pick.ignoreFocusOut = true;
  const refresh = () => {
    pick.items = itemsFor(pick.value).map((source) => ({ label: source.label, description: source.description, alwaysShow: source.isNew, source }));
  };
  refresh();
  return new Promise((resolve) => {
    let choice: string | undefined;
    const subscriptions = [
      pick.onDidChangeValue(refresh),
      pick.onDidAccept(() => {
        const item = pick.selectedItems[0] ?? pick.activeItems[0];
        // A new name that breaks the rules stays in the box; its item says why.
        if (!item || item.source.error) return;
        choice = item.source.name;
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

/** Asks for the alias to point at a version (an alias on another version moves here). */
export function promptForAlias(modelName: string, version: number, taken: readonly string[]): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: `runtrail: Set Alias of ${modelName} v${version}`,
    prompt: taken.length ? `Aliases of this model: ${taken.join(', ')}. Setting one moves it to this version.` : 'e.g. champion, challenger',
    placeHolder: 'champion',
    ignoreFocusOut: true,
    validateInput: (text) => aliasError(text) ?? undefined,
  }).then((text) => text?.trim());
}

/** Lets the user pick one of several aliases to remove. */
export async function pickAlias(aliases: readonly string[], title: string): Promise<string | undefined> {
  if (aliases.length <= 1) return aliases[0];
  return vscode.window.showQuickPick([...aliases], { title, ignoreFocusOut: true });
}

/** The delete confirmation: resolves true only when the user typed the model's name exactly. */
export async function confirmModelDelete(modelName: string, versions: number): Promise<boolean> {
  const typed = await vscode.window.showInputBox({
    title: `runtrail: Delete Model "${modelName}" permanently`,
    prompt: `Deletes the model, its ${versions} version(s) and their aliases for everyone; the audit log keeps a record. Type "${modelName}" to confirm.`,
    placeHolder: modelName,
    ignoreFocusOut: true,
    validateInput: (text) => deleteConfirmationError(text, modelName) ?? undefined,
  });
  return typed === modelName;
}

type LineageItem = vscode.QuickPickItem & { source?: LineagePickItem };

/** Shows the lineage rows; resolves the row picked (a run to open, a cell's code), or undefined. */
export async function pickLineageItem(items: LineagePickItem[], title: string): Promise<LineagePickItem | undefined> {
  const quickItems: LineageItem[] = items.map((source) =>
    source.kind === 'separator'
      ? { label: source.label, kind: vscode.QuickPickItemKind.Separator }
      : { label: source.label, description: source.description, detail: source.detail, source },
  );
  const picked = await vscode.window.showQuickPick(quickItems, { title, matchOnDescription: true, matchOnDetail: true });
  return picked?.source;
}

/** Opens a cell's code in an untitled Python editor (read it, copy from it; nothing is saved). */
export async function showCode(code: string): Promise<void> {
  const document = await vscode.workspace.openTextDocument({ language: 'python', content: code });
  await vscode.window.showTextDocument(document, { preview: true });
}

/** Copies text and says so in the status bar. */
export async function copyText(text: string, what: string): Promise<void> {
  await vscode.env.clipboard.writeText(text);
  void vscode.window.setStatusBarMessage(`runtrail: copied ${what} ${text}`, 4000);
}

/** An information toast. */
export function inform(message: string): void {
  void vscode.window.showInformationMessage(message);
}

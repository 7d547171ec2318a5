/** The user-facing prompts of the commands: server and token input, run pickers, messages, clipboard. */
import * as vscode from 'vscode';
import type { RunPickItem } from '../model/pick';

/** Asks for a server URL and its token; resolves undefined when the user cancels either box. */
export async function promptForServer(currentUrl: string, hasToken: boolean): Promise<{ serverUrl: string; token: string } | undefined> {
  const serverUrl = await vscode.window.showInputBox({
    title: 'runtrail: Connect to Server (1/2)',
    prompt: 'URL of the runtrail server',
    value: currentUrl || 'http://127.0.0.1:8734',
    ignoreFocusOut: true,
    validateInput: (value) => {
      try {
        const url = new URL(value.trim());
        return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : 'Use an http:// or https:// URL';
      } catch {
        return 'Not a URL';
      }
    },
  });
  if (serverUrl === undefined) return undefined;
  const token = await vscode.window.showInputBox({
    title: 'runtrail: Connect to Server (2/2)',
    prompt: hasToken
      ? 'Token (kept in VS Code secret storage). Leave empty to keep the stored one.'
      : 'Token (kept in VS Code secret storage; `runtrail token create` makes one, a local server keeps it in its data folder)',
    password: true,
    ignoreFocusOut: true,
  });
  if (token === undefined) return undefined;
  return { serverUrl: serverUrl.trim(), token: token.trim() };
}

/** Lets the user pick one run (`many: false`) or several; resolves the chosen ids (empty when cancelled). */
export async function pickRuns(items: RunPickItem[], many: boolean, title: string): Promise<string[]> {
  if (items.length === 0) {
    void vscode.window.showInformationMessage('runtrail: there are no runs to choose from yet.');
    return [];
  }
  if (many) {
    const picked = await vscode.window.showQuickPick(items, { title, canPickMany: true, matchOnDescription: true, matchOnDetail: true });
    return (picked ?? []).map((p) => p.runId);
  }
  const picked = await vscode.window.showQuickPick(items, { title, matchOnDescription: true, matchOnDetail: true });
  return picked ? [picked.runId] : [];
}

/** Copies a run id and says so. */
export async function copyRunId(runId: string): Promise<void> {
  await vscode.env.clipboard.writeText(runId);
  void vscode.window.setStatusBarMessage(`runtrail: copied run id ${runId}`, 4000);
}

/** A warning toast. */
export function warn(message: string): void {
  void vscode.window.showWarningMessage(message);
}

/** Opens `url` in the user's browser (in code-server: a new tab); resolves whether VS Code opened it. */
export function openInBrowser(url: string): Thenable<boolean> {
  return vscode.env.openExternal(vscode.Uri.parse(url, true));
}

/** An error toast. */
export function showError(message: string): void {
  void vscode.window.showErrorMessage(message);
}

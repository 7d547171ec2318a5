/** The status bar item (connection state) and the `runtrail.connected` context key the welcome views read. */
import * as vscode from 'vscode';
import type { RunHistory } from '../history/history';
import { isConfigured, statusBarView } from '../model/connection';

/** Shows the history's connection state in the status bar; disposing removes the item and the listener. */
export class ConnectionStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('runtrail.status', vscode.StatusBarAlignment.Left, 50);
  private readonly stop: () => void;

  constructor(private readonly history: RunHistory) {
    this.item.name = 'runtrail';
    this.stop = history.onDidChangeState(() => this.update());
    this.update();
    this.item.show();
  }

  private update(): void {
    const state = this.history.state;
    const view = statusBarView(state);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.command = view.command;
    this.item.backgroundColor = view.background ? new vscode.ThemeColor(view.background) : undefined;
    void vscode.commands.executeCommand('setContext', 'runtrail.connected', isConfigured(state));
  }

  dispose(): void {
    this.stop();
    this.item.dispose();
  }
}

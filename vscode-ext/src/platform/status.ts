/**
 * The status bar item (connection state and captured writes waiting to upload) and the `runtrail.connected`
 * context key the welcome views read.
 */
import * as vscode from 'vscode';
import type { RunHistory } from '../history/history';
import { isConfigured, statusBarView, type StatusBarView } from '../model/connection';

/** Something that holds writes waiting to upload, such as core's Outbox (its `size` and `onChange`). */
export interface PendingUploads {
  readonly size: number;
  onChange(listener: (pending: number) => void): () => void;
}

/** Shows the history's connection state and pending uploads in the status bar; disposing removes item and listeners. */
export class ConnectionStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('runtrail.status', vscode.StatusBarAlignment.Left, 50);
  private readonly stop: () => void;
  private readonly sources = new Map<PendingUploads, () => void>();
  private shown: StatusBarView;
  private disposed = false;

  constructor(private readonly history: RunHistory) {
    this.item.name = 'runtrail';
    this.stop = history.onDidChangeState(() => this.update());
    this.shown = this.update();
    this.item.show();
  }

  /** What the item shows now (for in-host tests). */
  get view(): StatusBarView {
    return this.shown;
  }

  /** Counts `source`'s pending writes into the item until the returned disposable is disposed. */
  trackPendingUploads(source: PendingUploads): vscode.Disposable {
    if (!this.sources.has(source)) this.sources.set(source, source.onChange(() => this.update()));
    this.update();
    return new vscode.Disposable(() => {
      this.sources.get(source)?.();
      this.sources.delete(source);
      if (!this.disposed) this.update();
    });
  }

  private update(): StatusBarView {
    const state = this.history.state;
    let pending = 0;
    for (const source of this.sources.keys()) pending += source.size;
    const view = statusBarView(state, pending);
    this.shown = view;
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.command = view.command;
    this.item.backgroundColor = view.background ? new vscode.ThemeColor(view.background) : undefined;
    void vscode.commands.executeCommand('setContext', 'runtrail.connected', isConfigured(state));
    return view;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stop();
    for (const unsubscribe of this.sources.values()) unsubscribe();
    this.sources.clear();
    this.item.dispose();
  }
}

/**
 * Run detail and compare panels: WebviewPanels hosting packages/ui's components (dist/webview.js), each driven
 * by a PanelController. Both view types register a serializer, so VS Code restores open panels after a reload.
 */
import { webcrypto } from 'node:crypto';
import * as vscode from 'vscode';
import type { HostToView } from '@runtrail/ui/messages';
import { parseHostToView } from '@runtrail/ui/messages';
import type { RunHistory } from '../history/history';
import { PanelController } from '../panels/controller';
import { createNonce, webviewHtml } from '../panels/html';
import { PANEL_VIEW_TYPES, parseSubject, subjectKey, type PanelSubject } from '../panels/subject';

/** What panels ask of the rest of the extension. */
export interface PanelActions {
  copyRunId(runId: string): void;
  log(line: string): void;
}

/** Every open run and compare panel. */
export class RunPanels implements vscode.Disposable {
  private readonly open = new Map<string, { panel: vscode.WebviewPanel; controller: PanelController }>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private disposed = false;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly history: RunHistory,
    private readonly actions: PanelActions,
  ) {
    const stop = history.onDidChange(() => {
      for (const { controller } of this.open.values()) controller.refresh();
    });
    this.subscriptions.push({ dispose: stop });
    for (const viewType of Object.values(PANEL_VIEW_TYPES)) {
      this.subscriptions.push(
        vscode.window.registerWebviewPanelSerializer(viewType, {
          deserializeWebviewPanel: async (panel, state) => this.restore(panel, state),
        }),
      );
    }
  }

  /** Shows a subject: reveals its panel when one is open, else opens one. */
  show(subject: PanelSubject): void {
    const existing = this.open.get(subjectKey(subject));
    if (existing) return existing.panel.reveal();
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPES[subject.view], 'runtrail', vscode.ViewColumn.Active, this.webviewOptions());
    this.attach(panel, subject);
  }

  /** Number of open panels (for tests). */
  get size(): number {
    return this.open.size;
  }

  private webviewOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      // Only the bundle folder is readable from the page.
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')],
      // The components rebuild from one message; keeping hidden panels alive is not worth the memory.
      retainContextWhenHidden: false,
    };
  }

  private restore(panel: vscode.WebviewPanel, state: unknown): void {
    const subject = parseSubject(state);
    this.actions.log(`panels: restoring ${panel.viewType} ${JSON.stringify(state)}`);
    if (!subject || this.open.has(subjectKey(subject))) {
      this.actions.log(`panels: not restoring a panel with state ${JSON.stringify(state)}`);
      return panel.dispose();
    }
    panel.webview.options = this.webviewOptions();
    this.attach(panel, subject);
  }

  private attach(panel: vscode.WebviewPanel, subject: PanelSubject): void {
    const key = subjectKey(subject);
    const controller = new PanelController(subject, {
      post: (message) => void this.post(panel, message),
      setTitle: (title) => (panel.title = title),
      findRun: (runId) => this.history.findRun(runId),
      metricSeries: (runId, metric) => this.history.metricSeries(runId, metric),
      openRun: (runId) => this.show({ view: 'run', runIds: [runId] }),
      compare: (runIds) => this.show({ view: 'compare', runIds }),
      copyRunId: (runId) => this.actions.copyRunId(runId),
      editRun: (runId, apply) => this.history.editRun(runId, apply),
      log: (line) => this.actions.log(line),
    });
    this.open.set(key, { panel, controller });
    const scriptUri = panel.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js')).toString();
    const nonce = createNonce((bytes) => webcrypto.getRandomValues(bytes));
    controller.refresh();
    panel.webview.html = webviewHtml({ cspSource: panel.webview.cspSource, nonce, scriptUri, subject, title: panel.title });
    const received = panel.webview.onDidReceiveMessage((raw: unknown) => controller.handle(raw));
    panel.onDidDispose(() => {
      received.dispose();
      controller.dispose();
      if (this.open.get(key)?.panel === panel) this.open.delete(key);
    });
  }

  /** Sends a message after checking it against the contract, so a bug here shows in the log, not as a blank view. */
  private async post(panel: vscode.WebviewPanel, message: HostToView): Promise<void> {
    const checked = parseHostToView(message);
    if (!checked.ok) {
      this.actions.log(`panels: not sending an invalid message: ${checked.error}`);
      return;
    }
    try {
      await panel.webview.postMessage(checked.message);
    } catch {
      // The panel was closed meanwhile.
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const { panel } of [...this.open.values()]) panel.dispose();
    this.open.clear();
    for (const d of this.subscriptions.splice(0)) d.dispose();
  }
}

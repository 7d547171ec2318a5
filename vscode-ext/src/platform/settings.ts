/**
 * Where the server is and how to authenticate: the `runtrail.serverUrl` setting, and the token in VS Code's
 * SecretStorage (one secret per server URL, so switching servers keeps each token). Without a stored secret
 * the token falls back to $RUNTRAIL_TOKEN, the variable the CLI reads too (used by the e2e suite and CI).
 */
import * as vscode from 'vscode';
import type { Connection } from '../history/history';

/** The configuration section of the extension. */
export const SECTION = 'runtrail';

/** The secret key of a server's token. */
export function tokenSecretKey(serverUrl: string): string {
  return `runtrail.token:${normalizeServerUrl(serverUrl)}`;
}

/** A server URL without trailing slashes, so `http://h:1/` and `http://h:1` share one token. */
export function normalizeServerUrl(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

/** Settings and secrets of the extension. */
export class Settings implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the server URL or the stored token of the configured server changed. */
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.subscriptions = [
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${SECTION}.serverUrl`)) this.changed.fire();
      }),
      secrets.onDidChange((e) => {
        const url = this.serverUrl();
        if (url && e.key === tokenSecretKey(url)) this.changed.fire();
      }),
      this.changed,
    ];
  }

  /** The configured server URL, or '' when none is. */
  serverUrl(): string {
    return normalizeServerUrl(vscode.workspace.getConfiguration(SECTION).get<string>('serverUrl') ?? '');
  }

  /** The token of `serverUrl`: the stored secret, else $RUNTRAIL_TOKEN, else undefined. */
  async token(serverUrl = this.serverUrl()): Promise<string | undefined> {
    const stored = serverUrl ? await this.secrets.get(tokenSecretKey(serverUrl)) : undefined;
    return stored || process.env.RUNTRAIL_TOKEN || undefined;
  }

  /** The connection to open, or null when no server is configured. */
  async connection(): Promise<Connection | null> {
    const serverUrl = this.serverUrl();
    return serverUrl ? { serverUrl, token: await this.token(serverUrl) } : null;
  }

  /**
   * Stores a server (user settings) and its token in SecretStorage: undefined keeps the stored secret, an
   * empty string deletes it.
   */
  async save(serverUrl: string, token: string | undefined): Promise<void> {
    const url = normalizeServerUrl(serverUrl);
    if (token) await this.secrets.store(tokenSecretKey(url), token);
    else if (token === '') await this.secrets.delete(tokenSecretKey(url));
    if (url !== this.serverUrl()) {
      await vscode.workspace.getConfiguration(SECTION).update('serverUrl', url, vscode.ConfigurationTarget.Global);
    } else {
      // Same URL: the configuration event will not fire, but the token may have changed.
      this.changed.fire();
    }
  }

  dispose(): void {
    for (const d of this.subscriptions.splice(0)) d.dispose();
  }
}

/**
 * Settings of notebook capture: the Jupyter server the runtrail controller runs cells on
 * (`runtrail.jupyterServerUrl`, its token in SecretStorage, $JUPYTER_TOKEN or the running server's runtime file as
 * fallbacks) and the `runtrail.captureNotebooks` switch.
 */
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { discoverJupyterToken, jupyterRuntimeDirs } from '../notebook/discover';
import { DEFAULT_JUPYTER_URL, parseJupyterUrl, type JupyterServerConfig } from '../notebook/jupyter';

const SECTION = 'runtrail';

/** The secret key of a Jupyter server's token. */
export function jupyterTokenKey(url: string): string {
  return `runtrail.jupyterToken:${url.trim().replace(/\/+$/, '')}`;
}

/** Reads and stores the notebook settings. */
export class JupyterSettings {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** The configured Jupyter server URL (default: the one `npm start` launches); throws naming a bad value. */
  serverUrl(): string {
    const value = vscode.workspace.getConfiguration(SECTION).get<string>('jupyterServerUrl') || DEFAULT_JUPYTER_URL;
    return parseJupyterUrl(value);
  }

  /**
   * The server and its token: the stored secret, else $JUPYTER_TOKEN, else the token a server running on this
   * machine at that URL wrote into Jupyter's runtime folder (how `npm start`'s server is found).
   */
  async server(): Promise<JupyterServerConfig> {
    const baseUrl = this.serverUrl();
    const token =
      (await this.secrets.get(jupyterTokenKey(baseUrl))) ||
      process.env.JUPYTER_TOKEN ||
      (await discoverJupyterToken(baseUrl, jupyterRuntimeDirs(process.env, process.platform, homedir())));
    return { baseUrl, token: token || undefined };
  }

  /** Whether notebook executions are captured. */
  captureEnabled(): boolean {
    return vscode.workspace.getConfiguration(SECTION).get<boolean>('captureNotebooks') ?? true;
  }

  /** Stores a server URL (user settings) and its token (SecretStorage; empty deletes, undefined keeps). */
  async save(url: string, token: string | undefined): Promise<void> {
    const normalized = parseJupyterUrl(url);
    if (token) await this.secrets.store(jupyterTokenKey(normalized), token);
    else if (token === '') await this.secrets.delete(jupyterTokenKey(normalized));
    await vscode.workspace.getConfiguration(SECTION).update('jupyterServerUrl', normalized, vscode.ConfigurationTarget.Global);
  }

  /** Fires when the server URL or the capture switch changed. */
  onDidChange(listener: () => void): vscode.Disposable {
    return vscode.Disposable.from(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${SECTION}.jupyterServerUrl`) || e.affectsConfiguration(`${SECTION}.captureNotebooks`)) listener();
      }),
      this.secrets.onDidChange((e) => {
        if (e.key.startsWith('runtrail.jupyterToken:')) listener();
      }),
    );
  }
}

/** Asks for a Jupyter server URL and token; undefined when the user cancels. */
export async function promptForJupyterServer(current: string): Promise<{ url: string; token: string } | undefined> {
  const url = await vscode.window.showInputBox({
    title: 'runtrail: Jupyter server URL',
    prompt: 'The Jupyter server the runtrail notebook controller runs cells on (npm start prints it)',
    value: current,
    ignoreFocusOut: true,
    validateInput: (value) => {
      try {
        parseJupyterUrl(value);
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    },
  });
  if (url === undefined) return undefined;
  const token = await vscode.window.showInputBox({
    title: 'runtrail: Jupyter server token',
    prompt: 'The token in the server URL (?token=…); kept in VS Code secret storage. Leave empty to keep the stored one.',
    password: true,
    ignoreFocusOut: true,
  });
  if (token === undefined) return undefined;
  return { url, token };
}

/**
 * A Jupyter server as the runtrail notebook controller uses it: `@jupyterlab/services` running in the extension
 * host (Node), with `ws` for kernel WebSockets and Node's fetch for REST. One session per notebook, so the
 * server starts the kernel in the notebook's folder and lists it like JupyterLab would.
 */
import { ServerConnection, SessionManager, KernelManager, type Session } from '@jupyterlab/services';
import WebSocket from 'ws';

/** Where the Jupyter server is and its token (undefined when it needs none). */
export interface JupyterServerConfig {
  baseUrl: string;
  token: string | undefined;
}

/** The URL `npm start` runs JupyterLab on (its token is printed with it). */
export const DEFAULT_JUPYTER_URL = 'http://127.0.0.1:8888';

/** Checks a configured server URL; returns the normalized URL or throws naming what is wrong. */
export function parseJupyterUrl(value: string): string {
  const trimmed = value.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new Error(`runtrail.jupyterServerUrl: ${JSON.stringify(value)} is not a URL (expected e.g. ${DEFAULT_JUPYTER_URL})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`runtrail.jupyterServerUrl: ${JSON.stringify(value)} must start with http:// or https://`);
  }
  return url.toString().replace(/\/+$/, '');
}

/** A Jupyter server's sessions; `dispose` closes every connection (the kernels keep running on the server). */
export class JupyterServer {
  readonly url: string;
  private readonly kernels: KernelManager;
  private readonly sessions: SessionManager;

  constructor(config: JupyterServerConfig) {
    this.url = parseJupyterUrl(config.baseUrl);
    const wsUrl = this.url.replace(/^http/, 'ws');
    const serverSettings = ServerConnection.makeSettings({
      baseUrl: `${this.url}/`,
      wsUrl: `${wsUrl}/`,
      token: config.token ?? '',
      appendToken: true,
      WebSocket: WebSocket as unknown as ServerConnection.ISettings['WebSocket'],
      fetch: globalThis.fetch,
      Request: globalThis.Request,
      Headers: globalThis.Headers,
    });
    this.kernels = new KernelManager({ serverSettings });
    this.sessions = new SessionManager({ serverSettings, kernelManager: this.kernels });
  }

  /**
   * Starts a session (and its kernel) for the notebook at `path` (relative to the server's root; the kernel
   * runs in its folder when the server has it). Errors name the server and say what to fix.
   */
  async startSession(path: string, kernelName?: string): Promise<Session.ISessionConnection> {
    try {
      await this.sessions.ready;
      return await this.sessions.startNew({ path, type: 'notebook', name: path.split('/').pop() ?? path, kernel: kernelName ? { name: kernelName } : {} });
    } catch (error) {
      throw new Error(describeServerError(this.url, error));
    }
  }

  /** Closes the connections (kernels stay on the server until shut down). Safe to call twice. */
  dispose(): void {
    this.sessions.dispose();
    this.kernels.dispose();
  }
}

/** A message for a failed call to the server: unreachable, token refused, or what it answered. */
export function describeServerError(url: string, error: unknown): string {
  const response = (error as { response?: { status?: number } } | null)?.response;
  if (response?.status === 403 || response?.status === 401) {
    return `the Jupyter server at ${url} refused the token (set it with "runtrail: Set Jupyter Server")`;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/fetch failed|ECONNREFUSED|NetworkError/i.test(message)) {
    return `cannot reach the Jupyter server at ${url} (is it running? \`npm start\` starts one; the URL is the runtrail.jupyterServerUrl setting)`;
  }
  return `the Jupyter server at ${url} failed: ${message}`;
}

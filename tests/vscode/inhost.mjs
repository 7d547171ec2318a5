// In-host tests: mocha inside the real extension host. Bundles vscode-ext/test/inhost (vscode and mocha stay
// external and resolve at run time), then opens a code-server window whose `payload` names the extension under
// development and the test module, as in the recipe's run-inhost.mjs; VS Code reports the exit code through
// `codeAutomationExit` (needs code-server's enable-smoke-test-driver option).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../scripts/lib/setup.mjs';

const EXTENSION = join(ROOT, 'vscode-ext');
const BUNDLE = join(EXTENSION, 'dist', 'test', 'inhost.cjs');

/** Bundles the in-host tests into dist/test (ignored by git, not packaged). */
export async function bundleInHostTests() {
  const esbuild = await import('esbuild');
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [join(EXTENSION, 'test', 'inhost', 'index.ts')],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha', 'bufferutil', 'utf-8-validate'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return BUNDLE;
}

/**
 * Runs the in-host suites in a new window of `codeServer`; resolves { passed, failed, tests } from mocha's JSON
 * report (each test counts), or one failure when the run produced no report.
 */
export async function runInHostTests(browser, codeServer, { resultsFile, timeoutMs = 180_000 }) {
  rmSync(resultsFile, { force: true });
  const host = new URL(codeServer.url).host;
  const remote = (path) => `vscode-remote://${host}${path}`;
  const payload = [
    ['extensionDevelopmentPath', remote(EXTENSION)],
    ['extensionTestsPath', remote(await bundleInHostTests())],
    ['extensionEnvironment', JSON.stringify({ RUNTRAIL_INHOST_RESULTS: resultsFile })],
  ];
  const page = await browser.newPage();
  try {
    const exit = new Promise((resolve) => void page.exposeFunction('codeAutomationExit', (code) => resolve(code)));
    await page.goto(`${codeServer.folderUrl}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    let timer;
    const timeout = new Promise((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const code = await Promise.race([exit, timeout]).finally(() => clearTimeout(timer));
    if (!existsSync(resultsFile)) return { passed: 0, failed: 1, tests: [], note: `in-host run ended with ${code} and wrote no report` };
    const report = JSON.parse(readFileSync(resultsFile, 'utf8'));
    const tests = [
      ...report.passes.map((t) => ({ name: t.fullTitle, ok: true })),
      ...report.failures.map((t) => ({ name: t.fullTitle, ok: false, error: t.err?.message })),
    ];
    return { passed: report.stats.passes, failed: report.stats.failures + (code !== 0 && report.stats.failures === 0 ? 1 : 0), tests };
  } finally {
    await page.close();
  }
}

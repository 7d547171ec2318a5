/**
 * UI render benchmark in headless Debian Chromium (playwright-core): the Runs table's first render with 10k runs
 * against a plain table of every row, and the compare of 2 runs x 100k metric points (downsampled, extremes kept)
 * against the same compare handing every point to uPlot. Each measurement loads a fresh page (bundle of
 * packages/ui/bench/render-page.ts) and times from data handed over to the frame painted. Cases alternate, one
 * warm-up each, then medians. Goals from issue 4: table <= 300 ms, compare <= 500 ms; exit 1 when one is missed
 * or a page did not show what it was given. Method and figures: docs/benchmarks.md.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { findChromium } from '../../scripts/lib/setup.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(ROOT, '.cache', 'bench', 'ui-render');
const REPETITIONS = Number(process.env.RUNTRAIL_BENCH_REPS ?? 7);
const PAIRS = [
  { name: 'Runs table, 10k runs, first render', ours: 'table', naive: 'table-naive', goalMs: 300, naiveLabel: 'plain table of every row' },
  { name: 'Compare, 2 runs x 100k points', ours: 'compare', naive: 'compare-naive', goalMs: 500, naiveLabel: 'every point to uPlot' },
];

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>runtrail UI render benchmark</title>
<style>
  body { margin: 0; font: 13px system-ui, sans-serif; }
  #stage { width: 1200px; }
  rt-run-table { height: 800px; }
  .naive-scroller { height: 800px; overflow: auto; }
</style></head>
<body><div id="stage"></div><script type="module" src="./page.js"></script></body></html>`;

async function bundlePage() {
  mkdirSync(OUT, { recursive: true });
  await build({
    absWorkingDir: ROOT,
    entryPoints: ['packages/ui/bench/render-page.ts'],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    outfile: join(OUT, 'page.js'),
    logLevel: 'warning',
  });
  writeFileSync(join(OUT, 'index.html'), PAGE);
}

/** A static server of the bundle on 127.0.0.1 and a free port (module scripts do not load from file://). */
function serve() {
  const files = { '/': ['index.html', 'text/html'], '/page.js': ['page.js', 'text/javascript'] };
  const server = createServer((req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://localhost').pathname];
    if (!file) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': `${file[1]}; charset=utf-8` }).end(readFileSync(join(OUT, file[0])));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function measure(browser, url, name) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    if (errors.length) throw new Error(`page error: ${errors[0]}`);
    await page.waitForFunction(() => 'runtrailBench' in globalThis, null, { timeout: 30_000 });
    const result = await page.evaluate((n) => globalThis.runtrailBench.run(n), name);
    if (!result.check.ok) throw new Error(`${name}: the page did not show what it was given (${result.check.detail})`);
    return result;
  } finally {
    await page.close();
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const ms = (x) => `${x.toFixed(0).padStart(6)} ms`;

async function main() {
  await bundlePage();
  const server = await serve();
  const url = `http://127.0.0.1:${server.address().port}/`;
  const browser = await chromium.launch({
    executablePath: findChromium() ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
  let failed = 0;
  try {
    console.log(`Chromium ${browser.version()}, ${REPETITIONS} alternating repetitions after one warm-up, fresh page each`);
    for (const pair of PAIRS) {
      const times = { [pair.ours]: [], [pair.naive]: [] };
      const phases = { [pair.ours]: {}, [pair.naive]: {} };
      let detail = '';
      for (let rep = -1; rep < REPETITIONS; rep++) {
        const order = rep % 2 === 0 ? [pair.ours, pair.naive] : [pair.naive, pair.ours];
        for (const name of order) {
          const result = await measure(browser, url, name);
          if (rep >= 0) {
            times[name].push(result.ms);
            for (const [phase, at] of Object.entries(result.phases)) (phases[name][phase] ??= []).push(at);
          }
          if (name === pair.ours) detail = result.check.detail;
        }
      }
      const ours = median(times[pair.ours]);
      const naive = median(times[pair.naive]);
      const met = ours <= pair.goalMs;
      if (!met) failed++;
      console.log(`\n${pair.name}`);
      console.log(`  runtrail   ${ms(ours)}  (median; ${times[pair.ours].map((t) => t.toFixed(0)).join(', ')}) ${detail}`);
      console.log(`  naive      ${ms(naive)}  (median; ${times[pair.naive].map((t) => t.toFixed(0)).join(', ')}) ${pair.naiveLabel}`);
      for (const name of [pair.ours, pair.naive]) {
        const steps = Object.entries(phases[name]).map(([phase, at]) => `${phase} ${median(at).toFixed(0)}`);
        console.log(`  ${name.padEnd(14)} phase ends (median ms): ${steps.join(', ')}`);
      }
      console.log(`  ratio      ${(naive / ours).toFixed(1)}x faster than naive; goal <= ${pair.goalMs} ms: ${met ? 'met' : 'MISSED'}`);
    }
  } finally {
    await browser.close();
    server.close();
  }
  return failed ? 1 : 0;
}

process.exitCode = await main();

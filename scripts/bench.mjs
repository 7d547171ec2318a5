// `npm run bench`: set up, then run every tests/bench/*.bench.mjs and *.bench.ts, each in its own Node process.
//
// Usage: node scripts/bench.mjs [filter ...]   (filters match benchmark file names; none = all)
//
// .mjs files run as they are; .ts files are bundled on the fly by esbuild into .cache/bench/ first (same Node
// ESM bundling as the CLI, native modules external). Benchmarks print their own results (a ratio against an
// anchor measured in the same run); this script prints a status and time per file and fails if any failed.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { nodeBundleOptions } from './build.mjs';
import { CACHE_DIR, ROOT, formatDuration, harnessEnv, run, setup } from './lib/setup.mjs';

const BENCH_DIR = join(ROOT, 'tests', 'bench');
const BUNDLE_DIR = join(CACHE_DIR, 'bench');
const BENCH_FILE = /\.bench\.(mjs|ts)$/;

function findBenchmarks(filters) {
  if (!existsSync(BENCH_DIR)) return [];
  return readdirSync(BENCH_DIR)
    .filter((f) => BENCH_FILE.test(f))
    .filter((f) => filters.length === 0 || filters.some((filter) => f.includes(filter)))
    .sort()
    .map((f) => join(BENCH_DIR, f));
}

/** The file Node runs for a benchmark: itself for .mjs, an esbuild bundle for .ts. */
async function runnable(file) {
  if (file.endsWith('.mjs')) return file;
  const esbuild = await import('esbuild');
  const outfile = join(BUNDLE_DIR, basename(file).replace(/\.ts$/, '.mjs'));
  await esbuild.build({ ...nodeBundleOptions(), absWorkingDir: ROOT, entryPoints: [file], outfile });
  return outfile;
}

async function main() {
  const started = performance.now();
  const failedSetup = await setup(['node', 'python']);
  if (failedSetup.has('node')) return 1;

  const files = findBenchmarks(process.argv.slice(2));
  if (files.length === 0) {
    console.log(`no benchmarks found (${relative(ROOT, BENCH_DIR)}/*.bench.mjs, *.bench.ts)`);
    return 0;
  }
  mkdirSync(BUNDLE_DIR, { recursive: true });

  const rows = [];
  for (const file of files) {
    const name = relative(ROOT, file);
    console.log(`\n━━ ${name} ${'━'.repeat(Math.max(3, 72 - name.length))}`);
    const benchStarted = performance.now();
    let code;
    try {
      code = await run(process.execPath, [await runnable(file)], { env: harnessEnv() });
    } catch (err) {
      console.error(`cannot bundle ${name}: ${err.message.split('\n')[0]}`);
      code = 1;
    }
    rows.push({ name, code, ms: performance.now() - benchStarted });
  }

  console.log('\n━━ benchmarks ━━');
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) {
    const status = r.code === 0 ? 'ok' : `FAILED (exit ${r.code})`;
    console.log(`${r.name.padEnd(width)}  ${formatDuration(r.ms).padStart(7)}  ${status}`);
  }
  const failed = rows.filter((r) => r.code !== 0).length;
  console.log(
    `benchmarks: ${rows.length - failed} ok, ${failed} failed (${formatDuration(performance.now() - started)})`,
  );
  return failed ? 1 : 0;
}

process.exitCode = await main();

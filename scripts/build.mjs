// `npm run build`: bundle every shipped entry point with esbuild and report each bundle's size.
//
// Usage: node scripts/build.mjs [bundle ...]   (no names = every bundle in BUNDLES)
//
// Also imported by bench.mjs for `nodeBundleOptions` (the same Node ESM bundling for benchmarks).
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, formatBytes, formatDuration } from './lib/setup.mjs';

/**
 * What the build ships. Later bundles (the VS Code extension, its webviews, the JupyterLab extension)
 * add rows here; `options` is passed to esbuild on top of the row's platform defaults.
 */
const BUNDLES = [
  {
    name: 'cli',
    entry: 'packages/cli/src/main.ts',
    outfile: 'packages/cli/dist/runtrail.mjs',
    // `pipeline run` carries its Python step runner and the kernel helper as text (written out at run time).
    options: () => ({ ...nodeBundleOptions(), loader: { '.py': 'text' } }),
  },
  {
    // The shareable run and compare pages (packages/ui in a plain browser page) that the backend serves; `after`
    // copies the bundle next to the CLI bundle, where `runtrail serve` looks for it first.
    name: 'pages',
    entry: 'packages/ui/src/pages/main.ts',
    outfile: 'backend/dist/pages/runtrail-pages.js',
    options: () => ({ bundle: true, platform: 'browser', format: 'iife', target: 'es2022', minify: true, sourcemap: false, logLevel: 'warning' }),
    after: copyPagesBesideCli,
  },
  {
    // The JupyterLab extension: esbuild compiles our TypeScript (core included) into lib/index.js with
    // JupyterLab's own packages left external; JupyterLab's builder then makes the federated labextension.
    name: 'jupyterlab',
    entry: 'jupyterlab-ext/src/index.ts',
    outfile: 'jupyterlab-ext/lib/index.js',
    options: () => ({
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      external: ['@jupyterlab/*', '@lumino/*', 'react', 'react-dom'],
      loader: { '.py': 'text' },
      sourcemap: false,
      logLevel: 'warning',
    }),
    after: buildLabextension,
  },
  {
    // The VS Code extension host (CommonJS, `vscode` supplied by VS Code); `after` bundles the webview script
    // that hosts packages/ui in the run and compare panels, then packages both into a .vsix.
    name: 'vscode',
    entry: 'vscode-ext/src/extension.ts',
    outfile: 'vscode-ext/dist/extension.cjs',
    options: () => ({
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      // ws loads these optional native speed-ups in a try/catch; without them it uses plain JavaScript.
      external: ['vscode', 'bufferutil', 'utf-8-validate'],
      // The kernel helper (packages/kernel) is injected into notebook kernels as text.
      loader: { '.py': 'text' },
      // Smaller to ship and to parse at startup; names are kept so stack traces in the log stay readable.
      minify: true,
      keepNames: true,
      sourcemap: false,
      logLevel: 'warning',
    }),
    after: buildVsix,
  },
];

/** Copies the pages bundle into packages/cli/dist/pages, where the bundled backend finds it. */
async function copyPagesBesideCli() {
  const { copyFileSync, mkdirSync } = await import('node:fs');
  const target = join(ROOT, 'packages', 'cli', 'dist', 'pages');
  mkdirSync(target, { recursive: true });
  copyFileSync(join(ROOT, 'backend', 'dist', 'pages', 'runtrail-pages.js'), join(target, 'runtrail-pages.js'));
}

/** Bundles the VS Code webview script and packages the extension with vsce; prints both sizes and the .vsix path. */
async function buildVsix() {
  const { spawnSync } = await import('node:child_process');
  const { readFileSync, statSync } = await import('node:fs');
  const esbuild = await loadEsbuild();
  const dir = join(ROOT, 'vscode-ext');
  const webview = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [join(dir, 'src', 'webview', 'main.ts')],
    outfile: join(dir, 'dist', 'webview.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    metafile: true,
    logLevel: 'warning',
  });
  const webviewBytes = Object.values(webview.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
  console.log(`vscode: webview bundle vscode-ext/dist/webview.js ${formatBytes(webviewBytes)}`);
  const { name, version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const vsix = join(dir, 'dist', `${name}-${version}.vsix`);
  // Everything the extension runs is bundled, so vsce's npm dependency walk (which trips on workspaces) is off.
  const vsce = spawnSync(
    join(ROOT, 'node_modules', '.bin', 'vsce'),
    ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', vsix],
    { cwd: dir, encoding: 'utf8' },
  );
  if (vsce.status !== 0) {
    process.stderr.write(vsce.stdout + vsce.stderr);
    throw new Error('vsce package failed (output above)');
  }
  console.log(`vscode: packaged ${relative(ROOT, vsix)} ${formatBytes(statSync(vsix).size)}`);
  return vsix;
}

/** Runs JupyterLab's extension builder on jupyterlab-ext (outputs runtrail_jupyterlab/labextension). */
async function buildLabextension() {
  const { spawnSync } = await import('node:child_process');
  const builder = join(ROOT, 'node_modules', '@jupyter', 'builder', 'lib', 'build-labextension.js');
  const core = join(ROOT, 'node_modules', '@jupyterlab', 'core-meta', 'core.package.json');
  const result = spawnSync(process.execPath, [builder, '--core-package-file', core, join(ROOT, 'jupyterlab-ext')], {
    cwd: join(ROOT, 'jupyterlab-ext'),
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    throw new Error('the JupyterLab extension builder failed (output above)');
  }
  return join(ROOT, 'jupyterlab-ext', 'runtrail_jupyterlab', 'labextension');
}

/**
 * ESM bundles run by Node cannot call `require`, but CJS dependencies bundled into them do: define it from
 * the bundle's own URL, so that requires of externals resolve from the bundle's location.
 */
const NODE_ESM_BANNER = [
  "import { createRequire as __runtrailCreateRequire } from 'node:module';",
  'const require = __runtrailCreateRequire(import.meta.url);',
].join('\n');

/** Native (or optional native) modules that must stay outside any bundle; more are detected by binding.gyp. */
const KNOWN_NATIVE_MODULES = ['better-sqlite3', 'bufferutil', 'utf-8-validate', 'pg-native', 'fsevents', 'cpu-features'];

/** Installed packages that compile a native addon (they ship a binding.gyp). */
function detectNativeModules() {
  const nodeModules = join(ROOT, 'node_modules');
  if (!existsSync(nodeModules)) return [];
  const names = [];
  for (const entry of readdirSync(nodeModules)) {
    if (entry.startsWith('.')) continue;
    const scoped = entry.startsWith('@') ? readdirSync(join(nodeModules, entry)).map((s) => `${entry}/${s}`) : [entry];
    for (const name of scoped) if (existsSync(join(nodeModules, name, 'binding.gyp'))) names.push(name);
  }
  return names;
}

/** esbuild options for a Node 20 ESM bundle with native modules left external. */
export function nodeBundleOptions() {
  return {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: NODE_ESM_BANNER },
    external: [...new Set([...KNOWN_NATIVE_MODULES, ...detectNativeModules()])],
    sourcemap: 'linked',
    logLevel: 'warning',
  };
}

async function loadEsbuild() {
  try {
    return await import('esbuild');
  } catch {
    throw new Error('esbuild is not installed: run `npm install` (or `npm test`, which sets everything up)');
  }
}

async function main() {
  const wanted = process.argv.slice(2);
  const bundles = wanted.length ? BUNDLES.filter((b) => wanted.includes(b.name)) : BUNDLES;
  const unknown = wanted.filter((w) => !BUNDLES.some((b) => b.name === w));
  if (unknown.length) throw new Error(`unknown bundle(s) ${unknown.join(', ')}; bundles: ${BUNDLES.map((b) => b.name).join(', ')}`);

  // Check every entry first so that a missing one fails the build before anything is written.
  const missing = bundles.filter((b) => !existsSync(join(ROOT, b.entry)));
  if (missing.length) {
    throw new Error(missing.map((b) => `entry ${b.entry} of bundle "${b.name}" does not exist`).join('; '));
  }

  const esbuild = await loadEsbuild();
  const rows = [];
  for (const bundle of bundles) {
    const started = performance.now();
    const outfile = join(ROOT, bundle.outfile);
    let result;
    try {
      result = await esbuild.build({
        ...bundle.options(),
        absWorkingDir: ROOT,
        entryPoints: [join(ROOT, bundle.entry)],
        outfile,
        metafile: true,
      });
    } catch (err) {
      const count = err.errors?.length;
      throw new Error(count ? `bundle "${bundle.name}": ${count} esbuild error(s), shown above` : err.message);
    }
    const bytes = result.metafile.outputs[relative(ROOT, outfile).split('\\').join('/')]?.bytes ?? 0;
    if (bundle.after) await bundle.after();
    rows.push({ ...bundle, bytes, ms: performance.now() - started });
  }

  const width = Math.max(6, ...rows.map((r) => r.name.length));
  const outWidth = Math.max(6, ...rows.map((r) => r.outfile.length));
  console.log(`${'bundle'.padEnd(width)}  ${'output'.padEnd(outWidth)}  ${'size'.padStart(9)}  ${'time'.padStart(6)}`);
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(width)}  ${r.outfile.padEnd(outWidth)}  ${formatBytes(r.bytes).padStart(9)}  ${formatDuration(r.ms).padStart(6)}`,
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await main();
  } catch (err) {
    // esbuild has already printed its own diagnostics; keep ours to one line.
    console.error(`build failed: ${err.message.split('\n')[0]}`);
    process.exitCode = 1;
  }
}

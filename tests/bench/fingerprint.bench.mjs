/**
 * Fingerprint throughput of the kernel helper (packages/kernel/runtrail_kernel.py) on a ~1 GB numeric
 * DataFrame, against pandas.util.hash_pandas_object measured in the same run (fingerprint_bench.py does the
 * work in the project venv). Goals from issue 3: >= 3 GB/s and >= 15x pandas. Method: docs/benchmarks.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const python = process.env.RUNTRAIL_PYTHON ?? join(ROOT, '.venv', process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');
if (!existsSync(python)) {
  console.error(`no Python venv at ${python}: run \`node scripts/test.mjs python\` (or npm run bench) first`);
  process.exit(1);
}
const result = spawnSync(python, [join(ROOT, 'tests', 'bench', 'fingerprint_bench.py')], { stdio: 'inherit', cwd: ROOT });
process.exit(result.status ?? 1);

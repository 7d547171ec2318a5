/**
 * Capture cost in a real ipykernel: the kernel helper plus its delta round trip per cell, against a plain
 * kernel measured in the same run, alternated (kernel_latency_bench.py drives both over jupyter_client). Goals
 * from issue 3: < 5 ms p95 added per trivial cell, < 2% on a realistic 200-cell notebook. Method: docs/benchmarks.md.
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
const result = spawnSync(python, [join(ROOT, 'tests', 'bench', 'kernel_latency_bench.py')], { stdio: 'inherit', cwd: ROOT });
process.exit(result.status ?? 1);

/** Deterministic sample records for the demo page: many runs, and executions and series made on demand. */
import type { CellExecution, DataSnapshot, Run } from '@runtrail/core/schema';
import type { SeriesPoint } from '../src/model/downsample';

/** A small seeded PRNG (mulberry32), so every reload shows the same runs. */
function random(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let x = Math.imul(t ^ (t >>> 15), 1 | t);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const SHA = (n: number) => n.toString(16).padStart(8, '0').repeat(8);
const STATUSES = ['finished', 'finished', 'finished', 'failed', 'killed', 'running'] as const;

function snapshots(id: string, rnd: () => number, start: number): DataSnapshot[] {
  const rows = 10_000 + Math.floor(rnd() * 3) * 500;
  return [
    {
      id: `${id}-s1`,
      name: 'train',
      kind: 'pandas',
      fingerprint: `fp${Math.floor(rnd() * 3)}`.padEnd(16, '0'),
      sampled: false,
      shape: [rows, 3],
      columns: [
        { column: 'age', dtype: 'int64', count: rows, nulls: 0, min: 18, max: 90, mean: 41 + rnd(), std: 12.5, distinct: 72 },
        { column: 'income', dtype: rnd() > 0.8 ? 'float32' : 'float64', count: rows, nulls: Math.floor(rnd() * 20), min: 0, max: 250_000, mean: 52_000, std: 18_000, distinct: null },
        { column: 'city', dtype: 'object', count: rows, nulls: 3, min: 'Aachen', max: 'Zwolle', distinct: 412 },
      ],
      capturedAt: start + 2_000,
    },
  ];
}

/** `count` runs with varied params, metrics, statuses and the odd missing value. */
export function sampleRuns(count: number, now = Date.now()): Run[] {
  const rnd = random(42);
  return Array.from({ length: count }, (_, i): Run => {
    const id = `run-${String(i).padStart(5, '0')}`;
    const start = now - (count - i) * 3_600_000 - Math.floor(rnd() * 600_000);
    const status = STATUSES[Math.floor(rnd() * STATUSES.length)]!;
    const lr = [0.1, 0.03, 0.01, 0.003, 0.001][Math.floor(rnd() * 5)]!;
    const acc = 0.6 + rnd() * 0.38;
    return {
      id,
      experimentId: 'exp-demo',
      name: i % 17 === 0 ? '' : `${['resnet', 'vit', 'mlp'][i % 3]} lr=${lr} #${i}`,
      status,
      startTime: start,
      endTime: status === 'running' ? null : start + 20_000 + Math.floor(rnd() * 3_000_000),
      source: i % 5 === 0 ? { kind: 'script', path: 'train.py' } : { kind: 'notebook', path: 'notebooks/train.ipynb', cellIds: ['c1', 'c2', 'c3'] },
      params: [
        { key: 'lr', value: lr, origin: 'parameters-cell' },
        { key: 'batch_size', value: [32, 64, 128][i % 3]!, origin: 'parameters-cell' },
        { key: 'optimizer', value: rnd() > 0.5 ? 'adam' : 'sgd', origin: 'literal-assignment' },
        ...(i % 4 === 0 ? [{ key: 'layers', value: [64, 64, 32], origin: 'explicit' as const }] : []),
      ],
      metrics: [
        { key: 'acc', last: acc, min: 0.1, max: acc, step: 99, timestamp: start, count: 100 },
        { key: 'loss', last: 1 - acc + rnd() * 0.05, min: 1 - acc, max: 2.3, step: 99, timestamp: start, count: 100 },
        ...(i % 3 === 0 ? [{ key: 'val/acc', last: acc - rnd() * 0.05, min: 0.1, max: acc, step: 9, timestamp: start, count: 10 }] : []),
      ],
      tags: i % 7 === 0 ? [{ key: 'team', value: 'vision' }] : [],
      note: i % 10 === 0 ? 'Tried a warmup schedule.\nLooks more stable after epoch 3.' : '',
      environment: {
        python: '3.11.9',
        os: 'Linux 6.8',
        packages: { numpy: '1.26.4', pandas: '2.2.2', torch: '2.3.1', 'scikit-learn': '1.5.0', matplotlib: '3.9.0' },
        git: { commit: SHA(i * 7919).slice(0, 40), branch: 'main', dirty: i % 4 === 1 },
      },
      snapshots: snapshots(id, rnd, start),
      artifacts: [{ path: 'model/weights.pt', size: 44_000_000 + i, sha256: SHA(i + 1), blob: { sha256: SHA(i + 1), size: 44_000_000 + i } }],
      cellCount: 3,
      parentRunId: null,
    };
  });
}

const CELLS: [string, string][] = [
  ['c1', 'import pandas as pd\nimport torch\n\nlr = {lr}\nbatch_size = 64'],
  ['c2', "train = pd.read_parquet('data/train.parquet')\ntrain = train.dropna(subset=['income'])"],
  ['c3', 'model = build_model(layers={layers})\nfor epoch in range(100):\n    loss = step(model, train, lr)\n    runtrail.log_metric("loss", loss, step=epoch)'],
];

/** Cell executions of a run, derived from its params so two runs' code differs where their params do. */
export function sampleExecutions(run: Run): CellExecution[] {
  const lr = run.params.find((p) => p.key === 'lr')?.value ?? 0.01;
  const layers = JSON.stringify(run.params.find((p) => p.key === 'layers')?.value ?? [128]);
  return CELLS.map(([cellId, template], i) => {
    const source = template.replace('{lr}', String(lr)).replace('{layers}', layers);
    const failed = run.status === 'failed' && i === 2;
    return {
      id: `${run.id}-e${i}`,
      cellId,
      executionCount: i + 1,
      source,
      sourceHash: `h${source.length.toString().padStart(8, '0')}`,
      startedAt: run.startTime + i * 1000,
      durationMs: [120, 2400, 65_000][i]!,
      status: failed ? 'error' : 'ok',
      error: failed ? { ename: 'RuntimeError', evalue: 'CUDA out of memory', tracebackDigest: 'abc12345' } : null,
      outputs: i === 2 ? [{ outputType: 'stream', mimeTypes: ['text/plain'], text: 'epoch 0 loss 2.30\nepoch 1 loss 1.71', truncated: true }] : [],
      namesRead: [],
      namesWritten: [],
      snapshotIds: [],
    };
  });
}

/** A metric series for a run: noisy decay (loss) or growth, with `points` steps and one spike. */
export function sampleSeries(runId: string, key: string, points = 20_000): SeriesPoint[] {
  let seed = 0;
  for (const ch of runId + key) seed = (seed * 31 + ch.charCodeAt(0)) | 0;
  const rnd = random(seed);
  const rising = !key.includes('loss');
  return Array.from({ length: points }, (_, step) => {
    const t = step / points;
    const base = rising ? 0.95 - 0.8 * Math.exp(-5 * t) : 0.05 + 2.2 * Math.exp(-5 * t);
    const spike = step === Math.floor(points * 0.61) ? (rising ? -0.4 : 1.5) : 0;
    return { step, value: base + (rnd() - 0.5) * 0.04 + spike };
  });
}

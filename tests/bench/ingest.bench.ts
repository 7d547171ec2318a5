/**
 * HTTP ingest of metric batches: runtrail's log-batch route against a naive baseline measured in the same
 * run — the same SQLite file settings, the same HTTP stack and client load, but one INSERT per row in
 * autocommit mode (no transaction), which is how a first-cut tracking server writes.
 *
 * Prints metrics/s of both and the ratio. Method and latest figures: docs/benchmarks.md.
 */
import { serve } from '@hono/node-server';
import Database from 'better-sqlite3';
import { Hono } from 'hono';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '@runtrail/backend';

const CLIENTS = 4;
const BATCH = 1000;
const BATCHES_PER_CLIENT = Number(process.env.BENCH_BATCHES ?? 25);
// A regression guard, not a target from an issue: measured 3.5x on a 2-core machine (docs/benchmarks.md).
const GOAL_RATIO = 2.5;

type Post = (path: string, body: unknown) => Promise<void>;

function poster(base: string, token: string): Post {
  return async (path, body) => {
    const res = await fetch(base + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  };
}

function batch(client: number, n: number) {
  return {
    metrics: Array.from({ length: BATCH }, (_, i) => {
      const step = n * BATCH + i;
      return { key: `m${i % 10}`, value: Math.sin(step) * client, step, timestamp: 1_700_000_000_000 + step };
    }),
  };
}

/** Runs CLIENTS concurrent clients, each posting BATCHES_PER_CLIENT batches; returns metrics per second. */
async function load(post: Post, pathOf: (client: number) => string): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let n = 0; n < BATCHES_PER_CLIENT; n++) await post(pathOf(c), batch(c, n));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return (CLIENTS * BATCHES_PER_CLIENT * BATCH) / seconds;
}

async function runtrail(dir: string): Promise<number> {
  const server = await startServer({ dataDir: dir, port: 0, token: 'bench', log: () => {} });
  const post = poster(server.url, 'bench');
  await post('/api/v1/experiments', { id: 'bench', name: 'bench' });
  for (let c = 0; c < CLIENTS; c++) await post('/api/v1/runs', { id: `run-${c}`, experimentId: 'bench' });
  try {
    return await load(post, (c) => `/api/v1/runs/run-${c}/log-batch`);
  } finally {
    await server.close();
  }
}

async function naive(dir: string): Promise<number> {
  const db = new Database(join(dir, 'naive.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE metrics (run_id TEXT NOT NULL, key TEXT NOT NULL, step INTEGER NOT NULL, value REAL,
    timestamp INTEGER NOT NULL, PRIMARY KEY (run_id, key, step)) WITHOUT ROWID`);
  const insert = db.prepare('INSERT OR IGNORE INTO metrics (run_id, key, step, value, timestamp) VALUES (?, ?, ?, ?, ?)');
  const app = new Hono();
  app.post('/runs/:runId/log-batch', async (c) => {
    const body = (await c.req.json()) as { metrics: { key: string; value: number; step: number; timestamp: number }[] };
    for (const m of body.metrics) insert.run(c.req.param('runId'), m.key, m.step, m.value, m.timestamp);
    return c.json({ ok: true });
  });
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s as Server));
  });
  const port = (server.address() as AddressInfo).port;
  try {
    return await load(poster(`http://127.0.0.1:${port}`, 'none'), (c) => `/runs/run-${c}/log-batch`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
    db.close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'runtrail-bench-'));
  try {
    // Warm up both paths (JIT, page cache), then measure alternately and keep the best of each.
    await naive(mkdtempSync(join(dir, 'w1-')));
    await runtrail(mkdtempSync(join(dir, 'w2-')));
    const ours: number[] = [];
    const base: number[] = [];
    for (let i = 0; i < 3; i++) {
      base.push(await naive(mkdtempSync(join(dir, `n${i}-`))));
      ours.push(await runtrail(mkdtempSync(join(dir, `r${i}-`))));
    }
    const best = (xs: number[]) => Math.max(...xs);
    const ratio = best(ours) / best(base);
    console.log(`ingest: ${CLIENTS} clients x ${BATCHES_PER_CLIENT} batches x ${BATCH} metrics over HTTP`);
    console.log(`  runtrail log-batch     ${Math.round(best(ours)).toLocaleString('en-US')} metrics/s`);
    console.log(`  naive (row autocommit) ${Math.round(best(base)).toLocaleString('en-US')} metrics/s`);
    console.log(`  ratio ${ratio.toFixed(1)}x (goal >= ${GOAL_RATIO}x)`);
    console.log(JSON.stringify({ bench: 'ingest', metricsPerSecond: best(ours), baselinePerSecond: best(base), ratio }));
    if (ratio < GOAL_RATIO) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

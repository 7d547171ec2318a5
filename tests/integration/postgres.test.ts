/**
 * `runtrail serve --db postgres://...`: the bundled CLI against a real PostgreSQL that the test harness starts
 * (initdb into a temp folder, a free port on 127.0.0.1) and deletes afterwards.
 */
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuntrailClient } from '@runtrail/core/client';
import { startTestPostgres, type TestPostgres } from '../../backend/store/postgres/test-server';
import { CLI, ensureBuilt, startBackend, tempDataDir, type BackendProcess } from './harness';

let server: TestPostgres;
const folders: { remove(): void }[] = [];
const backends: BackendProcess[] = [];
beforeAll(async () => {
  ensureBuilt();
  server = await startTestPostgres();
});
afterAll(async () => {
  await Promise.all(backends.map((b) => b.stop()));
  for (const folder of folders) folder.remove();
  await server?.stop();
});

async function serve(db: string): Promise<BackendProcess> {
  const data = tempDataDir();
  folders.push(data);
  const backend = await startBackend(data.dir, 'pg-token', 0, ['--db', db]);
  backends.push(backend);
  return backend;
}

function serveFails(db: string): { status: number | null; stderr: string } {
  const data = tempDataDir();
  folders.push(data);
  const result = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--data', data.dir, '--db', db], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stderr: result.stderr };
}

describe('runtrail serve --db postgres://', () => {
  it('keeps runs and metric series in PostgreSQL: a second server with an empty data folder sees them', async () => {
    const db = await server.createDatabase();
    const first = await serve(db);
    const writer = new RuntrailClient({ baseUrl: first.url, token: first.token });
    await writer.call('createExperiment', { body: { id: 'pg-exp', name: 'on postgres' } });
    await writer.call('createRun', { body: { id: 'pg-run', experimentId: 'pg-exp', name: 'first' } });
    const metrics = Array.from({ length: 20 }, (_, step) => ({ key: 'loss', value: 1 / (step + 1), step, timestamp: 1_000 + step }));
    await writer.call('logBatch', { params: { runId: 'pg-run' }, body: { params: [{ key: 'lr', value: 0.1 }], metrics } });
    expect(await first.stop('SIGTERM')).toBe(0);

    const second = await serve(db);
    const reader = new RuntrailClient({ baseUrl: second.url, token: second.token });
    const run = await reader.call('getRun', { params: { runId: 'pg-run' } });
    expect(run).toMatchObject({ name: 'first', params: [expect.objectContaining({ key: 'lr', value: 0.1 })] });
    expect(run.metrics.find((m) => m.key === 'loss')).toMatchObject({ count: 20, last: 1 / 20 });
    const history = await reader.call('metricHistory', { params: { runId: 'pg-run' }, query: { key: 'loss' } });
    expect(history.points.map((p) => p.step)).toEqual(metrics.map((m) => m.step));
    const found = await reader.call('searchRuns', { body: { filter: [{ field: 'params.lr', op: '<', value: 0.5 }] } });
    expect(found.runs.map((r) => r.id)).toEqual(['pg-run']);

    // The rows are in PostgreSQL itself.
    const client = new pg.Client({ connectionString: db });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>("SELECT count(*) AS n FROM metrics WHERE run_id = 'pg-run'");
      expect(Number(rows[0]!.n)).toBe(20);
    } finally {
      await client.end();
    }
  });

  it('exits 1 with a clear error naming the database (password hidden) when it cannot be reached', () => {
    const unreachable = server.url('postgres').replace(/:(\d+)\//, ':1/').replace('runtrail@', 'runtrail:hunter2@');
    const { status, stderr } = serveFails(unreachable);
    expect(status).toBe(1);
    expect(stderr).toContain('runtrail: error: cannot use PostgreSQL at postgres://runtrail:***@127.0.0.1:1/postgres: connect ECONNREFUSED');
    expect(stderr).not.toContain('hunter2');
  });

  it('exits 2 when --db is not a PostgreSQL URL', () => {
    const { status, stderr } = serveFails('mysql://localhost/db');
    expect(status).toBe(2);
    expect(stderr).toContain("--db must be a postgres:// or postgresql:// URL, got 'mysql://localhost/db'");
  });
});

/**
 * Durability: several clients ingest concurrently, the server is SIGKILLed mid-stream and restarted on the
 * same data folder (and database). Every acknowledged write must be there, none twice; retrying
 * unacknowledged writes after the restart must not duplicate anything either. Runs on SQLite and on a
 * PostgreSQL that the harness starts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { RuntrailClient } from '@runtrail/core/client';
import { startTestPostgres, type TestPostgres } from '../../backend/store/postgres/test-server';
import { startBackend, tempDataDir, type BackendProcess } from './harness';

const CLIENTS = 4;
const BATCH = 50;

interface ClientLog {
  runId: string;
  ackedSteps: Set<number>;
  ackedCells: Set<string>;
  unacked: { steps: number[]; cellId: string } | null;
}

let postgres: Promise<TestPostgres> | null = null;
afterAll(async () => {
  if (postgres) await (await postgres).stop();
});

/** Where each variant stores its data: `runtrail serve` arguments beyond the data folder. */
const STORES: { name: string; serveArgs: () => Promise<string[]> }[] = [
  { name: 'SQLite', serveArgs: async () => [] },
  {
    name: 'PostgreSQL',
    serveArgs: async () => {
      postgres ??= startTestPostgres({ durable: true });
      return ['--db', await (await postgres).createDatabase()];
    },
  },
];

function client(b: BackendProcess) {
  return new RuntrailClient({ baseUrl: b.url, token: b.token });
}

function cell(id: string) {
  return { id, cellId: `cell-${id}`, executionCount: 1, source: `x = "${id}"`, sourceHash: 'hash0000', startedAt: 1, durationMs: 1, status: 'ok' as const };
}

/** Logs batches until the server stops answering; records exactly what was acknowledged. */
async function ingest(c: RuntrailClient, log: ClientLog): Promise<void> {
  for (let batch = 0; ; batch++) {
    const steps = Array.from({ length: BATCH }, (_, i) => batch * BATCH + i);
    const cellId = `${log.runId}-c${batch}`;
    log.unacked = { steps, cellId };
    try {
      await c.call('logBatch', {
        params: { runId: log.runId },
        body: { metrics: steps.map((s) => ({ key: 'loss', value: s / 7, step: s, timestamp: 1_000 + s })) },
      });
      for (const s of steps) log.ackedSteps.add(s);
      await c.call('appendCells', { params: { runId: log.runId }, body: { executions: [cell(cellId)] } });
      log.ackedCells.add(cellId);
      log.unacked = null;
    } catch {
      return;
    }
  }
}

for (const store of STORES) {
  describe(`durability under SIGKILL (${store.name})`, () => {
    const data = tempDataDir();
    let backend: BackendProcess | null = null;
    afterAll(async () => {
      await backend?.stop();
      data.remove();
    });

    it('keeps every acknowledged write exactly once across a kill -9 and restart', async () => {
      const args = await store.serveArgs();
      backend = await startBackend(data.dir, undefined, 0, args);
      const first = client(backend);
      await first.call('createExperiment', { body: { id: 'durable', name: 'durability' } });
      const logs: ClientLog[] = [];
      for (let i = 0; i < CLIENTS; i++) {
        const runId = `durable-run-${i}`;
        await first.call('createRun', { body: { id: runId, experimentId: 'durable' } });
        logs.push({ runId, ackedSteps: new Set(), ackedCells: new Set(), unacked: null });
      }
      const clients = logs.map(() => client(backend!));
      const running = logs.map((log, i) => ingest(clients[i]!, log));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await backend.stop('SIGKILL')).toBeNull();
      await Promise.all(running);
      const acknowledged = logs.reduce((n, l) => n + l.ackedSteps.size, 0);
      expect(acknowledged).toBeGreaterThan(CLIENTS * BATCH);

      backend = await startBackend(data.dir, undefined, 0, args);
      const after = client(backend);
      for (const log of logs) {
        // Retrying what was in flight at the kill must not duplicate anything.
        if (log.unacked) {
          const { steps, cellId } = log.unacked;
          await after.call('logBatch', {
            params: { runId: log.runId },
            body: { metrics: steps.map((s) => ({ key: 'loss', value: s / 7, step: s, timestamp: 1_000 + s })) },
          });
          await after.call('appendCells', { params: { runId: log.runId }, body: { executions: [cell(cellId)] } });
          for (const s of steps) log.ackedSteps.add(s);
          log.ackedCells.add(cellId);
        }
        const history = await after.call('metricHistory', { params: { runId: log.runId }, query: { key: 'loss' } });
        const steps = history.points.map((p) => p.step);
        expect(new Set(steps).size, 'no duplicate points').toBe(steps.length);
        expect(steps.sort((a, b) => a - b)).toEqual([...log.ackedSteps].sort((a, b) => a - b));

        const run = await after.call('getRun', { params: { runId: log.runId } });
        const summary = run.metrics.find((m) => m.key === 'loss');
        expect(summary?.count, 'summary counts each point once').toBe(log.ackedSteps.size);
        expect(summary?.step).toBe(Math.max(...log.ackedSteps));

        const { executions } = await after.call('listCells', { params: { runId: log.runId } });
        const ids = executions.map((e) => e.id);
        expect(new Set(ids).size, 'no duplicate cells').toBe(ids.length);
        expect(new Set(ids)).toEqual(log.ackedCells);
      }
    });
  });
}

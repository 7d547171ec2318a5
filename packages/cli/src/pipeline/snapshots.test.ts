// The last-run snapshot lookup that promotion binds data inputs to (core/pipeline/snapshots.ts, shared by the CLI and
// both notebook UIs), against a real backend on a free port.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '@runtrail/backend';
import { RuntrailClient } from '@runtrail/core/client';
import { lastRunSnapshots } from '@runtrail/core/pipeline';

const TOKEN = 'snapshots-test-token';
let dir: string;
let server: RunningServer;
let client: RuntrailClient;

function snapshot(id: string, fingerprint: string, capturedAt: number) {
  return { id, name: 'raw', kind: 'pandas' as const, fingerprint, shape: [3, 2], capturedAt };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runtrail-snapshots-'));
  server = await startServer({ dataDir: join(dir, 'server'), port: 0, token: TOKEN, log: () => {} });
  client = new RuntrailClient({ baseUrl: server.url, token: TOKEN });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('lastRunSnapshots', () => {
  it("binds to the newest run's snapshots, by variable name", async () => {
    const experiment = await client.call('createExperiment', { body: { name: 'nb', kind: 'notebook', notebookPath: 'nb.ipynb' } });
    for (const [id, start, fingerprint] of [['run-old', 1_000, 'aaaaaaaaaaaaaaaa'], ['run-new', 2_000, 'bbbbbbbbbbbbbbbb']] as const) {
      await client.call('createRun', { body: { id, experimentId: experiment.id, startTime: start } });
      await client.call('attachSnapshots', { params: { runId: id }, body: { snapshots: [snapshot(`${id}-raw`, fingerprint, start + 1)] } });
    }
    const found = await lastRunSnapshots(client, experiment.id);
    expect(found.note).toBeUndefined();
    expect(found.snapshots.raw).toMatchObject({ fingerprint: 'bbbbbbbbbbbbbbbb', kind: 'pandas' });
  });

  it('says why inputs stay unbound: no experiment, no client, no run yet', async () => {
    expect((await lastRunSnapshots(client, undefined)).note).toContain('no runtrail experiment yet');
    expect((await lastRunSnapshots(null, 'e1', { offlineNote: 'no runtrail server is connected' })).note).toBe(
      'no runtrail server is connected: data inputs stay unbound',
    );
    const empty = await client.call('createExperiment', { body: { name: 'empty', kind: 'named' } });
    expect(await lastRunSnapshots(client, empty.id)).toEqual({ snapshots: {}, note: `no captured run of experiment ${empty.id} yet` });
  });

  it('never throws: a refused token or a backend that does not answer becomes the note', async () => {
    const refused = await lastRunSnapshots(new RuntrailClient({ baseUrl: server.url, token: 'wrong' }), 'e1');
    expect(refused.snapshots).toEqual({});
    expect(refused.note).toMatch(/^could not read the last run's snapshots \(.*token/);

    // A port that accepts connections and never answers: the lookup gives up after its timeout.
    const silent: Server = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = Date.now();
      const hung = await lastRunSnapshots(new RuntrailClient({ baseUrl: `http://127.0.0.1:${port}`, token: TOKEN }), 'e1', { timeoutMs: 300 });
      expect(hung.note).toBe("could not read the last run's snapshots (no answer within 0.3 s)");
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      silent.close();
    }
  });
});

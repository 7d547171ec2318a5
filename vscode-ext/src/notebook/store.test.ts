// CaptureStore and NotebookCapture against a real backend (in-process server on a free port, real WebSockets,
// real files): capture works offline, survives a restart of the extension host, and syncs once connected.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '@runtrail/backend';
import { RuntrailClient } from '@runtrail/core/client';
import { KernelDelta, createRedactor, type ObservedExecution } from '@runtrail/core/capture';
import { createNodeSocket } from '../history/socket';
import { NotebookCapture, type NotebookCaptureOptions } from './capture';
import { CaptureStore } from './store';

const TOKEN = 'capture-store-test-token';
let dir: string;
let server: RunningServer;
let client: RuntrailClient;
const stores: CaptureStore[] = [];

async function until<T>(fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function newStore(): CaptureStore {
  const store = new CaptureStore({ dir: join(dir, 'capture'), createSocket: createNodeSocket, flushMs: 50, saveDelayMs: 10 });
  stores.push(store);
  return store;
}

function options(store: CaptureStore, written: string[] = []): NotebookCaptureOptions {
  return {
    store,
    redactor: () => createRedactor(),
    pathExists: async (path) => existsSync(path),
    writeExperimentId: async (id) => void written.push(id),
    notebookDir: dir,
    snapshotMaxBytes: 1024 ** 3,
  };
}

function observed(cellId: string, executionCount: number, source: string, extra: Partial<ObservedExecution> = {}): ObservedExecution {
  return { cellId, executionCount, source, startedAt: Date.now(), durationMs: 5, status: 'ok', error: null, outputs: [], isParametersCell: false, ...extra };
}

/** What the kernel helper answers after the parameters cell and a metric loop (the shape core/capture defines). */
function delta(seq: number, executionCount: number, params: { key: string; value: number }[], metrics: number[]): KernelDelta {
  return KernelDelta.parse({
    v: 1,
    seq,
    cells: [{ executionCount, params: params.map((p) => ({ ...p, origin: 'literal-assignment' })), namesWritten: params.map((p) => p.key) }],
    metrics: metrics.map((value, step) => ({ key: 'loss', value, step, timestamp: Date.now() })),
    snapshots: seq === 1 ? [{ name: 'df', kind: 'pandas', fingerprint: 'xxh128:0123456789abcdef', shape: [3, 2], columns: [] }] : [],
  });
}

async function runsOf(experimentId: string) {
  return (await client.call('searchRuns', { body: { experimentIds: [experimentId] } })).runs;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runtrail-vscode-capture-'));
  server = await startServer({ dataDir: join(dir, 'server'), port: 0, token: TOKEN, log: () => {} });
  client = new RuntrailClient({ baseUrl: server.url, token: TOKEN });
});

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('notebook capture in the extension host', () => {
  it('records offline, keeps everything across a restart, and syncs run, cells, params, snapshot and metrics once connected', async () => {
    const path = join(dir, 'train.ipynb');
    const written: string[] = [];
    const offline = newStore();
    const capture = await NotebookCapture.open({ path, name: 'train.ipynb', metadataExperimentId: null }, 'full', options(offline, written));
    expect(written).toEqual([capture.experimentId]);
    capture.kernelStarted('kernel-1');
    expect(capture.deltaRequest()).toMatchObject({ v: 1, environment: true, notebookDir: dir });
    await capture.recorded(observed('params', 1, 'lr = 0.1', { isParametersCell: true }), delta(1, 1, [{ key: 'lr', value: 0.1 }], [0.9, 0.5]), 'full');
    // The environment is asked once per run.
    expect(capture.deltaRequest().environment).toBe(false);
    await capture.recorded(observed('fail', 2, "raise ValueError('boom')", { status: 'error', error: { ename: 'ValueError', evalue: 'boom', tracebackDigest: 'd' } }), null, 'full');
    const runId = capture.openRunId!;
    expect(runId).toBeTruthy();
    capture.dispose();
    await offline.close();

    // "VS Code restarts": a new store on the same folder, now with a backend.
    const online = newStore();
    online.setConnection({ serverUrl: server.url, token: TOKEN });
    const again = await NotebookCapture.open({ path, name: 'train.ipynb', metadataExperimentId: written[0]! }, 'full', options(online));
    expect(again.experimentId).toBe(written[0]);
    const [run] = await until(async () => {
      const runs = await runsOf(again.experimentId).catch(() => []);
      return runs.length === 1 && runs[0]!.cellCount === 2 && runs[0]!.snapshots.length === 1 ? runs : null;
    }, 'the run on the backend');
    expect(run).toMatchObject({ id: runId, name: 'train #1', params: [{ key: 'lr', value: 0.1, origin: 'parameters-cell' }] });
    expect(run!.snapshots[0]).toMatchObject({ name: 'df', kind: 'pandas', shape: [3, 2] });
    const cells = await client.call('listCells', { params: { runId } });
    expect(cells.executions.map((e) => [e.cellId, e.status])).toEqual([['params', 'ok'], ['fail', 'error']]);
    const history = await until(async () => {
      const h = await client.call('metricHistory', { params: { runId }, query: { key: 'loss' } });
      return h.points.length === 2 ? h : null;
    }, 'the metric series');
    expect(history.points.map((p) => p.value)).toEqual([0.9, 0.5]);
    await until(async () => (await online.outbox.pending()).length === 0, 'the outbox to drain');
    again.dispose();
    expect(online.openExperiments).toBe(0);
  });

  it('a kernel restart ends the run and the next execution opens the next one', async () => {
    const store = newStore();
    const capture = await NotebookCapture.open({ path: join(dir, 'a.ipynb'), name: 'a.ipynb', metadataExperimentId: null }, 'full', options(store));
    capture.kernelStarted('k');
    await capture.recorded(observed('c1', 1, 'x = 1'), null, 'full');
    const first = capture.openRunId;
    capture.kernelRestarted('requested');
    expect(capture.openRunId).toBeNull();
    expect(capture.deltaRequest().environment).toBe(true);
    await capture.recorded(observed('c1', 1, 'x = 1'), null, 'basic');
    expect(capture.openRunId).not.toBe(first);
    expect(capture.level).toBe('basic');
    capture.dispose();
  });

  it('tells a copied notebook (new experiment) from a renamed one (same experiment)', async () => {
    const store = newStore();
    const original = join(dir, 'orig.ipynb');
    const first = await NotebookCapture.open({ path: original, name: 'orig.ipynb', metadataExperimentId: null }, 'basic', options(store));
    first.dispose();
    const id = first.experimentId;
    // The original file still exists: a notebook elsewhere carrying its id is a copy.
    rmSync(original, { force: true });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(original, '{}');
    const copy = await NotebookCapture.open({ path: join(dir, 'copy.ipynb'), name: 'copy.ipynb', metadataExperimentId: id }, 'basic', options(store));
    expect(copy.experimentId).not.toBe(id);
    copy.dispose();
    // Gone from its old place: renamed, same experiment.
    rmSync(original);
    const renamed = await NotebookCapture.open({ path: join(dir, 'renamed.ipynb'), name: 'renamed.ipynb', metadataExperimentId: id }, 'basic', options(store));
    expect(renamed.experimentId).toBe(id);
    renamed.dispose();
  });

  it('shares one doc between notebooks of one experiment; releasing twice is harmless', async () => {
    const store = newStore();
    const a = await store.openExperiment('exp-shared', 'n', 'n.ipynb');
    const b = await store.openExperiment('exp-shared', 'n', 'n.ipynb');
    expect(a.doc).toBe(b.doc);
    a.release();
    a.release();
    expect(store.openExperiments).toBe(1);
    b.release();
    expect(store.openExperiments).toBe(0);
  });
});

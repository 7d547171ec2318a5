import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { getRunMap, readCellExecutions, readRun, runsMap } from '../sync/doc';
import { Outbox, memoryOutboxStorage } from '../sync/outbox';
import type { OutboxPayload } from '../sync/delivery';
import type { KernelDelta } from './delta';
import { createRedactor } from './redact';
import { NotebookCaptureSession, type ObservedExecution } from './session';
import { createCaptureState } from './state';

function setup() {
  let clock = 1000;
  let id = 0;
  const doc = new Y.Doc();
  const outbox = new Outbox<OutboxPayload>(memoryOutboxStorage(), () => `o${id++}`);
  const saved: unknown[] = [];
  const session = new NotebookCaptureSession(
    {
      experimentId: 'exp', notebookPath: () => 'work/churn.ipynb', doc, outbox, redactor: createRedactor(),
      now: () => clock++, newId: () => `id${id++}`, saveState: (s) => saved.push(s),
    },
    createCaptureState(),
  );
  return { doc, outbox, session, saved };
}

const exec = (cellId: string, source: string, extra: Partial<ObservedExecution> = {}): ObservedExecution => ({
  cellId, executionCount: 1, source, startedAt: 2000, durationMs: 5, status: 'ok', error: null, outputs: [], isParametersCell: false, ...extra,
});

const delta = (extra: Partial<KernelDelta> = {}): KernelDelta => ({
  v: 1, seq: 0, cells: [], explicitParams: [], metrics: [], tags: [], snapshots: [], columnStats: [], pending: 0, artifacts: [], environment: null, warnings: [], ...extra,
});

async function observe(session: NotebookCaptureSession, observed: ObservedExecution, d: KernelDelta | null) {
  session.executionObserved(observed);
  await session.deltaReceived(d);
}

describe('NotebookCaptureSession', () => {
  it('records runs, cells, params, snapshots and environment in the doc and queues metrics', async () => {
    const { doc, outbox, session, saved } = setup();
    session.kernelStarted();
    await observe(session, exec('p', 'lr = 0.1', { isParametersCell: true, executionCount: 1 }), delta({
      cells: [{ executionCount: 1, params: [{ key: 'lr', value: 0.1, origin: 'literal-assignment' }], namesWritten: ['lr'] }],
      environment: { python: '3.11.7', packages: { pandas: '2.2.0' } },
    }));
    await observe(session, exec('load', 'df = pd.read_csv("x.csv")', { executionCount: 2 }), delta({
      snapshots: [{ name: 'df', kind: 'pandas', fingerprint: 'f'.repeat(32), sampled: false, shape: [3, 2], columns: [] }],
      metrics: [{ key: 'loss', value: 0.5, step: 0, timestamp: 1 }],
    }));
    expect(runsMap(doc).size).toBe(1);
    const runId = session.openRunId!;
    const run = readRun(getRunMap(doc, runId)!);
    expect(run).toMatchObject({ name: 'churn #1', status: 'running', environment: { python: '3.11.7' } });
    expect(run.params).toEqual([{ key: 'lr', value: 0.1, origin: 'parameters-cell' }]);
    expect(run.snapshots.map((s) => s.name)).toEqual(['df']);
    const cells = readCellExecutions(getRunMap(doc, runId)!);
    expect(cells.map((c) => c.cellId)).toEqual(['p', 'load']);
    expect(cells[1]!.snapshotIds).toEqual([run.snapshots[0]!.id]);
    expect((await outbox.pending()).map((i) => i.payload)).toEqual([{ kind: 'log-batch', runId, metrics: [{ key: 'loss', value: 0.5, step: 0, timestamp: 1 }], params: [], tags: [] }]);
    expect(saved.length).toBeGreaterThan(0);
  });

  it('completes a snapshot whose statistics arrive in a later delta, even after the run ended', async () => {
    const { doc, session } = setup();
    session.kernelStarted();
    const fingerprint = 'xxh128:' + 'a'.repeat(32);
    await observe(session, exec('load', 'big = load()', { executionCount: 1 }), delta({
      snapshots: [{ name: 'big', kind: 'pandas', fingerprint, sampled: false, shape: [400000, 1], columns: [], statsPending: true }],
      pending: 1,
    }));
    const firstRun = session.openRunId!;
    expect(readRun(getRunMap(doc, firstRun)!).snapshots[0]).toMatchObject({ statsPending: true, columns: [] });
    session.kernelRestarted('requested');
    const columns = [{ column: 'x', dtype: 'float64', count: 400000, nulls: 0, min: 0, max: 9 }];
    // The statistics come with a delta that covers no execution (the follow-up the frontend asks when idle).
    await session.deltaReceived(delta({ columnStats: [{ fingerprint, name: 'big', columns }] }));
    const [snapshot] = readRun(getRunMap(doc, firstRun)!).snapshots;
    expect(snapshot!.columns).toEqual(columns);
    expect(snapshot!.statsPending).toBeUndefined();
    // A second copy of the same statistics changes nothing.
    const before = Y.encodeStateVector(doc);
    await session.deltaReceived(delta({ columnStats: [{ fingerprint, name: 'big', columns }] }));
    expect(Y.encodeStateVector(doc)).toEqual(before);
  });

  it('records a snapshot fingerprinted in the background on the run and cell it belongs to', async () => {
    const { doc, session } = setup();
    session.kernelStarted();
    await observe(session, exec('load', 'big = load()', { executionCount: 1 }), delta({ pending: 1 }));
    const firstRun = session.openRunId!;
    session.newRun();
    // The next cell's delta brings the snapshot of execution 1, which is in the previous run.
    await observe(session, exec('next', 'x = 1', { executionCount: 2 }), delta({
      snapshots: [
        { name: 'big', kind: 'pandas', fingerprint: 'xxh128:' + 'c'.repeat(32), sampled: false, shape: [9, 1], columns: [], executionCount: 1 },
        { name: 'small', kind: 'pandas', fingerprint: 'xxh128:' + 'd'.repeat(32), sampled: false, shape: [2, 1], columns: [] },
      ],
    }));
    const secondRun = session.openRunId!;
    expect(secondRun).not.toBe(firstRun);
    const first = readRun(getRunMap(doc, firstRun)!);
    expect(first.snapshots.map((s) => s.name)).toEqual(['big']);
    expect(readCellExecutions(getRunMap(doc, firstRun)!)[0]!.snapshotIds).toEqual([first.snapshots[0]!.id]);
    const second = readRun(getRunMap(doc, secondRun)!);
    expect(second.snapshots.map((s) => s.name)).toEqual(['small']);
    expect(readCellExecutions(getRunMap(doc, secondRun)!)[0]!.snapshotIds).toEqual([second.snapshots[0]!.id]);
    expect(JSON.stringify(doc.toJSON())).not.toContain('executionCount":1,"snapshot');
  });

  it('uploads images and long outputs as blobs through the outbox, long texts redacted first', async () => {
    const { doc, outbox, session } = setup();
    const secret = 'ghp_' + 'aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6';
    const longText = 'y'.repeat(5000) + ` token=${secret}`;
    const image = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    await observe(session, exec('plot', 'show()', {
      outputs: [
        { outputType: 'display_data', mimeTypes: ['image/png'], truncated: false },
        { outputType: 'stream', mimeTypes: ['text/stdout'], text: 'y'.repeat(4096), truncated: true },
      ],
      outputBlobs: [{ mediaType: 'image/png', bytes: image }, { mediaType: 'text/plain; charset=utf-8', bytes: new TextEncoder().encode(longText) }],
    }), delta());
    const [cell] = readCellExecutions(getRunMap(doc, session.openRunId!)!);
    const uploads = (await outbox.pending()).map((i) => i.payload).filter((p) => p.kind === 'put-blob');
    expect(uploads.map((u) => u.kind === 'put-blob' && u.sha256)).toEqual(cell!.outputs.map((o) => o.blob!.sha256));
    expect(cell!.outputs[0]!.blob).toMatchObject({ size: 4, mediaType: 'image/png' });
    const text = atob(uploads[1]!.kind === 'put-blob' ? uploads[1]!.base64 : '');
    expect(text).toContain('token=[redacted]');
    expect(JSON.stringify(doc.toJSON()) + JSON.stringify(uploads)).not.toContain(secret);
    expect(JSON.stringify(doc.toJSON())).not.toContain('outputBlobs');
  });

  it('records each execution once and in order when deltas arrive while blobs are being hashed', async () => {
    const { doc, session } = setup();
    const blob = { mediaType: 'image/png', bytes: new Uint8Array(100_000) };
    const output = { outputType: 'display_data' as const, mimeTypes: ['image/png'], truncated: false };
    session.executionObserved(exec('a', 'plot()', { executionCount: 1, outputs: [output], outputBlobs: [blob] }));
    const first = session.deltaReceived(delta());
    session.executionObserved(exec('b', 'x = 1', { executionCount: 2 }));
    const second = session.deltaReceived(delta({ cells: [{ executionCount: 2, params: [], namesWritten: ['x'] }] }));
    await Promise.all([first, second, session.deltaReceived(null)]);
    expect(readCellExecutions(getRunMap(doc, session.openRunId!)!).map((c) => c.cellId)).toEqual(['a', 'b']);
  });

  it('opens a new run after a restart and ends the old one', async () => {
    const { doc, session } = setup();
    session.kernelStarted();
    await observe(session, exec('a', 'x = 1'), null);
    const first = session.openRunId;
    session.kernelRestarted('requested');
    await observe(session, exec('a', 'x = 1'), null);
    expect(session.openRunId).not.toBe(first);
    expect(readRun(getRunMap(doc, first!)!).status).toBe('finished');
  });

  it('never records a secret from the cell source or explicit params', async () => {
    const { doc, session } = setup();
    await observe(session, exec('a', 'token = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"'), delta({
      explicitParams: [{ key: 'api_key', value: 'sk-live-abcdefghijklmnop1234', origin: 'explicit' }],
    }));
    expect(JSON.stringify(doc.toJSON())).not.toMatch(/ghp_abcdef|sk-live-abcdef/);
  });

  it('never records a secret from the git diff, string statistics or late statistics', async () => {
    const { doc, session } = setup();
    const key = 'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dc';
    const fingerprint = 'xxh128:' + 'b'.repeat(32);
    const columns = [{ column: 'k', dtype: 'object', count: 2, nulls: 0, min: key, max: 'zz' }];
    await observe(session, exec('a', 'keys = load()'), delta({
      environment: { packages: {}, git: { commit: 'c'.repeat(40), dirty: true, diff: '+DB_PASSWORD = "hunter2"\n' } },
      snapshots: [
        { name: 'keys', kind: 'pandas', fingerprint: 'xxh128:' + 'a'.repeat(32), sampled: false, shape: [2, 1], columns },
        { name: 'big', kind: 'pandas', fingerprint, sampled: false, shape: [9, 1], columns: [], statsPending: true },
      ],
    }));
    await session.deltaReceived(delta({ columnStats: [{ fingerprint, name: 'big', columns }] }));
    const stored = JSON.stringify(doc.toJSON());
    expect(stored).not.toMatch(/hunter2|sk_live_4eC39/);
    expect(stored).toContain('DB_PASSWORD = \\"[redacted]\\"');
  });

  it('matches the records of a delta that covers several queued executions ("Run all")', async () => {
    const { doc, session } = setup();
    session.executionObserved(exec('a', 'x = 1', { executionCount: 1 }));
    session.executionObserved(exec('b', 'y = 2', { executionCount: 2 }));
    await session.deltaReceived(delta({
      cells: [
        { executionCount: 1, params: [{ key: 'x', value: 1, origin: 'literal-assignment' }], namesWritten: ['x'] },
        { executionCount: 2, params: [{ key: 'y', value: 2, origin: 'literal-assignment' }], namesWritten: ['y'] },
      ],
      snapshots: [{ name: 'df', kind: 'pandas', fingerprint: 'a'.repeat(32), sampled: false, shape: [1], columns: [] }],
    }));
    expect(session.pendingExecutions).toBe(0);
    const runMap = getRunMap(doc, session.openRunId!)!;
    const cells = readCellExecutions(runMap);
    expect(cells.map((c) => c.namesWritten)).toEqual([['x'], ['y']]);
    expect(cells[0]!.snapshotIds).toEqual([]);
    expect(cells[1]!.snapshotIds).toHaveLength(1);
    expect(readRun(runMap).params.map((p) => [p.key, p.origin])).toEqual([['x', 'literal-assignment'], ['y', 'literal-assignment']]);
  });
});

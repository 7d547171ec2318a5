/**
 * One notebook's capture session: the platform-free heart of both extensions. Adapters report what they
 * observe (kernel lifecycle, finished executions with the kernel's delta); the session redacts, runs the
 * capture reducer, records the commands in the experiment's Y.Doc (local-first, synced later) and queues
 * metric batches in the outbox. It never waits for the network.
 */
import type * as Y from 'yjs';
import type { CellExecution, DataSnapshot, Metric, OutputSummary, Param } from '../schema';
import { LIMITS } from '../schema';
import { recordCaptureCommand, recordColumnStats, recordRunExtras, recordSnapshotsOf } from '../sync/history';
import type { Outbox } from '../sync/outbox';
import type { OutboxPayload } from '../sync/delivery';
import { hashText } from '../util/hash';
import type { KernelDelta } from './delta';
import type { KernelEndCause } from './events';
import { redactCaptureEvent, redactColumnStats, redactEnvironment } from './redact-event';
import { encodeBase64, sha256Hex, type OutputBlob } from './outputs';
import type { Redactor } from './redact';
import { reduceCapture } from './reducer';
import type { CaptureState } from './state';

/** How many executions the session remembers for snapshots that the kernel hands over late. */
const RECENT_EXECUTIONS = 1000;

/** What the session needs from its host. */
export interface SessionPorts {
  experimentId: string;
  notebookPath: () => string;
  doc: Y.Doc;
  outbox: Outbox<OutboxPayload>;
  redactor: Redactor;
  now: () => number;
  newId: () => string;
  /** Called after every change of the capture state, so the host can persist it (page reloads). */
  saveState: (state: CaptureState) => void;
}

/** A finished execution as the frontend saw it. */
export interface ObservedExecution {
  cellId: string;
  executionCount: number | null;
  source: string;
  startedAt: number;
  durationMs: number;
  status: CellExecution['status'];
  error: CellExecution['error'];
  outputs: OutputSummary[];
  isParametersCell: boolean;
  /** Aligned with `outputs`: content kept whole as a blob (images, long texts; see outputs.ts), or null. */
  outputBlobs?: (OutputBlob | null)[];
}

/** Drives capture for one notebook. */
export class NotebookCaptureSession {
  constructor(
    private readonly ports: SessionPorts,
    private state: CaptureState,
  ) {}

  /** The run the next execution lands in, or null when it will open a new one. */
  get openRunId(): string | null {
    return this.state.openRun?.id ?? null;
  }

  /** The capture state (plain JSON). */
  get captureState(): CaptureState {
    return this.state;
  }

  kernelStarted(): void {
    this.recent.clear();
    this.apply({ type: 'kernel-started', at: this.ports.now() });
  }

  kernelRestarted(cause: KernelEndCause): void {
    this.recent.clear();
    this.apply({ type: 'kernel-restarted', at: this.ports.now(), cause });
  }

  kernelShutdown(cause: KernelEndCause): void {
    this.apply({ type: 'kernel-shutdown', at: this.ports.now(), cause });
  }

  newRun(): void {
    this.apply({ type: 'new-run-requested', at: this.ports.now() });
  }

  /** Executions observed but not yet recorded: they wait for the kernel delta that covers them. */
  private pending: ObservedExecution[] = [];
  /** Where recent executions of this kernel were recorded, for snapshots the kernel hands over later. */
  private readonly recent = new Map<number, { runId: string; executionId: string }>();

  /** Number of executions waiting for a delta. */
  get pendingExecutions(): number {
    return this.pending.length;
  }

  /** A finished execution, as the frontend saw it; recorded when the next delta (or its failure) arrives. */
  executionObserved(observed: ObservedExecution): void {
    this.pending.push(observed);
  }

  /**
   * Records every pending execution with what the kernel reported (`null` when the kernel could not answer:
   * dead, busy past the timeout, helper missing). Per-execution facts are matched by execution count; data
   * snapshots, metrics and the environment go to the run of the last execution of the batch.
   */
  deltaReceived(delta: KernelDelta | null): Promise<void> {
    // The executions are taken now; deltas are then processed one at a time, in the order they arrived.
    const taken = this.pending;
    this.pending = [];
    const done = this.processing.then(() => this.processDelta(taken, delta));
    this.processing = done.catch(() => undefined);
    return done;
  }

  private processing: Promise<void> = Promise.resolve();

  private async processDelta(taken: ObservedExecution[], delta: KernelDelta | null): Promise<void> {
    if (taken.length === 0 && !delta) return;
    const batch = await Promise.all(taken.map((observed) => this.storeOutputBlobs(observed)));
    const records = new Map((delta?.cells ?? []).map((c) => [c.executionCount, c]));
    const { redactor } = this.ports;
    const reported = (delta?.snapshots ?? []).map(({ executionCount, ...s }) => ({
      executionCount,
      snapshot: { ...s, columns: redactColumnStats(s.columns, redactor), id: this.ports.newId(), capturedAt: this.ports.now() } as DataSnapshot,
    }));
    // Snapshots of this batch go to its last execution; those the kernel computed in the background name theirs.
    const counts = new Set(batch.map((o) => o.executionCount));
    const inBatch = reported.filter((r) => r.executionCount === undefined || (r.executionCount !== null && counts.has(r.executionCount)));
    const late = reported.filter((r) => !inBatch.includes(r));
    batch.forEach((observed, i) => {
      const record = observed.executionCount === null ? undefined : records.get(observed.executionCount);
      const last = i === batch.length - 1;
      const ids = inBatch
        .filter((r) => (r.executionCount === undefined ? last : r.executionCount === observed.executionCount))
        .map((r) => r.snapshot.id);
      this.record(observed, record?.namesWritten ?? [], record?.params ?? [], ids);
    });
    const snapshots = inBatch.map((r) => r.snapshot);
    const runId = this.openRunId;
    if (!delta) return;
    this.recordLateSnapshots(late);
    if (runId) {
      const redact = (params: Param[]) => params.flatMap((p) => redactor.redactParam(p) ?? []);
      recordRunExtras(this.ports.doc, runId, {
        snapshots,
        explicitParams: redact(delta.explicitParams),
        tags: delta.tags.map((t) => ({ ...t, value: redactor.redactText(t.value) })),
        environment: delta.environment && redactEnvironment(delta.environment, redactor),
      });
    }
    // Statistics the kernel finished in the background complete snapshots of this or earlier deltas.
    recordColumnStats(this.ports.doc, delta.columnStats.map((s) => ({ ...s, columns: redactColumnStats(s.columns, redactor) })));
    if (runId) await this.queueMetrics(runId, delta.metrics);
  }

  /**
   * Queues the blobs of an execution's outputs for upload (texts redacted first) and references them from the
   * output summaries; returns the execution as it is recorded.
   */
  private async storeOutputBlobs(observed: ObservedExecution): Promise<ObservedExecution> {
    const { outputBlobs, ...rest } = observed;
    if (!outputBlobs?.some(Boolean)) return rest;
    const outputs = await Promise.all(
      rest.outputs.map(async (summary, i) => {
        const blob = outputBlobs[i];
        if (!blob) return summary;
        const bytes = blob.mediaType.startsWith('text/')
          ? new TextEncoder().encode(this.ports.redactor.redactText(new TextDecoder().decode(blob.bytes)))
          : blob.bytes;
        const sha256 = await sha256Hex(bytes);
        await this.ports.outbox.add('blobs', { kind: 'put-blob', sha256, base64: encodeBase64(bytes) });
        return { ...summary, blob: { sha256, size: bytes.length, mediaType: blob.mediaType } };
      }),
    );
    return { ...rest, outputs };
  }

  /** Snapshots of earlier executions: recorded on the run and execution they belong to, when still known. */
  private recordLateSnapshots(late: { executionCount: number | null | undefined; snapshot: DataSnapshot }[]): void {
    for (const { executionCount, snapshot } of late) {
      const target = executionCount == null ? undefined : this.recent.get(executionCount);
      const runId = target?.runId ?? this.openRunId;
      if (runId) recordSnapshotsOf(this.ports.doc, runId, target?.executionId ?? null, [snapshot]);
    }
  }

  private record(observed: ObservedExecution, namesWritten: string[], params: Param[], snapshotIds: string[]): void {
    const { isParametersCell, ...rest } = observed;
    const execution: CellExecution = {
      ...rest,
      id: this.ports.newId(),
      source: rest.source.slice(0, LIMITS.maxSourceLength),
      sourceHash: hashText(rest.source),
      namesRead: [],
      namesWritten: namesWritten.slice(0, 1000),
      snapshotIds,
    };
    this.apply({
      type: 'cell-executed',
      at: observed.startedAt,
      notebookPath: this.ports.notebookPath(),
      execution,
      isParametersCell,
      params: params.map((p) => ({ ...p, origin: isParametersCell ? 'parameters-cell' : 'literal-assignment' })),
    });
    const runId = this.openRunId;
    if (runId && observed.executionCount !== null) {
      this.recent.set(observed.executionCount, { runId, executionId: execution.id });
      if (this.recent.size > RECENT_EXECUTIONS) this.recent.delete(this.recent.keys().next().value!);
    }
  }

  private async queueMetrics(runId: string, metrics: Metric[]): Promise<void> {
    for (let i = 0; i < metrics.length; i += LIMITS.maxMetricsPerBatch) {
      const chunk = metrics.slice(i, i + LIMITS.maxMetricsPerBatch);
      await this.ports.outbox.add(runId, { kind: 'log-batch', runId, metrics: chunk, params: [], tags: [] });
    }
  }

  private apply(event: Parameters<typeof reduceCapture>[1]): void {
    const redacted = redactCaptureEvent(event, this.ports.redactor);
    const step = reduceCapture(this.state, redacted, { newRunId: this.ports.newId });
    this.state = step.state;
    for (const command of step.commands) recordCaptureCommand(this.ports.doc, this.ports.experimentId, command);
    this.ports.saveState(this.state);
  }
}

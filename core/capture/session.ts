/**
 * One notebook's capture session: the platform-free heart of both extensions. Adapters report what they
 * observe (kernel lifecycle, finished executions with the kernel's delta); the session redacts, runs the
 * capture reducer, records the commands in the experiment's Y.Doc (local-first, synced later) and queues
 * metric batches in the outbox. It never waits for the network.
 */
import type * as Y from 'yjs';
import type { CellExecution, DataSnapshot, Metric, OutputSummary, Param } from '../schema';
import { LIMITS } from '../schema';
import { recordCaptureCommand, recordRunExtras } from '../sync/history';
import type { Outbox } from '../sync/outbox';
import type { OutboxPayload } from '../sync/delivery';
import { hashText } from '../util/hash';
import type { KernelDelta } from './delta';
import type { KernelEndCause } from './events';
import { redactCaptureEvent } from './redact-event';
import type { Redactor } from './redact';
import { reduceCapture } from './reducer';
import type { CaptureState } from './state';

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
    this.apply({ type: 'kernel-started', at: this.ports.now() });
  }

  kernelRestarted(cause: KernelEndCause): void {
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
  async deltaReceived(delta: KernelDelta | null): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0 && !delta) return;
    const records = new Map((delta?.cells ?? []).map((c) => [c.executionCount, c]));
    const snapshots: DataSnapshot[] = (delta?.snapshots ?? []).map((s) => ({ ...s, id: this.ports.newId(), capturedAt: this.ports.now() }));
    batch.forEach((observed, i) => {
      const record = observed.executionCount === null ? undefined : records.get(observed.executionCount);
      const last = i === batch.length - 1;
      this.record(observed, record?.namesWritten ?? [], record?.params ?? [], last ? snapshots.map((s) => s.id) : []);
    });
    const runId = this.openRunId;
    if (!runId || !delta) return;
    const redact = (params: Param[]) => params.flatMap((p) => this.ports.redactor.redactParam(p) ?? []);
    recordRunExtras(this.ports.doc, runId, {
      snapshots,
      explicitParams: redact(delta.explicitParams),
      tags: delta.tags.map((t) => ({ ...t, value: this.ports.redactor.redactText(t.value) })),
      environment: delta.environment,
    });
    await this.queueMetrics(runId, delta.metrics);
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

/**
 * Runs one notebook's cells on a Jupyter server kernel for the runtrail controller, with full capture: the
 * kernel helper is injected on every kernel start and restart, the delta expression rides on each cell's own
 * execute request, and the finished execution goes to the notebook's capture. Knows nothing of VS Code: the
 * controller hands it cells and receives outputs through a sink.
 */
import type { Kernel, KernelMessage, Session } from '@jupyterlab/services';
import type { KernelDelta, KernelEndCause } from '@runtrail/core/capture';

/** Idle time after which what the kernel still computes in the background is asked for. */
const FOLLOW_UP_MS = 250;
import type { CaptureLevel, NotebookCapture } from './capture';
import { deltaExpressions, injectHelper, readDelta, requestDelta, type DeltaAnswer, type HelperConfig } from './helper';
import type { JupyterServer } from './jupyter';
import { observeExecution } from './observe';
import { CellOutputs, type JupyterOutput } from './outputs';

/** A cell to run. */
export interface CellToRun {
  cellId: string | null;
  index: number;
  source: string;
  tags: string[];
}

/** What a finished run of a cell reports. */
export interface CellRunResult {
  /** False when the cell raised; null when it was interrupted or never ran. */
  success: boolean | null;
  executionCount: number | null;
  startedAt: number;
  endedAt: number;
  outputs: JupyterOutput[];
}

/** Ports of a NotebookRunner. */
export interface NotebookRunnerOptions {
  /** The server to start the next kernel on (the settings may have changed since the last one). */
  server: () => Promise<JupyterServer>;
  /** The notebook's path relative to the Jupyter server's root (the kernel runs in its folder). */
  serverPath: string;
  /** Capture of the notebook, or null while capture is off. */
  capture: () => NotebookCapture | null;
  helperSource: string;
  helperConfig: () => HelperConfig;
  /** Problems worth telling the user (helper missing, kernel died); capture never fails a cell. */
  report: (message: string) => void;
  now?: () => number;
}

/** Kernel states the controller shows. */
export type KernelState = 'none' | 'starting' | 'idle' | 'busy' | 'restarting' | 'dead';

/** The kernel of one notebook and the cells it runs. */
export class NotebookRunner {
  private session: Session.ISessionConnection | null = null;
  private starting: Promise<Kernel.IKernelConnection> | null = null;
  private helperReady: Promise<void> = Promise.resolve();
  private restarting = false;
  /** Cells sent and not yet recorded. */
  private running = 0;
  /**
   * A kernel end (restart, death) seen while cells were running: applied after they are recorded, so an
   * execution the restart cut short still lands in the run it belonged to.
   */
  private pendingEnd: { kind: 'restart' | 'shutdown'; cause: KernelEndCause } | null = null;
  private disposed = false;
  private readonly listeners = new Set<(state: KernelState) => void>();
  private stateValue: KernelState = 'none';
  private readonly now: () => number;

  constructor(private readonly options: NotebookRunnerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The kernel's state. */
  get state(): KernelState {
    return this.stateValue;
  }

  /** The id of the running kernel, if any. */
  get kernelId(): string | null {
    return this.session?.kernel?.id ?? null;
  }

  /** Calls `listener` on every kernel state change; returns the function that stops it. */
  onState(listener: (state: KernelState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private setState(state: KernelState): void {
    if (state === this.stateValue) return;
    this.stateValue = state;
    for (const listener of [...this.listeners]) listener(state);
  }

  /** The kernel, started (session on the server, helper injected) on first use. */
  kernel(): Promise<Kernel.IKernelConnection> {
    const kernel = this.session?.kernel;
    if (kernel && !kernel.isDisposed && kernel.status !== 'dead') return Promise.resolve(kernel);
    this.starting ??= this.start().finally(() => (this.starting = null));
    return this.starting;
  }

  private async start(): Promise<Kernel.IKernelConnection> {
    this.setState('starting');
    try {
      this.session?.dispose();
      this.session = await (await this.options.server()).startSession(this.options.serverPath);
    } catch (error) {
      this.setState('none');
      throw error;
    }
    const kernel = this.session.kernel;
    if (!kernel) throw new Error('the Jupyter server started a session without a kernel');
    kernel.statusChanged.connect(this.onStatus, this);
    this.options.capture()?.kernelStarted(kernel.id);
    this.inject(kernel);
    this.setState('idle');
    return kernel;
  }

  // Injected before the user's first execution (the kernel runs requests in order).
  private inject(kernel: Kernel.IKernelConnection): void {
    if (!this.options.capture()) return;
    this.helperReady = injectHelper(kernel, this.options.helperSource, this.options.helperConfig()).then((problem) => {
      if (problem) this.options.report(`runtrail: ${problem}`);
    });
  }

  private onStatus(kernel: Kernel.IKernelConnection, status: KernelMessage.Status): void {
    if (this.disposed) return;
    if (status === 'autorestarting') {
      this.endRun({ kind: 'restart', cause: 'died' });
      this.options.report('runtrail: the kernel died and was restarted; the run was closed as failed');
      this.restarting = true;
      this.setState('restarting');
    } else if (status === 'restarting') {
      this.setState('restarting');
    } else if (status === 'dead') {
      this.endRun({ kind: 'shutdown', cause: 'died' });
      this.setState('dead');
    } else if (status === 'idle' || status === 'busy') {
      if (status === 'idle' && this.restarting) {
        this.restarting = false;
        this.inject(kernel);
      }
      this.setState(status);
    }
  }

  /**
   * Runs one cell: streams its outputs to `onOutputs` (the full list after every change) and records it in
   * capture. Never throws for what the cell does; throws when no kernel could be started.
   */
  async run(cell: CellToRun, onOutputs: (outputs: JupyterOutput[]) => void): Promise<CellRunResult> {
    this.running++;
    try {
      return await this.runCell(cell, onOutputs);
    } finally {
      if (--this.running === 0 && this.pendingEnd) this.endRun(this.pendingEnd);
    }
  }

  /** Ends the open run now, or once the running cells are recorded. */
  private endRun(end: { kind: 'restart' | 'shutdown'; cause: KernelEndCause }): void {
    if (this.running > 0) {
      this.pendingEnd = end;
      return;
    }
    this.pendingEnd = null;
    const capture = this.options.capture();
    if (end.kind === 'restart') capture?.kernelRestarted(end.cause);
    else capture?.kernelShutdown(end.cause);
  }

  private async runCell(cell: CellToRun, onOutputs: (outputs: JupyterOutput[]) => void): Promise<CellRunResult> {
    const kernel = await this.kernel();
    await this.helperReady;
    const capture = this.options.capture();
    const level: CaptureLevel = 'full';
    const request = capture?.deltaRequest() ?? null;
    const outputs = new CellOutputs();
    const startedAt = this.now();
    const future = kernel.requestExecute({
      code: cell.source,
      silent: false,
      store_history: true,
      user_expressions: deltaExpressions(request),
      allow_stdin: false,
      stop_on_error: true,
    });
    future.onIOPub = (message) => {
      if (outputs.apply(message)) onOutputs(outputs.list);
    };
    let reply: KernelMessage.IExecuteReplyMsg | null = null;
    try {
      reply = (await future.done) as KernelMessage.IExecuteReplyMsg;
    } catch {
      // Interrupted, restarted or the connection dropped: the cell has no reply.
    }
    const endedAt = this.now();
    const content = reply?.content as { status?: string; execution_count?: number } | undefined;
    const result: CellRunResult = {
      success: content?.status === 'ok' ? true : content?.status === 'error' ? false : null,
      executionCount: typeof content?.execution_count === 'number' ? content.execution_count : null,
      startedAt,
      endedAt,
      outputs: outputs.list,
    };
    if (capture && request) {
      let answer: DeltaAnswer = reply ? readDelta(reply.content) : { delta: null, problem: null };
      // ipykernel evaluates user expressions only after a cell that succeeded; the helper may also be missing.
      if (!answer.delta && !this.disposed && kernel.status !== 'dead') {
        answer = await requestDelta(kernel, request, this.options.helperSource, this.options.helperConfig());
      }
      if (answer.problem) this.options.report(`runtrail: ${answer.problem}; captured without kernel details`);
      else if (answer.delta?.warnings.length) this.options.report(`runtrail: ${answer.delta.warnings[0]}`);
      await capture.recorded(observeExecution({ ...cell, ...result }), answer.delta, level);
      this.followUp(kernel, answer.delta);
    }
    return result;
  }

  private followUpTimer: ReturnType<typeof setTimeout> | null = null;

  /**
   * The kernel fingerprints and describes large objects in a background thread and says how much is pending:
   * the next cell's delta brings the results, and when no cell comes, one silent request once the kernel is idle.
   */
  private followUp(kernel: Kernel.IKernelConnection, delta: KernelDelta | null): void {
    if (this.followUpTimer) clearTimeout(this.followUpTimer);
    this.followUpTimer = null;
    if (!delta || delta.pending === 0 || this.disposed) return;
    this.followUpTimer = setTimeout(() => {
      this.followUpTimer = null;
      const capture = this.options.capture();
      if (!capture || this.disposed || kernel.status === 'dead' || kernel.isDisposed) return;
      if (this.running > 0 || kernel.status !== 'idle') return this.followUp(kernel, delta);
      void requestDelta(kernel, capture.deltaRequest(), this.options.helperSource, this.options.helperConfig()).then(async (answer) => {
        if (!answer.delta) return; // a delta is handed over once: always record it
        await capture.backgroundDelta(answer.delta);
        this.followUp(kernel, answer.delta);
      });
    }, FOLLOW_UP_MS);
  }

  /** Interrupts the running cell (if any). */
  async interrupt(): Promise<void> {
    await this.session?.kernel?.interrupt();
  }

  /** Restarts the kernel: the open run ends, the helper is injected into the new process. */
  async restart(): Promise<void> {
    const kernel = this.session?.kernel;
    if (!kernel) return;
    this.endRun({ kind: 'restart', cause: 'requested' });
    this.restarting = true;
    await kernel.restart();
    // The status change to idle re-injects the helper; make sure the next cell waits for it.
    if (this.restarting) {
      this.restarting = false;
      this.inject(kernel);
    }
  }

  /** Shuts the kernel down (the run ends) and closes the connection. Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.followUpTimer) clearTimeout(this.followUpTimer);
    this.listeners.clear();
    const session = this.session;
    this.session = null;
    if (!session) return;
    session.kernel?.statusChanged.disconnect(this.onStatus, this);
    this.options.capture()?.kernelShutdown('requested');
    await session.shutdown().catch(() => undefined);
    session.dispose();
  }
}

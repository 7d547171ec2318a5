/**
 * Capture of one notebook in VS Code, on top of core's NotebookCaptureSession: finds the notebook's experiment
 * (the id in its metadata, rename vs copy), follows kernel starts and restarts, and records each finished
 * execution with the kernel's delta. Two levels:
 *   - full: the runtrail controller runs the cells, so the kernel helper reports params, data snapshots,
 *     metrics and the environment with every execution;
 *   - basic: another controller (the Jupyter extension) runs them; only what the notebook API shows is
 *     recorded (source, outcome, timing, outputs), and restarts are inferred from the execution order.
 */
import { NotebookCaptureSession, createCaptureState, decideExperimentIdentity, type DeltaRequest, type KernelDelta, type KernelEndCause, type ObservedExecution } from '@runtrail/core/capture';
import type { Redactor } from '@runtrail/core/capture';
import { uuidv7 } from 'uuidv7';
import type { CaptureStore, ExperimentHandle } from './store';

/** How much of a notebook's executions is captured. */
export type CaptureLevel = 'full' | 'basic';

/** The notebook as capture needs it. */
export interface NotebookIdentity {
  /** The notebook's path (a file path, or the URI of an untitled notebook). */
  path: string;
  /** The file name shown as the experiment's name. */
  name: string;
  /** The experiment id saved in the notebook's metadata, if any. */
  metadataExperimentId: string | null;
}

/** What a NotebookCapture needs from its host. */
export interface NotebookCaptureOptions {
  store: CaptureStore;
  redactor: () => Redactor;
  /** Whether a path still holds a notebook (tells a copy from a rename). */
  pathExists: (path: string) => Promise<boolean>;
  /** Writes the experiment id into the notebook's metadata (saved with the notebook). */
  writeExperimentId: (experimentId: string) => Promise<void>;
  /** Folder the kernel helper reports file reads under. */
  notebookDir: string;
  snapshotMaxBytes: number;
  now?: () => number;
}

/** Capture bound to one notebook document. */
export class NotebookCapture {
  private environmentFor: string | null = null;
  private kernelId: string | null = null;
  private disposed = false;

  private constructor(
    private readonly experiment: ExperimentHandle,
    private readonly session: NotebookCaptureSession,
    private readonly options: NotebookCaptureOptions,
    /** The level of the last execution captured. */
    public level: CaptureLevel,
  ) {}

  /** Opens capture for a notebook: decides its experiment and loads the experiment's doc and capture state. */
  static async open(notebook: NotebookIdentity, level: CaptureLevel, options: NotebookCaptureOptions): Promise<NotebookCapture> {
    const { store } = options;
    const metadataId = notebook.metadataExperimentId;
    const known = await store.knownPaths(metadataId, notebook.path);
    const decision = decideExperimentIdentity({
      metadataId,
      path: notebook.path,
      knownPath: known.pathOfId,
      knownPathExists: known.pathOfId !== undefined && known.pathOfId !== notebook.path ? await options.pathExists(known.pathOfId) : false,
      idForPath: metadataId ? undefined : known.idOfPath,
      newId: () => uuidv7(),
    });
    const experimentId = decision.experimentId;
    await store.rememberPath(experimentId, notebook.path);
    if (experimentId !== metadataId) await options.writeExperimentId(experimentId).catch(() => undefined);
    const experiment = await store.openExperiment(experimentId, notebook.name, notebook.path);
    const stored = await store.loadCapture(experimentId);
    let capture: NotebookCapture | null = null;
    const session = new NotebookCaptureSession(
      {
        experimentId,
        notebookPath: () => notebook.path,
        doc: experiment.doc,
        outbox: store.outbox,
        redactor: options.redactor(),
        now: options.now ?? Date.now,
        newId: () => uuidv7(),
        saveState: (state) => store.saveCapture(experimentId, { kernelId: capture?.kernelId ?? null, state }),
      },
      // A new window never continues a run: its kernel (or the other controller's) is a new process.
      createCaptureState({ previousRunCount: stored?.state.runsStarted ?? 0 }),
    );
    capture = new NotebookCapture(experiment, session, options, level);
    return capture;
  }

  /** The notebook's experiment id. */
  get experimentId(): string {
    return this.experiment.id;
  }

  /** The run the next execution lands in, or null when it opens a new one. */
  get openRunId(): string | null {
    return this.session.openRunId;
  }

  /** A kernel (new process) started for the notebook. */
  kernelStarted(kernelId: string | null): void {
    this.kernelId = kernelId;
    this.environmentFor = null;
    this.session.kernelStarted();
  }

  /** The kernel restarted: the open run ends (failed when it died). */
  kernelRestarted(cause: KernelEndCause): void {
    this.environmentFor = null;
    this.session.kernelRestarted(cause);
  }

  /** The kernel shut down or died. */
  kernelShutdown(cause: KernelEndCause): void {
    this.kernelId = null;
    this.session.kernelShutdown(cause);
  }

  /** The user's "New Run". */
  newRun(): void {
    this.session.newRun();
  }

  /** The delta request for the next execution (the environment once per run). */
  deltaRequest(): DeltaRequest {
    const target = this.session.openRunId ?? 'next';
    const environment = this.environmentFor !== target;
    this.environmentFor = target;
    return { v: 1, environment, snapshotMaxBytes: this.options.snapshotMaxBytes, notebookDir: this.options.notebookDir };
  }

  /** Records a finished execution with the kernel's delta (null: none, e.g. basic capture). */
  async recorded(observed: ObservedExecution, delta: KernelDelta | null, level: CaptureLevel): Promise<void> {
    if (this.disposed) return;
    this.level = level;
    this.session.executionObserved(observed);
    await this.session.deltaReceived(delta);
    // The environment asked for "the next run" belongs to the run this execution opened.
    if (this.environmentFor === 'next' && this.session.openRunId) this.environmentFor = this.session.openRunId;
  }

  /** A delta asked for between executions: what the kernel finished in the background (no new execution). */
  async backgroundDelta(delta: KernelDelta): Promise<void> {
    if (!this.disposed) await this.session.deltaReceived(delta);
  }

  /** Stops capturing; the experiment's doc is released (saved, and closed when no other notebook uses it). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.experiment.release();
  }
}

/**
 * Capture of one open notebook: finds its experiment (metadata id, rename vs copy), follows its kernel
 * (start, restart, death), and hands every finished execution plus the kernel delta to core's session.
 */
import type { NotebookPanel } from '@jupyterlab/notebook';
import type { Kernel } from '@jupyterlab/services';
import { PathExt } from '@jupyterlab/coreutils';
import { NotebookCaptureSession, createCaptureState, decideExperimentIdentity, type ObservedExecution } from '@runtrail/core/capture';
import { uuidv7 } from 'uuidv7';
import { injectHelper, requestDelta, rideDeltas, type RiddenDelta } from './kernel';
import type { DeltaRequest, KernelDelta } from '@runtrail/core/capture';
import type { ExperimentHandle, RuntrailService } from './service';
import { experimentAtPath, knownPath, loadCapture, rememberPath, saveCapture } from './storage';

/** Idle time after which the statistics the kernel still computes are asked for with a silent request. */
const STATS_FOLLOW_UP_MS = 250;

/** Notebook metadata key holding the experiment id. */
export const METADATA_KEY = 'runtrail';

/** Capture bound to one notebook panel. */
export class NotebookCapture {
  private session: NotebookCaptureSession | null = null;
  private experiment: ExperimentHandle | null = null;
  private kernelId: string | null = null;
  private inFlight: Promise<void> | null = null;
  private again = false;
  private disposed = false;
  private unride: (() => void) | null = null;
  /** Deltas that rode on the user's own execute replies, by execution count, until the execution is observed. */
  private readonly ridden = new Map<number | null, RiddenDelta>();
  /** The run (or 'next' before one opens) the environment was last asked for: once per run is enough. */
  private environmentFor: string | null = null;
  /** Asks for the statistics the kernel still computes in the background once it is idle (see afterDelta). */
  private statsTimer: ReturnType<typeof setTimeout> | null = null;
  /** Resolves once the experiment is known and the session can record. */
  readonly ready: Promise<void>;

  constructor(
    readonly panel: NotebookPanel,
    private readonly service: RuntrailService,
    private readonly pathExists: (path: string) => Promise<boolean>,
  ) {
    this.ready = this.start();
  }

  /** The experiment id of the notebook once known. */
  get experimentId(): string | null {
    return this.experiment?.id ?? null;
  }

  /** The notebook's experiment doc once loaded. */
  get handle(): ExperimentHandle | null {
    return this.experiment;
  }

  /** The run the next execution lands in. */
  get openRunId(): string | null {
    return this.session?.openRunId ?? null;
  }

  private async start(): Promise<void> {
    await this.panel.context.ready;
    const path = this.panel.context.path;
    const meta = this.panel.model?.getMetadata(METADATA_KEY) as { experimentId?: unknown } | undefined;
    const metadataId = typeof meta?.experimentId === 'string' ? meta.experimentId : null;
    const previous = metadataId ? await knownPath(metadataId) : undefined;
    const decision = decideExperimentIdentity({
      metadataId,
      path,
      knownPath: previous,
      knownPathExists: previous !== undefined && previous !== path ? await this.pathExists(previous) : false,
      idForPath: metadataId ? undefined : await experimentAtPath(path),
      newId: () => uuidv7(),
    });
    if (decision.experimentId !== metadataId) this.panel.model?.setMetadata(METADATA_KEY, { experimentId: decision.experimentId });
    await rememberPath(decision.experimentId, path);
    this.panel.context.pathChanged.connect(this.onPathChanged, this);
    this.experiment = await this.service.openExperiment(decision.experimentId, PathExt.basename(path), path);
    const stored = await loadCapture(decision.experimentId);
    const kernel = this.panel.sessionContext.session?.kernel ?? null;
    // A page reload with the same kernel continues the open run; anything else starts afresh.
    const continuing = stored && kernel && stored.kernelId === kernel.id;
    this.kernelId = continuing ? kernel.id : null;
    this.session = new NotebookCaptureSession(
      {
        experimentId: decision.experimentId,
        notebookPath: () => this.panel.context.path,
        doc: this.experiment.doc,
        outbox: this.service.outbox,
        redactor: this.service.redactor,
        now: () => Date.now(),
        newId: () => uuidv7(),
        saveState: (state) => saveCapture(decision.experimentId, { kernelId: this.kernelId, state }),
      },
      continuing ? stored.state : createCaptureState({ previousRunCount: stored?.state.runsStarted ?? 0 }),
    );
    this.panel.sessionContext.kernelChanged.connect(this.onKernelChanged, this);
    this.panel.sessionContext.statusChanged.connect(this.onStatusChanged, this);
    if (kernel && !continuing) this.kernelStarted(kernel);
    else if (kernel) this.attachKernel(kernel);
  }

  private onPathChanged(): void {
    const id = this.experimentId;
    if (id) void rememberPath(id, this.panel.context.path);
  }

  private kernelStarted(kernel: Kernel.IKernelConnection): void {
    this.kernelId = kernel.id;
    this.session?.kernelStarted();
    this.environmentFor = null;
    this.attachKernel(kernel);
  }

  /** Injects the helper (idempotent) and lets deltas ride on the kernel's execute requests. */
  private attachKernel(kernel: Kernel.IKernelConnection): void {
    this.inject(kernel);
    this.unride?.();
    this.unride = rideDeltas(kernel, () => this.deltaRequest(), (answer) => this.ridden.set(answer.executionCount, answer));
  }

  /** The delta request for the next execution, or null when capture is off. */
  private deltaRequest(): DeltaRequest | null {
    if (!this.session || this.disposed || !this.service.settings.tracking) return null;
    const target = this.session.openRunId ?? 'next';
    const environment = this.environmentFor !== target;
    this.environmentFor = target;
    return {
      v: 1,
      environment,
      snapshotMaxBytes: this.service.settings.snapshotMaxBytes,
      notebookDir: PathExt.dirname(this.panel.context.path),
    };
  }

  // Injected before the user's first execution (requests run in order), so its post_run_cell record exists.
  private inject(kernel: Kernel.IKernelConnection): void {
    const { serverUrl, token } = this.service.settings;
    void injectHelper(kernel, { backendUrl: serverUrl || null, token: token || null }).then((problem) => {
      if (problem) this.service.report(`runtrail: ${problem}`);
    });
  }

  private onKernelChanged(): void {
    const kernel = this.panel.sessionContext.session?.kernel ?? null;
    if (kernel && kernel.id !== this.kernelId) this.kernelStarted(kernel);
    else if (!kernel && this.kernelId) {
      this.kernelId = null;
      this.session?.kernelShutdown('requested');
    }
  }

  private restarted = false;
  private requestedRestart = false;

  private onStatusChanged(_: unknown, status: Kernel.Status): void {
    if (status === 'autorestarting') {
      // The server restarted a kernel that died. JupyterLab reports 'restarting' just before (see below).
      this.requestedRestart = false;
      this.session?.kernelRestarted('died');
      this.restarted = true;
      this.service.report('runtrail: the kernel died and was restarted; its run was closed as failed');
    } else if (status === 'restarting') {
      // A restart the user asked for, unless 'autorestarting' follows (JupyterLab emits it in a microtask right
      // after 'restarting' when the server restarted a dead kernel): decide once those have run.
      this.requestedRestart = true;
      this.restarted = true;
      setTimeout(() => {
        if (!this.requestedRestart) return;
        this.requestedRestart = false;
        this.session?.kernelRestarted('requested');
      }, 0);
    } else if (status === 'dead') {
      this.session?.kernelShutdown('died');
      this.service.report('runtrail: the kernel died; the run was closed as failed');
    } else if (status === 'idle' && this.restarted) {
      this.restarted = false;
      const kernel = this.panel.sessionContext.session?.kernel;
      if (kernel) this.inject(kernel);
    }
  }

  /** The user's "New run". */
  newRun(): void {
    this.session?.newRun();
  }

  /**
   * Records a finished execution with the delta that rode on its reply; when there is none (the cell
   * failed: ipykernel skips user expressions then; or the helper was missing), asks for one separately.
   */
  executed(observed: ObservedExecution): void {
    if (this.disposed) return;
    this.cancelStatsFollowUp();
    void this.ready.then(async () => {
      const session = this.session;
      if (!session) return;
      session.executionObserved(observed);
      const ridden = this.ridden.get(observed.executionCount);
      this.ridden.clear();
      if (ridden?.delta) {
        if (ridden.delta.warnings.length > 0) this.service.report(`runtrail: ${ridden.delta.warnings[0]}`);
        await session.deltaReceived(ridden.delta);
        if (this.environmentFor === 'next' && session.openRunId) this.environmentFor = session.openRunId;
        this.afterDelta(ridden.delta);
        return;
      }
      this.requestDelta();
    });
  }

  /**
   * The kernel computes the column statistics of large objects in the background and says how many are still
   * pending: the next cell's delta brings them, and when no cell comes, one silent request once the kernel has
   * been idle for a moment does.
   */
  private afterDelta(delta: KernelDelta | null): void {
    this.cancelStatsFollowUp();
    if (!delta || delta.pending === 0 || this.disposed) return;
    this.statsTimer = setTimeout(() => {
      this.statsTimer = null;
      if (this.disposed) return;
      if (this.panel.sessionContext.session?.kernel?.status === 'idle') this.requestDelta();
      else this.afterDelta(delta);
    }, STATS_FOLLOW_UP_MS);
  }

  private cancelStatsFollowUp(): void {
    if (this.statsTimer) clearTimeout(this.statsTimer);
    this.statsTimer = null;
  }

  // One delta request at a time: an execution finishing meanwhile is covered by the next request.
  private requestDelta(): void {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = this.fetchDelta().finally(() => {
      this.inFlight = null;
      if (this.again && !this.disposed) {
        this.again = false;
        this.requestDelta();
      }
    });
  }

  private async fetchDelta(): Promise<void> {
    const session = this.session;
    const kernel = this.panel.sessionContext.session?.kernel;
    const request = this.deltaRequest();
    if (!session) return;
    if (!kernel || !request) return session.deltaReceived(null);
    const { settings } = this.service;
    const answer = await requestDelta(kernel, request, { backendUrl: settings.serverUrl || null, token: settings.token || null });
    if (answer.delta === null) this.service.report(`runtrail: ${answer.problem}; captured without kernel details`);
    else if (answer.delta.warnings.length > 0) this.service.report(`runtrail: ${answer.delta.warnings[0]}`);
    await session.deltaReceived(answer.delta);
    this.afterDelta(answer.delta);
  }

  /** Stops capturing this notebook. Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.cancelStatsFollowUp();
    this.panel.sessionContext.kernelChanged.disconnect(this.onKernelChanged, this);
    this.panel.sessionContext.statusChanged.disconnect(this.onStatusChanged, this);
    this.panel.context.pathChanged.disconnect(this.onPathChanged, this);
    this.unride?.();
    if (this.experiment) this.service.closeExperiment(this.experiment.id);
  }
}

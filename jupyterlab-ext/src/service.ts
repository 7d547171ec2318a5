/**
 * The app-wide side of runtrail in JupyterLab: settings, the backend client, the persistent outbox and its
 * delivery loop, and one Y.Doc per experiment (persisted in IndexedDB, synced over WebSocket).
 */
import { Signal, type ISignal } from '@lumino/signaling';
import { IndexeddbPersistence } from 'y-indexeddb';
import type * as Y from 'yjs';
import { RuntrailClient } from '@runtrail/core/client';
import { createRedactor, type Redactor } from '@runtrail/core/capture';
import { Outbox, SyncClient, createDelivery, createExperimentDoc, type Deliver, type OutboxPayload, type SyncStatus } from '@runtrail/core/sync';
import { uuidv7 } from 'uuidv7';
import { idbOutboxStorage } from './storage';

/** The plugin's settings (schema/plugin.json). */
export interface RuntrailSettings {
  serverUrl: string;
  token: string;
  tracking: boolean;
  excludeCellTags: string[];
  excludeNotebooks: string[];
  snapshotMaxBytes: number;
  redactKeyPatterns: string[];
  redactValuePatterns: string[];
}

/** Defaults matching schema/plugin.json. */
export const DEFAULT_SETTINGS: RuntrailSettings = {
  serverUrl: 'http://127.0.0.1:8734',
  token: '',
  tracking: true,
  excludeCellTags: ['runtrail-skip'],
  excludeNotebooks: [],
  snapshotMaxBytes: 2 * 1024 ** 3,
  redactKeyPatterns: [],
  redactValuePatterns: [],
};

/** What the status bar shows. */
export interface ServiceStatus {
  tracking: boolean;
  sync: SyncStatus | 'local-only';
  pending: number;
  /** A problem the user should know about (refused token, kernel not answering), or null. */
  message: string | null;
}

/** An experiment's doc and its sync. */
export interface ExperimentHandle {
  id: string;
  doc: Y.Doc;
  whenLoaded: Promise<void>;
}

interface OpenExperiment extends ExperimentHandle {
  persistence: IndexeddbPersistence;
  sync: SyncClient | null;
  users: number;
}

/** One per JupyterLab page. */
export class RuntrailService {
  private settingsValue: RuntrailSettings = DEFAULT_SETTINGS;
  private redactorValue: Redactor = createRedactor();
  readonly outbox = new Outbox<OutboxPayload>(idbOutboxStorage, () => uuidv7());
  private readonly experiments = new Map<string, OpenExperiment>();
  private readonly statusSignal = new Signal<this, ServiceStatus>(this);
  private statusValue: ServiceStatus = { tracking: true, sync: 'offline', pending: 0, message: null };
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly baseDelivery = createDelivery(() => this.client());
  private disposed = false;

  constructor() {
    this.outbox.onChange((pending) => this.update({ pending }));
    void this.outbox.pending();
    this.timer = setInterval(() => void this.flush(), 1500);
  }

  /** Current settings. */
  get settings(): RuntrailSettings {
    return this.settingsValue;
  }

  /** The redactor configured by the settings. */
  get redactor(): Redactor {
    return this.redactorValue;
  }

  /** Applies new settings; reconnects syncs when the backend changed. */
  configure(settings: RuntrailSettings): void {
    const backendChanged = settings.serverUrl !== this.settingsValue.serverUrl || settings.token !== this.settingsValue.token;
    this.settingsValue = settings;
    try {
      this.redactorValue = createRedactor({ extraKeyPatterns: settings.redactKeyPatterns, extraValuePatterns: settings.redactValuePatterns });
    } catch (error) {
      this.update({ message: `runtrail settings: ${(error as Error).message}` });
    }
    this.update({ tracking: settings.tracking });
    if (backendChanged) for (const experiment of this.experiments.values()) this.restartSync(experiment);
  }

  /** Signals every status change. */
  get statusChanged(): ISignal<this, ServiceStatus> {
    return this.statusSignal;
  }

  /** The current status. */
  get status(): ServiceStatus {
    return this.statusValue;
  }

  /** Records a problem (or clears it with null). */
  report(message: string | null): void {
    this.update({ message });
  }

  private update(patch: Partial<ServiceStatus>): void {
    this.statusValue = { ...this.statusValue, ...patch };
    this.statusSignal.emit(this.statusValue);
  }

  /** A client of the configured backend, or null when none is configured. */
  client(): RuntrailClient | null {
    const { serverUrl, token } = this.settingsValue;
    return serverUrl ? new RuntrailClient({ baseUrl: serverUrl, token: token || undefined }) : null;
  }

  /** Opens (or shares) the doc of an experiment and makes sure the backend knows the experiment. */
  async openExperiment(id: string, name: string, notebookPath: string): Promise<ExperimentHandle> {
    let experiment = this.experiments.get(id);
    if (!experiment) {
      const doc = createExperimentDoc();
      const persistence = new IndexeddbPersistence(`runtrail-experiment-${id}`, doc);
      experiment = { id, doc, persistence, sync: null, users: 0, whenLoaded: persistence.whenSynced.then(() => undefined) };
      this.experiments.set(id, experiment);
      await this.outbox.add('experiments', {
        kind: 'ensure-experiment',
        body: { id, name: name.slice(0, 500) || 'notebook', kind: 'notebook', notebookPath },
      });
      // The sync socket opens once the backend has the experiment (deliver below): before, it would only be refused.
      if (!this.settingsValue.serverUrl) this.restartSync(experiment);
      void this.flush();
    }
    experiment.users++;
    await experiment.whenLoaded;
    return experiment;
  }

  /** Releases a user of an experiment doc; the last one closes it. */
  closeExperiment(id: string): void {
    const experiment = this.experiments.get(id);
    if (!experiment || --experiment.users > 0) return;
    this.experiments.delete(id);
    experiment.sync?.dispose();
    void experiment.persistence.destroy().catch(() => undefined);
  }

  private syncUrl(id: string): string | null {
    const { serverUrl, token } = this.settingsValue;
    if (!serverUrl) return null;
    const url = new URL(`${serverUrl.replace(/\/+$/, '')}/api/v1/sync/${encodeURIComponent(id)}`);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    if (token) url.searchParams.set('token', token);
    return url.toString();
  }

  private restartSync(experiment: OpenExperiment): void {
    experiment.sync?.dispose();
    const url = this.syncUrl(experiment.id);
    if (!url) {
      experiment.sync = null;
      this.update({ sync: 'local-only' });
      return;
    }
    const sync = new SyncClient({ doc: experiment.doc, url, createSocket: (u) => new WebSocket(u), maxDelayMs: 10_000 });
    sync.onStatus((status) => this.update({ sync: status }));
    experiment.sync = sync;
  }

  /** Delivers one outbox item; starts (or reconnects) an experiment's sync once the backend has the experiment. */
  private readonly deliver: Deliver<OutboxPayload> = async (item) => {
    const result = await this.baseDelivery(item);
    if (result.kind === 'done' && item.payload.kind === 'ensure-experiment') {
      const experiment = this.experiments.get(item.payload.body.id);
      if (experiment && !experiment.sync) this.restartSync(experiment);
      else if (experiment?.sync && experiment.sync.status !== 'synced') experiment.sync.reconnect();
    }
    if (result.kind === 'retry' && result.reason.startsWith('backend refused the token')) this.update({ message: `runtrail: ${result.reason}` });
    if (result.kind === 'drop') this.update({ message: `runtrail: the backend rejected a write: ${result.reason}` });
    return result;
  };

  /** Delivers what the outbox holds (called on a timer; concurrent calls share one flush). */
  async flush(): Promise<void> {
    if (this.disposed || this.outbox.size === 0) return;
    await this.outbox.flush(this.deliver);
  }

  /** Stops syncing and the delivery loop. Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearInterval(this.timer);
    for (const id of [...this.experiments.keys()]) {
      const experiment = this.experiments.get(id)!;
      experiment.users = 1;
      this.closeExperiment(id);
    }
    Signal.clearData(this);
  }
}

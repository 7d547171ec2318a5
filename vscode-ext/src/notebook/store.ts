/**
 * The write side of capture in the extension host: one Y.Doc per captured notebook's experiment (saved to a
 * file after every change, synced to the backend over WebSocket), the outbox of REST writes (one file per item)
 * and its delivery loop, each notebook's capture state, and which path each experiment id was last seen at.
 * Capture never waits for the network: a notebook run offline syncs when the backend is back, also after VS
 * Code restarts. The views' RunHistory reads the same experiments from the server.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as Y from 'yjs';
import { uuidv7 } from 'uuidv7';
import { RuntrailClient } from '@runtrail/core/client';
import { CaptureState } from '@runtrail/core/capture';
import { Outbox, SyncClient, createDelivery, createExperimentDoc, type Deliver, type OutboxItem, type OutboxPayload, type OutboxStorage, type SyncStatus, type WebSocketLike } from '@runtrail/core/sync';
import { hashText } from '@runtrail/core/util';
import type { Connection } from '../history/history';
import { fileDocCache, type DocCache } from '../history/cache';
import { syncUrl } from '../history/socket';

/** Writes `data` to `file` through a temp file, so a crash never leaves half of it. */
async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temp, data);
  await rename(temp, file);
}

/** Outbox items as one JSON file each in `dir`; unreadable files are skipped (and left for inspection). */
export function fileOutboxStorage(dir: string): OutboxStorage<OutboxPayload> {
  const file = (id: string) => join(dir, `${id.replace(/[^\w-]/g, '_')}.json`);
  return {
    async load() {
      const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json'));
      const items: OutboxItem<OutboxPayload>[] = [];
      for (const name of names) {
        try {
          items.push(JSON.parse(await readFile(join(dir, name), 'utf8')) as OutboxItem<OutboxPayload>);
        } catch {
          // A foreign or damaged file: not ours to deliver.
        }
      }
      return items;
    },
    async put(item) {
      await mkdir(dir, { recursive: true });
      await writeAtomic(file(item.id), JSON.stringify(item));
    },
    async delete(id) {
      await rm(file(id), { force: true });
    },
  };
}

/** A capture state and the kernel it belongs to (the same kernel continues the open run after a reload). */
export interface StoredCapture {
  kernelId: string | null;
  state: CaptureState;
}

/** Ports and tunables of a CaptureStore. */
export interface CaptureStoreOptions {
  /** Folder of everything the store keeps (VS Code's global storage + `/capture`). */
  dir: string;
  createSocket: (url: string) => WebSocketLike;
  log?: (line: string) => void;
  /** How often the outbox is delivered. */
  flushMs?: number;
  /** Delay that batches doc changes into one file write. */
  saveDelayMs?: number;
}

interface OpenExperiment {
  id: string;
  doc: Y.Doc;
  sync: SyncClient | null;
  users: number;
  saveTimer: ReturnType<typeof setTimeout> | null;
  saving: Promise<void>;
  detach: () => void;
}

/** An experiment's doc, shared by the notebooks capturing into it until they release it. */
export interface ExperimentHandle {
  id: string;
  doc: Y.Doc;
  release(): void;
}

/** Capture persistence and sync for every notebook of the window. */
export class CaptureStore {
  /** REST writes waiting for the backend. */
  readonly outbox: Outbox<OutboxPayload>;
  private readonly options: Required<Omit<CaptureStoreOptions, 'log'>> & Pick<CaptureStoreOptions, 'log'>;
  private readonly experiments = new Map<string, OpenExperiment>();
  private readonly docs: DocCache;
  private connection: Connection | null = null;
  private readonly baseDelivery = createDelivery(() => this.client());
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly syncListeners = new Set<(status: SyncStatus) => void>();
  private lastRetryReason: string | null = null;
  private disposed = false;

  constructor(options: CaptureStoreOptions) {
    this.options = { flushMs: 1500, saveDelayMs: 200, ...options };
    this.outbox = new Outbox(fileOutboxStorage(join(options.dir, 'outbox')), () => uuidv7());
    this.docs = fileDocCache(join(options.dir, 'docs'));
    // Loads what an earlier session left undelivered (and its count, for the status bar).
    void this.outbox.pending();
    this.timer = setInterval(() => void this.flush(), this.options.flushMs);
  }

  /** Points capture at a backend (or none: capture stays local until one is set); restarts every sync. */
  setConnection(connection: Connection | null): void {
    this.connection = connection;
    for (const experiment of this.experiments.values()) this.restartSync(experiment);
    void this.flush();
  }

  /** Calls `listener` on every sync status change of any experiment; returns the function that stops it. */
  onSyncStatus(listener: (status: SyncStatus) => void): () => void {
    this.syncListeners.add(listener);
    return () => this.syncListeners.delete(listener);
  }

  private client(): RuntrailClient | null {
    const c = this.connection;
    return c ? new RuntrailClient({ baseUrl: c.serverUrl, token: c.token }) : null;
  }

  /** Opens (or shares) an experiment's doc, loaded from its file, and queues the experiment's creation. */
  async openExperiment(id: string, name: string, notebookPath: string): Promise<ExperimentHandle> {
    let experiment = this.experiments.get(id);
    if (!experiment) {
      const doc = createExperimentDoc();
      const stored = await this.docs.load(id);
      if (stored) {
        try {
          Y.applyUpdate(doc, stored, 'file');
        } catch (error) {
          this.log(`capture: the saved doc of ${id} is unreadable, starting afresh: ${(error as Error).message}`);
        }
      }
      const created: OpenExperiment = { id, doc, sync: null, users: 0, saveTimer: null, saving: Promise.resolve(), detach: () => {} };
      const onUpdate = (_: Uint8Array, origin: unknown) => {
        if (origin !== 'file') this.scheduleSave(created);
      };
      doc.on('update', onUpdate);
      created.detach = () => doc.off('update', onUpdate);
      // Another notebook may have opened it while the file was read.
      experiment = this.experiments.get(id) ?? created;
      if (experiment === created) {
        this.experiments.set(id, created);
        await this.outbox.add('experiments', { kind: 'ensure-experiment', body: { id, name: name.slice(0, 500) || 'notebook', kind: 'notebook', notebookPath } });
        this.restartSync(created);
        void this.flush();
      } else {
        created.detach();
        doc.destroy();
      }
    }
    experiment.users++;
    const opened = experiment;
    let released = false;
    return {
      id,
      doc: opened.doc,
      release: () => {
        if (released) return;
        released = true;
        this.release(opened);
      },
    };
  }

  private release(experiment: OpenExperiment): void {
    if (--experiment.users > 0 || this.experiments.get(experiment.id) !== experiment) return;
    this.experiments.delete(experiment.id);
    experiment.sync?.dispose();
    void this.save(experiment).finally(() => {
      experiment.detach();
      experiment.doc.destroy();
    });
  }

  private restartSync(experiment: OpenExperiment): void {
    experiment.sync?.dispose();
    experiment.sync = null;
    const connection = this.connection;
    if (!connection || this.disposed) return;
    const sync = new SyncClient({
      doc: experiment.doc,
      url: () => syncUrl(connection.serverUrl, experiment.id, connection.token),
      createSocket: this.options.createSocket,
      maxDelayMs: 10_000,
    });
    sync.onStatus((status) => {
      if (status === 'unauthorized' || status === 'synced') this.log(`capture: sync of ${experiment.id}: ${status}`);
      for (const listener of [...this.syncListeners]) listener(status);
    });
    experiment.sync = sync;
  }

  private scheduleSave(experiment: OpenExperiment): void {
    if (experiment.saveTimer || this.disposed) return;
    experiment.saveTimer = setTimeout(() => void this.save(experiment), this.options.saveDelayMs);
  }

  private save(experiment: OpenExperiment): Promise<void> {
    if (experiment.saveTimer) clearTimeout(experiment.saveTimer);
    experiment.saveTimer = null;
    const state = Y.encodeStateAsUpdate(experiment.doc);
    experiment.saving = experiment.saving.then(() =>
      this.docs.save(experiment.id, state).catch((error: Error) => this.log(`capture: cannot save ${experiment.id}: ${error.message}`)),
    );
    return experiment.saving;
  }

  /** Delivers one outbox item; reconnects an experiment's sync once the backend has the experiment. */
  private readonly deliver: Deliver<OutboxPayload> = async (item) => {
    const result = await this.baseDelivery(item);
    if (result.kind === 'done' && item.payload.kind === 'ensure-experiment') {
      const sync = this.experiments.get(item.payload.body.id)?.sync;
      if (sync && sync.status !== 'synced') sync.reconnect();
    }
    if (result.kind === 'drop') this.log(`capture: the backend rejected a write: ${result.reason}`);
    // Once per reason, not once per attempt: the backend may be down for hours.
    const reason = result.kind === 'retry' ? result.reason : null;
    if (reason && reason !== this.lastRetryReason) this.log(`capture: writes wait for the backend: ${reason}`);
    this.lastRetryReason = reason;
    return result;
  };

  /** Delivers what the outbox holds (on a timer; concurrent calls share one flush). */
  async flush(): Promise<void> {
    if (this.disposed || !this.connection || this.outbox.size === 0) return;
    await this.outbox.flush(this.deliver);
  }

  private stateFile(experimentId: string): string {
    return join(this.options.dir, 'states', `${hashText(experimentId)}.json`);
  }

  /** The stored capture of an experiment, if any and valid. */
  async loadCapture(experimentId: string): Promise<StoredCapture | null> {
    try {
      const raw = JSON.parse(await readFile(this.stateFile(experimentId), 'utf8')) as { kernelId?: unknown; state?: unknown };
      const state = CaptureState.safeParse(raw.state);
      return state.success ? { kernelId: typeof raw.kernelId === 'string' ? raw.kernelId : null, state: state.data } : null;
    } catch {
      return null;
    }
  }

  private stateWrites = Promise.resolve();

  /** Stores a notebook's capture (writes are chained, so an older state never lands last). */
  saveCapture(experimentId: string, capture: StoredCapture): void {
    const file = this.stateFile(experimentId);
    const data = JSON.stringify(capture);
    this.stateWrites = this.stateWrites.then(async () => {
      await mkdir(join(this.options.dir, 'states'), { recursive: true });
      await writeAtomic(file, data);
    }).catch((error: Error) => this.log(`capture: cannot save the capture state: ${error.message}`));
  }

  private pathsFile(): string {
    return join(this.options.dir, 'paths.json');
  }

  private async readPaths(): Promise<{ byId: Record<string, string>; byPath: Record<string, string> }> {
    try {
      const raw = JSON.parse(await readFile(this.pathsFile(), 'utf8')) as { byId?: Record<string, string>; byPath?: Record<string, string> };
      return { byId: raw.byId ?? {}, byPath: raw.byPath ?? {} };
    } catch {
      return { byId: {}, byPath: {} };
    }
  }

  /** Where an experiment id was last seen, and which experiment a path last had. */
  async knownPaths(experimentId: string | null, path: string): Promise<{ pathOfId: string | undefined; idOfPath: string | undefined }> {
    const paths = await this.readPaths();
    return { pathOfId: experimentId ? paths.byId[experimentId] : undefined, idOfPath: paths.byPath[path] };
  }

  private pathWrites = Promise.resolve();

  /** Remembers that `experimentId` is the notebook at `path`. */
  rememberPath(experimentId: string, path: string): Promise<void> {
    this.pathWrites = this.pathWrites.then(async () => {
      const paths = await this.readPaths();
      paths.byId[experimentId] = path;
      paths.byPath[path] = experimentId;
      await mkdir(this.options.dir, { recursive: true });
      await writeAtomic(this.pathsFile(), JSON.stringify(paths));
    }).catch((error: Error) => this.log(`capture: cannot save notebook paths: ${error.message}`));
    return this.pathWrites;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  /** Number of open experiments, for tests that check releasing leaves nothing behind. */
  get openExperiments(): number {
    return this.experiments.size;
  }

  /** Stops syncing and delivering; saves every doc first. Safe to call twice. */
  async close(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    clearInterval(this.timer);
    this.syncListeners.clear();
    const experiments = [...this.experiments.values()];
    this.experiments.clear();
    for (const experiment of experiments) experiment.sync?.dispose();
    await Promise.all(experiments.map((e) => this.save(e)));
    await Promise.all([this.stateWrites, this.pathWrites]);
    for (const experiment of experiments) {
      experiment.detach();
      experiment.doc.destroy();
    }
  }
}

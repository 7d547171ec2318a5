/**
 * The run history the views show: every experiment of the connected server as a Y.Doc, loaded from the
 * offline cache first, listed over REST, then kept live by one SyncClient per experiment. A run written to
 * the server (REST, MLflow, another client) arrives through its experiment's doc and fires `onDidChange`.
 * The extension edits them only for the user's note and tag edits (`editRun`); everything else it reads.
 */
import * as Y from 'yjs';
import { RuntrailApiError, RuntrailClient } from '@runtrail/core/client';
import type { CellExecution, Experiment, Run } from '@runtrail/core/schema';
import { SyncClient, getRunMap, readCellExecutions, readExperiment, readRun, runsMap, type SyncStatus, type WebSocketLike } from '@runtrail/core/sync';
import type { ConnectionState } from '../model/connection';
import type { ExperimentEntry } from '../model/tree';
import type { DocCache } from './cache';
import { Emitter } from './emitter';
import { syncUrl } from './socket';
import { deriveConnectionState, type ListOutcome } from './state';

/** Where to connect: a server URL and its token (undefined when the server needs none). */
export interface Connection {
  serverUrl: string;
  token: string | undefined;
}

/** A run with its cell executions, as the detail and compare views need it. */
export interface RunWithCells {
  run: Run;
  executions: CellExecution[];
}

/** One point of a metric series (points without a finite value are left out). */
export interface SeriesPoint {
  step: number;
  value: number;
}

/** Ports and tunables of a RunHistory. */
export interface RunHistoryOptions {
  createSocket: (url: string) => WebSocketLike;
  /** The offline cache of one server. */
  openCache: (serverUrl: string) => DocCache;
  log?: (line: string) => void;
  /** How often the experiment list is fetched again (new experiments, a server that came back). */
  pollMs?: number;
  /** Delay that batches doc changes into one save per doc. */
  saveDelayMs?: number;
  /** Delay that batches doc changes into one `onDidChange`. */
  changeDelayMs?: number;
  /** Upper bound of a SyncClient's reconnect backoff. */
  maxRetryDelayMs?: number;
  fetch?: typeof fetch;
}

interface OpenDoc {
  id: string;
  doc: Y.Doc;
  /** The experiment as the server listed it, until the doc itself has the record. */
  listed: Experiment | null;
  sync: SyncClient | null;
  stopSync: () => void;
  /** The cache write in flight, awaited on close so a reload finds it complete. */
  saving: Promise<void> | null;
  /** Set when its socket dropped or failed, cleared once synced: a retry's `connecting` is not progress. */
  failed: boolean;
  saveTimer: ReturnType<typeof setTimeout> | null;
  detach: () => void;
}

const MAX_EXPERIMENT_PAGES = 20;

/** Experiments, runs and their live updates for one server at a time. */
export class RunHistory {
  private readonly options: Required<Omit<RunHistoryOptions, 'fetch' | 'log'>> & Pick<RunHistoryOptions, 'fetch' | 'log'>;
  private readonly docs = new Map<string, OpenDoc>();
  private readonly changed = new Emitter<void>();
  private readonly stateChanged = new Emitter<ConnectionState>();
  private connection: Connection | null = null;
  private client: RuntrailClient | null = null;
  private cache: DocCache | null = null;
  private cachedAt: number | null = null;
  private list: ListOutcome = null;
  private current: ConnectionState = { kind: 'unconfigured' };
  /** Bumped by every connect, so results of an older connection are dropped when they arrive late. */
  private session = 0;
  private pollTimer: ReturnType<typeof setInterval> | null = null;
  private changeTimer: ReturnType<typeof setTimeout> | null = null;
  private listing: Promise<void> | null = null;
  private disposed = false;
  private closing: Promise<void> | null = null;

  constructor(options: RunHistoryOptions) {
    this.options = { pollMs: 30_000, saveDelayMs: 300, changeDelayMs: 30, maxRetryDelayMs: 10_000, ...options };
  }

  /** The connection state; `onDidChangeState` reports changes. */
  get state(): ConnectionState {
    return this.current;
  }

  /** Calls `listener` when experiments or runs changed; returns the function that stops it. */
  onDidChange(listener: () => void): () => void {
    return this.changed.on(listener);
  }

  /** Calls `listener` on every connection state change; returns the function that stops it. */
  onDidChangeState(listener: (state: ConnectionState) => void): () => void {
    return this.stateChanged.on(listener);
  }

  /**
   * Switches to another server (or to none). Resolves once the cache is shown and the server answered or
   * failed to; live sync keeps going after that.
   */
  async connect(connection: Connection | null): Promise<void> {
    if (this.disposed) return;
    const session = ++this.session;
    await this.closeDocs();
    this.connection = connection;
    this.list = null;
    this.cachedAt = null;
    if (!connection) {
      this.client = this.cache = null;
      this.updateState();
      this.scheduleChange();
      return;
    }
    this.client = new RuntrailClient({ baseUrl: connection.serverUrl, token: connection.token, fetch: this.options.fetch });
    this.cache = this.options.openCache(connection.serverUrl);
    this.updateState();
    await this.loadCache(session);
    if (session !== this.session) return;
    await this.refreshList(session);
    this.pollTimer = setInterval(() => void this.refresh(), this.options.pollMs);
  }

  /** Lists experiments again and reconnects every sync now (the Refresh command; also on a timer). */
  async refresh(): Promise<void> {
    if (!this.connection || this.disposed) return;
    for (const open of this.docs.values()) if (open.sync && open.sync.status !== 'synced') open.sync.reconnect();
    await this.refreshList(this.session);
  }

  /** Every experiment with the runs its doc holds (unordered; the tree model orders them). */
  entries(): ExperimentEntry[] {
    const entries: ExperimentEntry[] = [];
    for (const open of this.docs.values()) {
      const experiment = readExperiment(open.doc) ?? open.listed;
      if (!experiment) continue;
      entries.push({ experiment, runs: [...runsMap(open.doc).values()].map(readRun) });
    }
    return entries;
  }

  /** A run and its cell executions, from whichever doc holds it; null when no doc does. */
  findRun(runId: string): RunWithCells | null {
    for (const open of this.docs.values()) {
      const map = getRunMap(open.doc, runId);
      if (map) return { run: readRun(map), executions: readCellExecutions(map) };
    }
    return null;
  }

  /**
   * Applies a user edit (note, tags) to the doc holding `runId`: its SyncClient ships it, and the offline cache
   * keeps it until the server has it. Returns false when no doc holds the run.
   */
  editRun(runId: string, apply: (doc: Y.Doc) => void): boolean {
    for (const open of this.docs.values()) {
      if (!getRunMap(open.doc, runId)) continue;
      apply(open.doc);
      return true;
    }
    return false;
  }

  /** The full series of one metric of a run, from the server (series are never in the docs). */
  async metricSeries(runId: string, key: string): Promise<SeriesPoint[]> {
    if (!this.client) throw new Error('not connected to a runtrail server');
    const history = await this.client.call('metricHistory', { params: { runId }, query: { key } });
    return history.points.flatMap((p) => (p.value !== null && Number.isFinite(p.value) ? [{ step: p.step, value: p.value }] : []));
  }

  /** Stops syncing, saves what is pending and drops every listener. Safe to call more than once. */
  dispose(): void {
    void this.close();
  }

  /** `dispose`, resolving once pending cache writes are done (VS Code awaits it on deactivate). */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.disposed = true;
    this.session++;
    if (this.changeTimer) clearTimeout(this.changeTimer);
    this.changed.clear();
    this.stateChanged.clear();
    this.closing = this.closeDocs();
    return this.closing;
  }

  /** Number of listeners and open docs, for tests that check disposal leaves nothing behind. */
  get openCounts(): { listeners: number; docs: number } {
    return { listeners: this.changed.size + this.stateChanged.size, docs: this.docs.size };
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  private async loadCache(session: number): Promise<void> {
    const cache = this.cache!;
    try {
      for (const id of await cache.list()) {
        const state = await cache.load(id);
        if (session !== this.session) return;
        if (!state || this.docs.has(id)) continue;
        const open = this.openDoc(id);
        try {
          Y.applyUpdate(open.doc, state, 'cache');
        } catch (error) {
          this.log(`cache: dropping the unreadable doc of ${id}: ${(error as Error).message}`);
          this.closeDoc(open);
          await cache.remove(id);
        }
      }
      this.cachedAt = await cache.savedAt();
      if (this.docs.size) this.log(`cache: showing ${this.docs.size} experiment(s) saved before`);
    } catch (error) {
      this.log(`cache: cannot read: ${(error as Error).message}`);
    }
    this.scheduleChange();
  }

  private refreshList(session: number): Promise<void> {
    // Overlapping calls (timer, Refresh, a sync coming back) share one request.
    this.listing ??= this.doRefreshList(session).finally(() => (this.listing = null));
    return this.listing;
  }

  private async doRefreshList(session: number): Promise<void> {
    const client = this.client;
    if (!client) return;
    let experiments: Experiment[];
    try {
      experiments = await listExperiments(client);
    } catch (error) {
      if (session !== this.session) return;
      const unauthorized = error instanceof RuntrailApiError && (error.status === 401 || error.status === 403);
      const reason = error instanceof Error ? error.message : String(error);
      if (this.list === null || this.list.ok) this.log(`server: ${unauthorized ? 'token refused' : 'unreachable'}: ${reason}`);
      this.list = { ok: false, unauthorized, reason };
      // Cached docs sync on their own once the server is back (their sockets retry with backoff).
      if (!unauthorized) for (const open of this.docs.values()) this.startSync(open);
      this.updateState();
      return;
    }
    if (session !== this.session) return;
    if (this.list !== null && !this.list.ok) this.log('server: reachable again');
    this.list = { ok: true };
    const listed = new Set(experiments.map((e) => e.id));
    for (const open of [...this.docs.values()]) {
      if (listed.has(open.id)) continue;
      // The server no longer has it (deleted, or another database behind the same URL): never push it back.
      this.closeDoc(open);
      await this.cache?.remove(open.id).catch(() => undefined);
    }
    for (const experiment of experiments) {
      const open = this.docs.get(experiment.id) ?? this.openDoc(experiment.id);
      open.listed = experiment;
      this.startSync(open);
    }
    this.updateState();
    this.scheduleChange();
  }

  private openDoc(id: string): OpenDoc {
    const doc = new Y.Doc();
    const open: OpenDoc = { id, doc, listed: null, sync: null, stopSync: () => {}, saving: null, failed: false, saveTimer: null, detach: () => {} };
    const onUpdate = (_update: Uint8Array, origin: unknown) => {
      this.scheduleChange();
      if (origin !== 'cache') this.scheduleSave(open);
    };
    doc.on('update', onUpdate);
    open.detach = () => doc.off('update', onUpdate);
    this.docs.set(id, open);
    return open;
  }

  private startSync(open: OpenDoc): void {
    const connection = this.connection;
    if (open.sync || !connection) return;
    const sync = new SyncClient({
      doc: open.doc,
      url: () => syncUrl(connection.serverUrl, open.id, connection.token),
      createSocket: this.options.createSocket,
      maxDelayMs: this.options.maxRetryDelayMs,
    });
    const stopStatus = sync.onStatus((status) => {
      if (status === 'offline') open.failed = true;
      if (status === 'synced') open.failed = false;
      this.onSyncStatus(status);
    });
    // A sync we close ourselves goes 'offline' on dispose; that is not news to the user.
    open.stopSync = () => {
      stopStatus();
      sync.dispose();
    };
    open.sync = sync;
    this.updateState();
  }

  private onSyncStatus(status: SyncStatus): void {
    const wasOffline = this.current.kind === 'offline';
    this.updateState();
    // A socket got through while the last listing had failed: the server is back, so list again.
    if (status === 'synced' && (wasOffline || (this.list && !this.list.ok))) void this.refreshList(this.session);
  }

  private scheduleSave(open: OpenDoc): void {
    if (open.saveTimer || !this.cache) return;
    const cache = this.cache;
    open.saveTimer = setTimeout(() => void this.save(open, cache), this.options.saveDelayMs);
  }

  private save(open: OpenDoc, cache: DocCache): Promise<void> {
    if (open.saveTimer) clearTimeout(open.saveTimer);
    open.saveTimer = null;
    const state = Y.encodeStateAsUpdate(open.doc);
    // Writes of one doc are chained, so an older state never lands after a newer one.
    const previous = open.saving ?? Promise.resolve();
    const saving = previous.then(async () => {
      try {
        await cache.save(open.id, state);
        this.cachedAt = Date.now();
      } catch (error) {
        this.log(`cache: cannot save ${open.id}: ${(error as Error).message}`);
      }
    });
    open.saving = saving.finally(() => {
      if (open.saving === saving) open.saving = null;
    });
    return saving;
  }

  private scheduleChange(): void {
    if (this.changeTimer || this.disposed) return;
    this.changeTimer = setTimeout(() => {
      this.changeTimer = null;
      this.changed.fire();
    }, this.options.changeDelayMs);
  }

  private closeDoc(open: OpenDoc): void {
    open.stopSync();
    open.detach();
    if (open.saveTimer) clearTimeout(open.saveTimer);
    open.doc.destroy();
    this.docs.delete(open.id);
  }

  /** Closes every doc; pending saves are written first (and running ones finished), so a quick reload finds them. */
  private async closeDocs(): Promise<void> {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
    const cache = this.cache;
    const docs = [...this.docs.values()];
    for (const open of docs) {
      open.stopSync();
      open.sync = null;
    }
    const writes = docs.map((open) => (open.saveTimer && cache ? this.save(open, cache) : open.saving));
    for (const open of docs) this.closeDoc(open);
    await Promise.all(writes);
  }

  private updateState(): void {
    const next = this.computeState();
    if (JSON.stringify(next) === JSON.stringify(this.current)) return;
    this.current = next;
    this.stateChanged.fire(next);
  }

  private computeState(): ConnectionState {
    const syncs = [...this.docs.values()].flatMap((open) => (open.sync ? [{ status: open.sync.status, failed: open.failed }] : []));
    return deriveConnectionState({ serverUrl: this.connection?.serverUrl ?? null, list: this.list, syncs, cachedAt: this.cachedAt });
  }

}

/** Every experiment of the server, page by page (bounded, so a huge server cannot stall the view). */
async function listExperiments(client: RuntrailClient): Promise<Experiment[]> {
  const all: Experiment[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_EXPERIMENT_PAGES; page++) {
    const result = await client.call('listExperiments', { query: { pageSize: 500, cursor } });
    all.push(...result.experiments);
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return all;
}

/**
 * Owns the in-memory Y.Docs of experiments: loads them from stored updates, serializes writes per doc,
 * persists each write's update together with its SQL projection in one transaction, compacts, releases
 * idle docs, and tells subscribers (WebSocket sync) about committed updates.
 *
 * REST writes and sync updates both go through `mutate`, so each experiment has one source of truth.
 */
import * as Y from 'yjs';
import { Run } from '@runtrail/core/schema';
import { changedRunIds, createExperimentDoc, getRunMap, readExperiment, readRun } from '@runtrail/core/sync';
import type { Store, StoreTx } from '../store/port';

/** Called after an update of `docName` is committed; `origin` is whoever made it (a connection, or null). */
export type DocUpdateListener = (update: Uint8Array, origin: unknown) => void;

/** The origin of updates another backend node stored (shared PostgreSQL), applied here by catching up. */
export const OTHER_NODE: unique symbol = Symbol('runtrail.otherNode');

interface LoadedDoc {
  doc: Y.Doc;
  /** The doc holds every stored update up to this sequence number (shared stores keep it current). */
  lastSeq: number;
  pendingUpdates: number;
  /** Bytes of the updates stored since the last compaction, and of the state that compaction wrote. */
  pendingBytes: number;
  compactedBytes: number;
  lock: Promise<unknown>;
  listeners: Set<DocUpdateListener>;
  lastUsed: number;
  inflight: number;
}

/** Options of the doc manager. */
export interface DocManagerOptions {
  /** Compact a doc no sooner than this many updates after its last compaction. */
  compactAfter?: number;
  /**
   * ...and only once the bytes stored since then reach this fraction of the compacted state's size, so the
   * re-encoding's cost is spread over updates in proportion to it (decision 21).
   */
  compactRatio?: number;
  /** Release a doc without subscribers after this many ms without use. */
  idleMs?: number;
  /** Called when a sync update produced a run record the schema rejects (it is kept in the doc, not indexed). */
  onInvalidRun?: (docName: string, runId: string, problem: string) => void;
  /** Called when a compaction failed (the doc's updates stay stored as they were; the next write tries again). */
  onCompactError?: (docName: string, error: unknown) => void;
}

/** The doc registry of one backend process. */
export class DocManager {
  private readonly docs = new Map<string, LoadedDoc>();
  private readonly loading = new Map<string, Promise<LoadedDoc>>();
  private readonly compactAfter: number;
  private readonly compactRatio: number;
  private readonly idleMs: number;
  private readonly sweeper: ReturnType<typeof setInterval>;
  private disposed = false;

  constructor(
    private readonly store: Store,
    private readonly options: DocManagerOptions = {},
  ) {
    this.compactAfter = options.compactAfter ?? 200;
    this.compactRatio = options.compactRatio ?? 0.5;
    this.idleMs = options.idleMs ?? 60_000;
    this.sweeper = setInterval(() => this.releaseIdle(), Math.min(this.idleMs, 30_000));
    this.sweeper.unref();
  }

  private async load(docName: string): Promise<LoadedDoc> {
    const existing = this.docs.get(docName);
    if (existing) {
      existing.lastUsed = Date.now();
      return existing;
    }
    let pending = this.loading.get(docName);
    if (!pending) {
      pending = (async () => {
        const stored = await this.store.loadDocUpdates(docName);
        const doc = createExperimentDoc({ gc: true });
        if (stored.updates.length > 0) Y.applyUpdate(doc, Y.mergeUpdates(stored.updates));
        const loaded: LoadedDoc = {
          doc,
          lastSeq: stored.lastSeq,
          pendingUpdates: stored.updates.length,
          pendingBytes: stored.updates.reduce((sum, u) => sum + u.byteLength, 0),
          compactedBytes: 0,
          lock: Promise.resolve(),
          listeners: new Set(),
          lastUsed: Date.now(),
          inflight: 0,
        };
        this.docs.set(docName, loaded);
        return loaded;
      })().finally(() => this.loading.delete(docName));
      this.loading.set(docName, pending);
    }
    return pending;
  }

  /** The current state of a doc (loaded on demand). Read only: write through `mutate`. */
  async read<T>(docName: string, fn: (doc: Y.Doc) => T): Promise<T> {
    const loaded = await this.load(docName);
    return fn(loaded.doc);
  }

  /**
   * Runs `fn` on the doc and the store in one transaction. The doc changes `fn` makes are persisted as one
   * update, the runs they touch are re-indexed, and subscribers hear of it after commit. If anything throws,
   * nothing is stored and the in-memory doc is reloaded from the store.
   */
  async mutate<T>(docName: string, fn: (doc: Y.Doc, tx: StoreTx) => Promise<T> | T, origin: unknown = null): Promise<T> {
    const loaded = await this.load(docName);
    const run = async (): Promise<T> => {
      const { doc } = loaded;
      const updates: Uint8Array[] = [];
      const touchedRuns = new Set<string>();
      let experimentTouched = false;
      let caughtUp: Uint8Array | null = null;
      let seqAfter = loaded.lastSeq;
      const onUpdate = (update: Uint8Array, from: unknown) => from !== OTHER_NODE && updates.push(update);
      const onTransaction = (transaction: Y.Transaction) => {
        if (transaction.origin === OTHER_NODE) return;
        for (const id of changedRunIds(doc, transaction)) touchedRuns.add(id);
        const experimentMap: unknown = doc.getMap('experiment');
        for (const type of transaction.changed.keys()) if (type === experimentMap) experimentTouched = true;
      };
      doc.on('update', onUpdate);
      doc.on('afterTransaction', onTransaction);
      let result: T;
      let merged: Uint8Array | null = null;
      try {
        result = await this.store.transact(async (tx) => {
          // Shared store: first apply what other nodes stored, so `fn` and the projection see the current doc.
          if (tx.docUpdatesAfter) {
            const missed = await tx.docUpdatesAfter(docName, loaded.lastSeq);
            caughtUp = this.applyFromOtherNodes(doc, missed.updates);
            seqAfter = missed.lastSeq;
          }
          const value = await fn(doc, tx);
          if (updates.length > 0) {
            merged = updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates);
            const seq = await tx.appendDocUpdate(docName, merged);
            if (typeof seq === 'number') seqAfter = seq;
            if (experimentTouched) {
              const experiment = readExperiment(doc);
              if (experiment) await tx.indexExperiment(experiment);
            }
            for (const runId of touchedRuns) await this.indexRun(docName, doc, runId, tx);
          }
          return value;
        });
      } catch (error) {
        this.evict(docName);
        throw error;
      } finally {
        doc.off('update', onUpdate);
        doc.off('afterTransaction', onTransaction);
      }
      loaded.lastUsed = Date.now();
      loaded.lastSeq = seqAfter;
      if (caughtUp) this.forward(loaded, caughtUp, OTHER_NODE);
      if (merged) {
        loaded.pendingUpdates++;
        loaded.pendingBytes += (merged as Uint8Array).byteLength;
        this.forward(loaded, merged, origin);
      }
      return result;
    };
    loaded.inflight++;
    const result = loaded.lock.then(run, run).finally(() => loaded.inflight--);
    // Compaction runs after the write is acknowledged, still in the doc's queue: a failed one loses nothing.
    loaded.lock = result.catch(() => undefined).then(() => this.compactIfDue(docName, loaded));
    return result;
  }

  private async compactIfDue(docName: string, loaded: LoadedDoc): Promise<void> {
    if (loaded.pendingUpdates < this.compactAfter || loaded.pendingBytes < this.compactRatio * loaded.compactedBytes) return;
    if (this.docs.get(docName) !== loaded) return;
    try {
      await this.compact(docName, loaded);
    } catch (error) {
      this.options.onCompactError?.(docName, error);
    }
  }

  /**
   * Applies updates stored by other nodes; returns what they changed in this doc (null: nothing new). Only the
   * change is forwarded: a row may be another node's compacted state, mostly content this doc already has.
   */
  private applyFromOtherNodes(doc: Y.Doc, updates: Uint8Array[]): Uint8Array | null {
    if (updates.length === 0) return null;
    const changes: Uint8Array[] = [];
    const capture = (update: Uint8Array, origin: unknown) => origin === OTHER_NODE && changes.push(update);
    doc.on('update', capture);
    try {
      Y.applyUpdate(doc, updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates), OTHER_NODE);
    } finally {
      doc.off('update', capture);
    }
    return changes.length === 0 ? null : changes.length === 1 ? changes[0]! : Y.mergeUpdates(changes);
  }

  private forward(loaded: LoadedDoc, update: Uint8Array, origin: unknown): void {
    for (const listener of loaded.listeners) listener(update, origin);
  }

  /**
   * Shared stores: applies the updates other nodes stored for a loaded doc since it last looked, and forwards
   * them to subscribers. `seq` is the announced sequence number: a doc that has it already reads nothing. Docs not
   * in memory are skipped (they load the stored state when next used). Never stores or announces anything.
   */
  catchUp(docName: string, seq = Number.POSITIVE_INFINITY): Promise<void> {
    const loaded = this.docs.get(docName);
    const readAfter = this.store.loadDocUpdatesAfter?.bind(this.store);
    // A doc still loading may have read the stored rows before this one committed: catch up once it is loaded.
    const loading = this.loading.get(docName);
    if (!loaded && loading && readAfter) return loading.then(() => this.catchUp(docName, seq));
    if (!loaded || !readAfter || seq <= loaded.lastSeq) return Promise.resolve();
    const run = async (): Promise<void> => {
      if (this.docs.get(docName) !== loaded || seq <= loaded.lastSeq) return;
      const missed = await readAfter(docName, loaded.lastSeq);
      if (this.docs.get(docName) !== loaded) return;
      const update = this.applyFromOtherNodes(loaded.doc, missed.updates);
      loaded.lastSeq = missed.lastSeq;
      loaded.pendingUpdates += missed.updates.length;
      if (update) this.forward(loaded, update, OTHER_NODE);
    };
    loaded.inflight++;
    const result = loaded.lock.then(run, run).finally(() => loaded.inflight--);
    loaded.lock = result.catch(() => undefined);
    return result;
  }

  /** Catches up every loaded doc (after missed announcements, e.g. a dropped LISTEN connection). */
  async catchUpAll(): Promise<void> {
    await Promise.all([...this.docs.keys()].map((name) => this.catchUp(name)));
  }

  private async indexRun(docName: string, doc: Y.Doc, runId: string, tx: StoreTx): Promise<void> {
    const map = getRunMap(doc, runId);
    if (!map) return;
    const parsed = Run.safeParse(readRun(map));
    if (parsed.success) await tx.indexRun(parsed.data);
    else this.options.onInvalidRun?.(docName, runId, parsed.error.issues[0]?.message ?? 'invalid');
  }

  /** Applies an update received from a sync client (same path as REST writes). */
  applyRemoteUpdate(docName: string, update: Uint8Array, origin: unknown): Promise<void> {
    return this.mutate(
      docName,
      (doc) => {
        Y.applyUpdate(doc, update, origin);
        // Structs whose dependencies have not arrived wait in the doc, unindexed: make that visible in the log.
        if (doc.store.pendingStructs) this.options.onInvalidRun?.(docName, '*', 'update has structs with missing dependencies (pending)');
      },
      origin,
    );
  }

  /** Subscribes to committed updates of a doc; returns the unsubscribe function. Keeps the doc loaded. */
  async subscribe(docName: string, listener: DocUpdateListener): Promise<() => void> {
    const loaded = await this.load(docName);
    loaded.listeners.add(listener);
    return () => {
      // The doc may have been reloaded after a failed write: remove the listener wherever it now lives.
      loaded.listeners.delete(listener);
      const current = this.docs.get(docName);
      current?.listeners.delete(listener);
      if (current) current.lastUsed = Date.now();
    };
  }

  private async compact(docName: string, loaded: LoadedDoc): Promise<void> {
    let upToSeq: number;
    if (this.store.loadDocUpdatesAfter) {
      // Other nodes may have stored updates since: the compacted state must hold every update it replaces.
      const missed = await this.store.loadDocUpdatesAfter(docName, loaded.lastSeq);
      const update = this.applyFromOtherNodes(loaded.doc, missed.updates);
      upToSeq = loaded.lastSeq = missed.lastSeq;
      if (update) this.forward(loaded, update, OTHER_NODE);
    } else {
      upToSeq = (await this.store.loadDocUpdates(docName)).lastSeq;
    }
    const state = Y.encodeStateAsUpdate(loaded.doc);
    const stateSeq = await this.store.compactDoc(docName, state, upToSeq);
    // Nothing else was stored in between: this doc holds the state row, no need to read it back.
    if (typeof stateSeq === 'number') loaded.lastSeq = stateSeq;
    loaded.pendingUpdates = 1;
    loaded.pendingBytes = 0;
    loaded.compactedBytes = state.byteLength;
  }

  private evict(docName: string): void {
    const loaded = this.docs.get(docName);
    if (!loaded) return;
    this.docs.delete(docName);
    loaded.doc.destroy();
    // Subscribers keep listening on the reloaded doc.
    if (loaded.listeners.size > 0) {
      void this.load(docName).then((fresh) => {
        for (const l of loaded.listeners) fresh.listeners.add(l);
      });
    }
  }

  /** Releases docs with no subscribers that were not used for `idleMs`. */
  releaseIdle(now = Date.now()): number {
    let released = 0;
    for (const [name, loaded] of this.docs) {
      if (loaded.listeners.size === 0 && loaded.inflight === 0 && now - loaded.lastUsed >= this.idleMs) {
        this.docs.delete(name);
        loaded.doc.destroy();
        released++;
      }
    }
    return released;
  }

  /** Number of docs held in memory. */
  get loadedCount(): number {
    return this.docs.size;
  }

  /** Waits for pending writes, then releases every doc. Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    clearInterval(this.sweeper);
    await Promise.all([...this.docs.values()].map((d) => d.lock));
    for (const loaded of this.docs.values()) loaded.doc.destroy();
    this.docs.clear();
  }
}

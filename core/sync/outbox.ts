/**
 * The offline outbox: writes that must reach the backend over REST (metric batches, blob uploads, experiment
 * creation) wait here, persisted through a storage port (IndexedDB in JupyterLab, files in VS Code), until
 * they are delivered. Every item is an idempotent request (client ids, content hashes), so delivering one
 * twice after a crash is harmless; the outbox only guarantees that none is lost and that items of one
 * `lane` go out in order.
 */

/** One pending write. `lane` orders items that depend on each other (e.g. one run's batches). */
export interface OutboxItem<T> {
  id: string;
  lane: string;
  seq: number;
  payload: T;
  attempts: number;
}

/** Where the outbox keeps its items across reloads and restarts. */
export interface OutboxStorage<T> {
  load(): Promise<OutboxItem<T>[]>;
  put(item: OutboxItem<T>): Promise<void>;
  delete(id: string): Promise<void>;
}

/**
 * What a delivery attempt says: `done` (remove it), `retry` (keep it, try again later: backend down, or a
 * dependency not there yet), `drop` (the backend rejected it for good: remove it and report).
 */
export type DeliveryResult = { kind: 'done' } | { kind: 'retry'; reason: string } | { kind: 'drop'; reason: string };

/** Delivers one item. */
export type Deliver<T> = (item: OutboxItem<T>) => Promise<DeliveryResult>;

/** Items kept in memory only: for tests and for hosts without storage. */
export function memoryOutboxStorage<T>(): OutboxStorage<T> & { items: Map<string, OutboxItem<T>> } {
  const items = new Map<string, OutboxItem<T>>();
  return {
    items,
    load: async () => [...items.values()].map((i) => ({ ...i })),
    put: async (item) => void items.set(item.id, { ...item }),
    delete: async (id) => void items.delete(id),
  };
}

/** A persistent queue of idempotent writes. */
export class Outbox<T> {
  private items = new Map<string, OutboxItem<T>>();
  private nextSeq = 0;
  private loaded: Promise<void> | null = null;
  private flushing: Promise<FlushReport> | null = null;
  private readonly listeners = new Set<(pending: number) => void>();

  constructor(
    private readonly storage: OutboxStorage<T>,
    private readonly newId: () => string,
  ) {}

  private load(): Promise<void> {
    this.loaded ??= this.storage.load().then((stored) => {
      for (const item of stored) {
        this.items.set(item.id, item);
        this.nextSeq = Math.max(this.nextSeq, item.seq + 1);
      }
      this.notify();
    });
    return this.loaded;
  }

  /** Adds an item; it is persisted before the promise resolves. */
  async add(lane: string, payload: T): Promise<OutboxItem<T>> {
    await this.load();
    const item: OutboxItem<T> = { id: this.newId(), lane, seq: this.nextSeq++, payload, attempts: 0 };
    await this.storage.put(item);
    this.items.set(item.id, item);
    this.notify();
    return item;
  }

  /** Items not yet delivered. */
  async pending(): Promise<OutboxItem<T>[]> {
    await this.load();
    return [...this.items.values()].sort((a, b) => a.seq - b.seq);
  }

  /** Number of items not yet delivered (after the first load). */
  get size(): number {
    return this.items.size;
  }

  /** Calls `listener` with the pending count whenever it changes; returns the unsubscribe function. */
  onChange(listener: (pending: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const listener of this.listeners) listener(this.items.size);
  }

  /**
   * Tries to deliver everything, lane by lane in order. A lane stops at its first item that must be
   * retried (later items of that lane may depend on it); other lanes go on. Concurrent calls share one flush.
   */
  flush(deliver: Deliver<T>): Promise<FlushReport> {
    this.flushing ??= this.flushOnce(deliver).finally(() => (this.flushing = null));
    return this.flushing;
  }

  private async flushOnce(deliver: Deliver<T>): Promise<FlushReport> {
    const report: FlushReport = { delivered: 0, retried: 0, dropped: [] };
    const blocked = new Set<string>();
    for (const item of await this.pending()) {
      if (blocked.has(item.lane)) continue;
      let result: DeliveryResult;
      try {
        result = await deliver(item);
      } catch (error) {
        result = { kind: 'retry', reason: (error as Error)?.message ?? String(error) };
      }
      if (result.kind === 'retry') {
        item.attempts++;
        await this.storage.put(item);
        blocked.add(item.lane);
        report.retried++;
        continue;
      }
      await this.storage.delete(item.id);
      this.items.delete(item.id);
      if (result.kind === 'drop') report.dropped.push({ item, reason: result.reason });
      else report.delivered++;
      this.notify();
    }
    return report;
  }
}

/** What one flush did. */
export interface FlushReport {
  delivered: number;
  retried: number;
  dropped: { item: OutboxItem<unknown>; reason: string }[];
}

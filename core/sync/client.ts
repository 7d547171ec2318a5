/**
 * Keeps a local Y.Doc in sync with the backend over any WebSocket-like object (the browser's WebSocket, `ws` in
 * node, VS Code's). The doc stays usable offline: local edits stay in it, and the step 1 / step 2 exchange on
 * every (re)connect sends whatever the server lacks.
 */
import type * as Y from 'yjs';
import {
  SyncCloseCode,
  SyncProtocolError,
  applySyncMessage,
  decodeMessage,
  encodeSyncStep1,
  encodeUpdate,
  type SyncMessage,
} from './protocol';

// Method syntax makes the event parameter bivariant, so handlers typed for richer events (DOM, ws) fit.
type Handler<E> = { handle(event: E): void }['handle'];

/** The part of a WebSocket the client needs; the browser's WebSocket and `ws`'s WebSocket both fit. */
export interface WebSocketLike {
  binaryType: string;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
}

/**
 * Where the client stands: `connecting` (socket opening), `connected` (open, handshake running), `synced` (both
 * sides have each other's state and the server has stored ours), `offline` (waiting to retry), `unauthorized`
 * (the server refused our token; no retry until `reconnect()`).
 */
export type SyncStatus = 'connecting' | 'connected' | 'synced' | 'offline' | 'unauthorized';

/** Options of a `SyncClient`. */
export interface SyncClientOptions {
  /** The local doc to keep in sync; the caller owns it (the client never destroys it). */
  doc: Y.Doc;
  /** The sync URL, e.g. `wss://host/api/v1/sync/<experimentId>?token=...`; a function is called per attempt. */
  url: string | (() => string);
  /** Opens a socket, e.g. `(url) => new WebSocket(url)`. May throw; that counts as a failed attempt. */
  createSocket: (url: string) => WebSocketLike;
  /** First retry delay (ms); doubles per failed attempt up to `maxDelayMs`. Defaults: 500 and 30 000. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Timer used for retries (tests inject their own); returns a cancel function. */
  setTimer?: (callback: () => void, ms: number) => () => void;
}

const defaultSetTimer = (callback: () => void, ms: number): (() => void) => {
  const handle = setTimeout(callback, ms);
  return () => clearTimeout(handle);
};

const ignore = (): void => {};

function toBytes(data: unknown): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new SyncProtocolError('expected a binary frame');
}

// The `ws` client reports a refused handshake as an error whose message carries the HTTP status.
function isUnauthorizedError(event: unknown): boolean {
  const message = (event as { message?: unknown } | null)?.message;
  return typeof message === 'string' && /\b401\b/.test(message);
}

/** Syncs one local doc with the server; connects on construction and retries with capped exponential backoff. */
export class SyncClient {
  private readonly doc: Y.Doc;
  private readonly options: SyncClientOptions;
  private readonly setTimer: NonNullable<SyncClientOptions['setTimer']>;
  private readonly listeners = new Set<(status: SyncStatus) => void>();
  private socket: WebSocketLike | null = null;
  private open = false;
  private gotStep2 = false;
  private gotAck = false;
  private refused = false;
  private attempt = 0;
  private cancelRetry: (() => void) | null = null;
  private disposed = false;
  private current: SyncStatus = 'offline';

  constructor(options: SyncClientOptions) {
    this.options = options;
    this.doc = options.doc;
    this.setTimer = options.setTimer ?? defaultSetTimer;
    this.doc.on('update', this.onDocUpdate);
    this.connect();
  }

  /** The current status. */
  get status(): SyncStatus {
    return this.current;
  }

  /** Calls `listener` on every status change; returns the function that stops it. */
  onStatus(listener: (status: SyncStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Drops the current connection (if any) and connects now, resetting the backoff (e.g. after a new token). */
  reconnect(): void {
    if (this.disposed) return;
    this.attempt = 0;
    this.teardown();
    this.connect();
  }

  /** Stops syncing and removes every listener from the doc. Safe to call more than once. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.doc.off('update', this.onDocUpdate);
    this.teardown();
    this.setStatus('offline');
    this.listeners.clear();
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    // Offline edits are not queued: the next handshake's step 2 carries them.
    if (origin !== this && this.open) this.send(encodeUpdate(update));
  };

  private setStatus(status: SyncStatus): void {
    if (status === this.current) return;
    this.current = status;
    for (const listener of [...this.listeners]) listener(status);
  }

  private send(frame: Uint8Array): void {
    try {
      this.socket?.send(frame);
    } catch {
      // The socket is closing; its close handler schedules the retry.
    }
  }

  private connect(): void {
    this.cancelRetry = null;
    this.open = this.gotStep2 = this.gotAck = this.refused = false;
    this.setStatus('connecting');
    let socket: WebSocketLike;
    try {
      const { url } = this.options;
      socket = this.options.createSocket(typeof url === 'function' ? url() : url);
      socket.binaryType = 'arraybuffer';
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.open = true;
      this.setStatus('connected');
      this.send(encodeSyncStep1(this.doc));
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onerror = (event) => {
      if (isUnauthorizedError(event)) this.refused = true;
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.open = false;
      if (this.refused || event.code === SyncCloseCode.unauthorized) this.setStatus('unauthorized');
      else this.scheduleRetry();
    };
  }

  private receive(data: unknown): void {
    let message: SyncMessage;
    try {
      message = decodeMessage(toBytes(data));
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'bad message';
      this.socket?.close(SyncCloseCode.badMessage, reason.slice(0, 120));
      return;
    }
    if (message.type === 'sync') {
      const reply = applySyncMessage(this.doc, message, this);
      if (reply) this.send(reply);
      if (message.step === 'step2') this.gotStep2 = true;
    } else if (message.type === 'synced') {
      this.gotAck = true;
    } else if (message.error.code === 'unauthorized') {
      this.refused = true;
    }
    if (this.gotStep2 && this.gotAck && this.current === 'connected') {
      this.attempt = 0;
      this.setStatus('synced');
    }
  }

  private scheduleRetry(): void {
    this.setStatus('offline');
    const initial = this.options.initialDelayMs ?? 500;
    const max = this.options.maxDelayMs ?? 30_000;
    const ceiling = Math.min(max, initial * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    // "Equal jitter": clients that lost the same server do not all come back at once.
    const delay = ceiling / 2 + (Math.random() * ceiling) / 2;
    this.cancelRetry = this.setTimer(() => this.connect(), delay);
  }

  private teardown(): void {
    this.cancelRetry?.();
    this.cancelRetry = null;
    const socket = this.socket;
    this.socket = null;
    this.open = false;
    if (!socket) return;
    // No-ops, not null: `ws` emits 'error' when a connecting socket is closed, and throws if nobody listens.
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = ignore;
    try {
      socket.close(SyncCloseCode.normal, 'client closed');
    } catch {
      // Already closed.
    }
  }
}

/**
 * The WebSocket edge of doc sync: authenticates upgrades on `/api/v1/sync/<experimentId>`, then speaks the
 * protocol of core/sync/protocol.ts with each client. Every update a client sends goes through
 * `DocManager.applyRemoteUpdate`, so it is persisted, indexed and fanned out to the other connections exactly like
 * a REST write.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { EntityId } from '@runtrail/core/schema';
import {
  SyncCloseCode,
  SyncProtocolError,
  decodeMessage,
  encodeError,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeSynced,
  encodeUpdate,
  isWellFormedUpdate,
  registryDocName,
  REGISTRY_SYNC_SEGMENT,
  type SyncError,
} from '@runtrail/core/sync';
import { SYNC_FORBIDDEN_CLOSE, updateChangesDoc, type SyncGrant } from '../auth/sync-access';
import type { DocManager } from './docs';

/** Path prefix of sync sockets; the rest of the path is the experiment id (which is also the doc name). */
export const SYNC_PATH_PREFIX = '/api/v1/sync/';

/** Options of `attachSyncServer`. */
export interface SyncServerOptions {
  docs: DocManager;
  /**
   * Decides whether an upgrade request may sync `docName` (token in `Authorization: Bearer` or `?token=`): a grant
   * (true = may read and write), or the status to refuse with (false = 401).
   */
  authenticate(request: IncomingMessage, docName: string): SyncAccess | Promise<SyncAccess>;
  /** Whether the experiment exists; unknown experiments get 404. Without it every id is accepted. */
  docExists?(docName: string): Promise<boolean>;
  /** Interval of the ping that drops dead peers (ms, default 30 000). */
  keepaliveMs?: number;
  /** Told about connections closed by a server-side failure (for logs). */
  onError?(docName: string, error: unknown): void;
}

/** The answer of `authenticate`. */
export type SyncAccess = boolean | SyncGrant | { refuse: 401 | 404; reason: string };

/** Handle of an attached sync server. */
export interface SyncServer {
  /** Stops accepting upgrades, closes every connection and waits until their pending writes are done. */
  close(): Promise<void>;
  /** Number of open sync connections. */
  connectionCount(): number;
  /** Closes every connection with this code and reason (clients reconnect unless the code says otherwise). */
  closeAll(code: number, reason: string): void;
  /** Closes the connections made with this API token (it was revoked); returns how many. */
  closeToken(tokenId: string, code: number, reason: string): number;
}

const STATUS_TEXT: Record<number, string> = { 401: 'Unauthorized', 404: 'Not Found', 500: 'Internal Server Error' };

function rejectUpgrade(socket: Duplex, status: number, body: string): void {
  if (!socket.writable) return void socket.destroy();
  const extra = status === 401 ? 'WWW-Authenticate: Bearer\r\n' : '';
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\n${extra}` +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * The doc name of a sync path (the experiment id; for `registry/<workspaceId>`, that workspace's registry mirror),
 * or null when the path is not one.
 */
export function parseSyncPath(url: string | undefined): string | null {
  const { pathname } = new URL(url ?? '/', 'http://localhost');
  if (!pathname.startsWith(SYNC_PATH_PREFIX)) return null;
  const id = pathname.slice(SYNC_PATH_PREFIX.length);
  if (id.startsWith(REGISTRY_SYNC_SEGMENT)) {
    const workspace = id.slice(REGISTRY_SYNC_SEGMENT.length);
    return EntityId.safeParse(workspace).success ? registryDocName(workspace) : null;
  }
  return EntityId.safeParse(id).success ? id : null;
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

/** One client socket syncing one doc. Also the transaction origin of the updates it sends. */
class SyncConnection {
  alive = true;
  private closed = false;
  private queue: Promise<void>;
  private unsubscribe: (() => void) | null = null;
  /** Settles once the socket is closed and every message it sent has been handled. */
  readonly done: Promise<void>;

  constructor(
    readonly socket: WebSocket,
    private readonly docName: string,
    private readonly options: SyncServerOptions,
    readonly grant: SyncGrant,
  ) {
    const { docs } = options;
    // Subscribe before the first step 2 is computed: any update is then either in that step 2 or broadcast.
    this.queue = docs.subscribe(docName, (update, origin) => {
      if (origin !== this) this.send(encodeUpdate(update));
    }).then((unsubscribe) => {
      if (this.closed) return unsubscribe();
      this.unsubscribe = unsubscribe;
      return docs.read(docName, (doc) => this.send(encodeSyncStep1(doc)));
    }).catch((error: unknown) => this.fail(error));
    socket.on('pong', () => (this.alive = true));
    socket.on('error', () => undefined); // 'close' follows; without a listener 'error' would throw.
    socket.on('message', (data, isBinary) => {
      const bytes = isBinary ? toBytes(data) : null;
      this.queue = this.queue.then(() => this.handle(bytes)).catch((error: unknown) => this.fail(error));
    });
    this.done = new Promise((resolve) => {
      socket.once('close', () => {
        this.closed = true;
        void this.queue.finally(() => {
          this.unsubscribe?.();
          this.unsubscribe = null;
          resolve();
        });
      });
    });
  }

  send(frame: Uint8Array): void {
    if (!this.closed && this.socket.readyState === WebSocket.OPEN) this.socket.send(frame);
  }

  close(code: number, reason: string, error?: SyncError): void {
    if (this.closed) return;
    if (error) this.send(encodeError(error));
    // A close reason may hold at most 123 bytes.
    this.socket.close(code, Buffer.from(reason).subarray(0, 123).toString());
  }

  private async handle(bytes: Uint8Array | null): Promise<void> {
    if (this.closed) return;
    if (!bytes) throw new SyncProtocolError('expected a binary frame');
    const message = decodeMessage(bytes);
    if (message.type !== 'sync') return; // Clients have no reason to send errors or acks; ignore them.
    const { docs } = this.options;
    if (message.step === 'step1') {
      const { stateVector } = message;
      this.send(await docs.read(this.docName, (doc) => encodeSyncStep2(doc, stateVector)));
      return;
    }
    // Checked here so garbage never reaches the shared doc (a failed apply reloads it for everyone).
    if (!isWellFormedUpdate(message.update)) throw new SyncProtocolError('malformed update');
    // A read-only connection's step 2 (and any echo) carries nothing new; anything else is a write it may not make.
    if (!this.grant.canWrite) {
      if (await docs.read(this.docName, (doc) => updateChangesDoc(doc, message.update))) {
        const reason = 'this token may read this experiment but not write to it (needs the editor role)';
        this.close(SYNC_FORBIDDEN_CLOSE, reason, { code: 'unauthorized', message: reason });
        return;
      }
    } else {
      await docs.applyRemoteUpdate(this.docName, message.update, this);
    }
    if (message.step === 'step2') this.send(encodeSynced());
  }

  private fail(error: unknown): void {
    if (error instanceof SyncProtocolError) {
      this.close(SyncCloseCode.badMessage, error.message, { code: 'bad-message', message: error.message });
      return;
    }
    this.options.onError?.(this.docName, error);
    this.close(SyncCloseCode.internalError, 'internal error', { code: 'internal', message: 'internal error' });
  }
}

/**
 * Serves doc sync on `server`'s upgrade requests. It owns every upgrade of the server: paths other than
 * `/api/v1/sync/<experimentId>` get 404, unauthenticated requests 401, all before the WebSocket handshake.
 */
export function attachSyncServer(server: Server, options: SyncServerOptions): SyncServer {
  const wss = new WebSocketServer({ noServer: true });
  const connections = new Set<SyncConnection>();
  let closing = false;
  let closed: Promise<void> | null = null;

  async function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const onEarlyError = () => socket.destroy();
    socket.on('error', onEarlyError);
    try {
      const docName = parseSyncPath(request.url);
      if (closing) return rejectUpgrade(socket, 404, 'sync server closed');
      if (docName === null) return rejectUpgrade(socket, 404, 'not a sync path');
      const access = await options.authenticate(request, docName);
      if (access === false) return rejectUpgrade(socket, 401, 'missing or invalid token');
      if (typeof access === 'object' && 'refuse' in access) return rejectUpgrade(socket, access.refuse, access.reason);
      const grant: SyncGrant = access === true ? { canWrite: true } : access;
      if (options.docExists && !(await options.docExists(docName))) {
        return rejectUpgrade(socket, 404, `experiment ${docName} not found`);
      }
      if (closing || socket.destroyed) return void socket.destroy();
      wss.handleUpgrade(request, socket, head, (ws) => {
        socket.off('error', onEarlyError);
        const connection = new SyncConnection(ws, docName, options, grant);
        connections.add(connection);
        void connection.done.then(() => connections.delete(connection));
      });
    } catch (error) {
      options.onError?.(request.url ?? '', error);
      rejectUpgrade(socket, 500, 'internal error');
    }
  }
  const upgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) =>
    void onUpgrade(request, socket, head);
  server.on('upgrade', upgradeListener);

  const keepalive = setInterval(() => {
    for (const connection of connections) {
      if (!connection.alive) {
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
    }
  }, options.keepaliveMs ?? 30_000);
  keepalive.unref();

  function closeAll(code: number, reason: string): void {
    for (const connection of connections) connection.close(code, reason);
  }

  return {
    connectionCount: () => connections.size,
    closeAll,
    closeToken(tokenId, code, reason) {
      const matching = [...connections].filter((c) => c.grant.tokenId === tokenId);
      for (const connection of matching) connection.close(code, reason);
      return matching.length;
    },
    close() {
      closed ??= (async () => {
        closing = true;
        server.off('upgrade', upgradeListener);
        clearInterval(keepalive);
        const pending = [...connections];
        closeAll(SyncCloseCode.goingAway, 'server shutting down');
        // Peers that do not answer the close handshake are cut off.
        const cutoff = setTimeout(() => pending.forEach((c) => c.socket.terminate()), 2_000);
        await Promise.all(pending.map((c) => c.done));
        clearTimeout(cutoff);
        await new Promise<void>((resolve) => wss.close(() => resolve()));
      })();
      return closed;
    },
  };
}

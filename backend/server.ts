/**
 * Starts the backend: SQLite under the data folder (embedded default) or PostgreSQL (`db`), a blob folder under
 * the data folder (default) or an S3-compatible bucket (`blobs`), HTTP + WebSocket sync on one port. `close()`
 * stops accepting, lets in-flight writes finish, and closes the stores.
 */
import { serve } from '@hono/node-server';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { uuidv7 } from 'uuidv7';
import { createApp } from './app';
import { AuthGate } from './auth/gate';
import { sqlAuthStore } from './auth/store';
import { postgresSqlClient, sqliteSqlClient } from './auth/sql';
import { authorizeSync } from './auth/sync-gate';
import { loadOrCreateToken } from './auth/token';
import { openFsBlobStore } from './blobs/fs';
import type { BlobStore } from './blobs/port';
import { openS3BlobStore } from './blobs/s3';
import { parseS3BlobUrl } from './blobs/s3-url';
import { openSqliteStore } from './store/sqlite';
import { openPostgresStore, redactDatabaseUrl } from './store/postgres';
import type { Store } from './store/port';
import { SyncCloseCode, registryWorkspaceOf } from '@runtrail/core/sync';
import { authorizeRegistrySync } from './registry/mirror-access';
import { DocManager } from './sync/docs';
import { startDocFanout } from './sync/fanout';
import { attachSyncServer } from './sync/websocket';

/** Options of `runtrail serve`. */
export interface ServerOptions {
  dataDir: string;
  /** A `postgres://` (or `postgresql://`) URL to store in PostgreSQL; default SQLite in the data folder. */
  db?: string;
  /** An `s3://bucket/prefix?endpoint=...&forcePathStyle=true` URL to keep blobs in; default a folder in `dataDir`. */
  blobs?: string;
  host?: string;
  port?: number;
  token?: string;
  blobMaxBytes?: number;
  log?: (line: string) => void;
}

/** A running backend. */
export interface RunningServer {
  url: string;
  port: number;
  token: string;
  dataDir: string;
  /**
   * Users, tokens and roles of this node. `auth.tokenRevoked(id)` closes the token's open sync sockets here (call
   * it when another node revokes one); `auth.onTokenRevoked` hears revocations made on this node.
   */
  auth: AuthGate;
  close(): Promise<void>;
}

/** The store `options` ask for; a `db` that is not a PostgreSQL URL, or one that cannot be reached, is an error. */
async function openStore(options: ServerOptions, log: (line: string) => void): Promise<Store> {
  if (options.db === undefined) return openSqliteStore(join(options.dataDir, 'runtrail.db'));
  if (!/^postgres(ql)?:\/\//.test(options.db)) {
    throw new Error(`--db must be a postgres:// or postgresql:// URL, got '${redactDatabaseUrl(options.db)}'`);
  }
  return openPostgresStore(options.db, { onError: (error) => log(`postgres: ${error.message}`) });
}

/**
 * The blob store `options` ask for, with a `close` to release it; a `blobs` that is not an s3:// URL (an Error
 * starting with `--blobs `) or a bucket that cannot be reached (`cannot use S3 bucket ...`) is an error.
 */
async function openBlobs(options: ServerOptions): Promise<{ blobs: BlobStore; close(): void }> {
  if (options.blobs === undefined) return { blobs: openFsBlobStore(join(options.dataDir, 'blobs')), close() {} };
  if (!options.blobs.startsWith('s3://')) {
    throw new Error(`--blobs must be an s3://bucket/prefix URL, got '${options.blobs.replace(/\/\/[^@/]*@/, '//***@')}'`);
  }
  const s3 = await openS3BlobStore(parseS3BlobUrl(options.blobs), { spoolDir: join(options.dataDir, 'blobs-spool') });
  return { blobs: s3, close: () => s3.close() };
}

/** Opens the stores (under `dataDir`, or `db` and `blobs`) and listens; resolves once the port is bound. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  await mkdir(options.dataDir, { recursive: true });
  const token = await loadOrCreateToken(options.dataDir, options.token);
  const blobStore = await openBlobs(options);
  const store = await openStore(options, log).catch((error: unknown) => {
    blobStore.close();
    throw error;
  });
  const authStore = sqlAuthStore(options.db === undefined ? sqliteSqlClient(join(options.dataDir, 'runtrail.db')) : postgresSqlClient(options.db, (error) => log(`postgres: ${error.message}`)));
  const auth = new AuthGate({ localToken: token, store: authStore });
  const blobs = blobStore.blobs;
  const docs = new DocManager(store, {
    onInvalidRun: (doc, runId, problem) => log(`sync: run ${runId} in ${doc} not indexed: ${problem}`),
    onCompactError: (doc, error) => log(`sync: compacting ${doc} failed (its updates stay stored): ${String(error)}`),
  });
  // Several nodes on one PostgreSQL hear of each other's doc updates and token revocations (SQLite: one node).
  const fanout =
    options.db === undefined
      ? null
      : await startDocFanout(options.db, docs, { revocations: auth, onError: (error) => log(`fanout: ${error.message}`) });
  const app = createApp({
    store,
    docs,
    blobs,
    token,
    auth,
    projectExists: async (id) => (await authStore.workspacesOf([{ kind: 'project', id }])).size > 0,
    now: () => Date.now(),
    newId: () => uuidv7(),
    blobMaxBytes: options.blobMaxBytes ?? 5 * 1024 ** 3,
    onError: (error) => log(`error: ${(error as Error)?.stack ?? String(error)}`),
  });
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 8734 }, () => resolve(s as Server));
    (s as Server).once('error', reject);
  }).catch(async (error: unknown) => {
    // A port in use must not leave the database connections open (they would keep the process alive).
    await fanout?.close();
    await docs.dispose();
    await authStore.close();
    await store.close();
    blobStore.close();
    throw error;
  });
  const sync = attachSyncServer(server, {
    docs,
    authenticate: (request, docName) => {
      const registryWorkspace = registryWorkspaceOf(docName);
      return registryWorkspace === null ? authorizeSync(auth, request, docName) : authorizeRegistrySync(auth, request, registryWorkspace);
    },
    docExists: async (id) => registryWorkspaceOf(id) !== null || (await store.getExperiment(id)) !== null,
    onError: (doc, error) => log(`sync: ${doc}: ${(error as Error)?.stack ?? String(error)}`),
  });
  auth.onTokenRevoked((tokenId) => sync.closeToken(tokenId, SyncCloseCode.unauthorized, 'token revoked'));
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    token,
    dataDir: options.dataDir,
    auth,
    close() {
      closing ??= (async () => {
        await sync.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections?.();
        });
        await fanout?.close();
        await docs.dispose();
        await authStore.close();
        await store.close();
        blobStore.close();
      })();
      return closing;
    },
  };
}

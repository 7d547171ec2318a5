/**
 * Cross-node fan-out of doc updates when several backend nodes share one PostgreSQL (docs/decisions/0023).
 *
 * Every write transaction that stores a doc update also runs `pg_notify(DOC_UPDATES_CHANNEL, '<seq> <doc>')`, which
 * PostgreSQL delivers to every listening connection when (and only if) the transaction commits. Each node keeps one
 * connection that LISTENs; on an announcement of a doc it has in memory it reads the rows it has not seen from
 * `doc_updates` (`DocManager.catchUp`), applies them and forwards them to its WebSocket clients. Receivers never
 * store or announce what they apply, so there are no echo loops; applying a yjs update twice is harmless.
 *
 * Announcements sent while the LISTEN connection is down are lost: the connection is re-opened with backoff and
 * every loaded doc then catches up from the last sequence number it has. Writes do not depend on announcements for
 * correctness: `DocManager.mutate` reads missed rows under the cross-node write lock before it changes a doc.
 *
 * The same connection carries token revocations (`TOKEN_REVOKED_CHANNEL`, payload `<node> <tokenId>`): a token
 * revoked on one node closes its sync sockets on every node. REST needs no event (tokens are looked up on every
 * request). Revocations missed while the connection was down are read back from `api_tokens` on reconnect.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { AuthGate } from '../auth/gate';
import { DOC_UPDATES_CHANNEL } from '../store/postgres';
import type { DocManager } from './docs';

/** The LISTEN/NOTIFY channel of token revocations, payload `<node id> <token id>`. */
export const TOKEN_REVOKED_CHANNEL = 'runtrail_token_revoked';

/** How far back revocations are read after a reconnect, before the moment the connection was lost (clock skew). */
const REVOCATION_LOOKBACK_MS = 60_000;

/** Options of `startDocFanout`. */
export interface DocFanoutOptions {
  /** First reconnect delay after the LISTEN connection dropped (ms, default 100); doubles up to `maxReconnectMs`. */
  minReconnectMs?: number;
  /** Longest reconnect delay (ms, default 5 000). */
  maxReconnectMs?: number;
  /** Told about a lost LISTEN connection or a failed catch-up (for logs); the fan-out keeps going. */
  onError?(error: Error): void;
  /** This node's auth: its revocations are told to the other nodes, theirs are applied to it. */
  revocations?: Pick<AuthGate, 'onTokenRevoked' | 'tokenRevoked'>;
}

/** A running fan-out of one node. */
export interface DocFanout {
  /** Whether the LISTEN connection is up right now. */
  isListening(): boolean;
  /** Stops listening and closes the connection; safe to call twice. */
  close(): Promise<void>;
}

/** `application_name` of the LISTEN connection (visible in `pg_stat_activity`). */
export const FANOUT_APPLICATION_NAME = 'runtrail-fanout';

/** Parses an announcement `'<seq> <doc>'`; null when it is not one. */
export function parseDocAnnouncement(payload: string | undefined): { seq: number; docName: string } | null {
  const match = /^(\d+) (.+)$/s.exec(payload ?? '');
  if (!match) return null;
  const seq = Number(match[1]);
  return Number.isSafeInteger(seq) ? { seq, docName: match[2]! } : null;
}

/**
 * Listens for doc updates other nodes commit to the PostgreSQL at `url` and applies them to `docs`. Resolves once
 * the first connection attempt is over (listening, or a retry scheduled).
 */
export async function startDocFanout(url: string, docs: DocManager, options: DocFanoutOptions = {}): Promise<DocFanout> {
  const minDelay = options.minReconnectMs ?? 100;
  const maxDelay = options.maxReconnectMs ?? 5_000;
  const report = (error: unknown) => options.onError?.(error instanceof Error ? error : new Error(String(error)));
  let delay = minDelay;
  let current: pg.Client | null = null;
  let listening = false;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  /** When the LISTEN connection was last lost (null: never, or listening since). */
  let lostAt: number | null = null;
  const nodeId = randomUUID();
  const revocations = options.revocations;
  // Announcements go out on a pooled connection of their own (the LISTEN one may be reconnecting).
  const sender = revocations ? new pg.Pool({ connectionString: url, max: 1, application_name: `${FANOUT_APPLICATION_NAME}-notify` }) : null;
  sender?.on('error', report);
  let applyingRemote = false;
  const applyRevocation = (tokenId: string) => {
    applyingRemote = true;
    try {
      revocations!.tokenRevoked(tokenId);
    } finally {
      applyingRemote = false;
    }
  };
  const stopTelling = revocations?.onTokenRevoked((tokenId) => {
    if (applyingRemote || closed) return;
    sender!.query('SELECT pg_notify($1, $2)', [TOKEN_REVOKED_CHANNEL, `${nodeId} ${tokenId}`]).catch(report);
  });

  /** Revocations made while this node did not listen (`api_tokens`, see backend/auth). */
  async function replayRevocations(client: pg.Client, since: number): Promise<void> {
    const found = await client.query<{ id: string }>('SELECT id FROM api_tokens WHERE revoked_at >= $1', [since - REVOCATION_LOOKBACK_MS]);
    for (const row of found.rows) applyRevocation(row.id);
  }

  function scheduleReconnect(): void {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, delay);
    delay = Math.min(delay * 2, maxDelay);
  }

  async function connect(): Promise<void> {
    const client = new pg.Client({ connectionString: url, application_name: FANOUT_APPLICATION_NAME });
    current = client;
    listening = false;
    let lost = false;
    const lose = (error?: Error) => {
      if (lost) return;
      lost = true;
      if (error && !closed) report(new Error(`LISTEN connection lost: ${error.message}`));
      if (current === client) {
        current = null;
        lostAt ??= Date.now();
        listening = false;
      }
      client.end().catch(() => undefined);
      scheduleReconnect();
    };
    client.on('error', lose);
    client.on('end', () => lose(closed ? undefined : new Error('closed by the server')));
    client.on('notification', (message) => {
      if (message.channel === DOC_UPDATES_CHANNEL) {
        const announced = parseDocAnnouncement(message.payload);
        if (announced) docs.catchUp(announced.docName, announced.seq).catch(report);
      } else if (message.channel === TOKEN_REVOKED_CHANNEL && revocations) {
        const [from, tokenId] = (message.payload ?? '').split(' ');
        if (from !== nodeId && tokenId) applyRevocation(tokenId);
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${DOC_UPDATES_CHANNEL}`);
      if (revocations) await client.query(`LISTEN ${TOKEN_REVOKED_CHANNEL}`);
    } catch (error) {
      return lose(error as Error);
    }
    if (closed || lost) return void client.end().catch(() => undefined);
    listening = true;
    delay = minDelay;
    // Whatever was announced while nobody listened.
    const since = lostAt;
    lostAt = null;
    if (revocations && since !== null) await replayRevocations(client, since).catch(report);
    await docs.catchUpAll().catch(report);
  }

  await connect();
  return {
    isListening: () => listening,
    async close() {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      const client = current;
      current = null;
      listening = false;
      stopTelling?.();
      await client?.end().catch(() => undefined);
      await sender?.end().catch(() => undefined);
    },
  };
}

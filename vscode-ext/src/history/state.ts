/**
 * The connection state as a pure function of what the history observed: the last experiment listing (REST) and
 * each experiment's sync socket. Kept apart from RunHistory so every combination is easy to test.
 */
import type { SyncStatus } from '@runtrail/core/sync';
import type { ConnectionState } from '../model/connection';

/** Outcome of the last experiment listing; null before the first one finished. */
export type ListOutcome = { ok: true } | { ok: false; unauthorized: boolean; reason: string } | null;

/** One experiment's sync: its status, and whether its socket failed since it last synced. */
export interface SyncObservation {
  status: SyncStatus;
  /** A retry's `connecting` is not progress: only `synced` clears this. */
  failed: boolean;
}

/** What the history knows about its server. */
export interface Observations {
  serverUrl: string | null;
  list: ListOutcome;
  syncs: readonly SyncObservation[];
  cachedAt: number | null;
}

/**
 * The state to show. A refused token wins; any synced socket means online (live once all are); a failed
 * listing or sockets that all failed mean offline; a good listing without synced sockets yet is online but not
 * live; before any answer it is connecting.
 */
export function deriveConnectionState({ serverUrl, list, syncs, cachedAt }: Observations): ConnectionState {
  if (serverUrl === null) return { kind: 'unconfigured' };
  const statuses = syncs.map((s) => s.status);
  if (list && !list.ok && list.unauthorized) return { kind: 'unauthorized', serverUrl, reason: list.reason };
  if (statuses.includes('unauthorized')) return { kind: 'unauthorized', serverUrl, reason: 'the sync socket was refused' };
  if (statuses.includes('synced')) return { kind: 'online', serverUrl, live: statuses.every((s) => s === 'synced') };
  if (list && !list.ok) return { kind: 'offline', serverUrl, reason: list.reason, cachedAt };
  if (syncs.length && syncs.every((s) => s.failed)) return { kind: 'offline', serverUrl, reason: 'the sync connection was lost', cachedAt };
  if (list?.ok) return { kind: 'online', serverUrl, live: syncs.length === 0 };
  return { kind: 'connecting', serverUrl };
}

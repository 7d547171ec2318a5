/**
 * Test support for suites that drive live sync from Node: core's SyncClient (the one both extensions use) on a
 * real `ws` WebSocket with a switch that simulates a network outage, and waits on a doc's updates.
 */
import { WebSocket } from 'ws';
import type * as Y from 'yjs';
import { SyncClient, createExperimentDoc, type WebSocketLike } from '@runtrail/core/sync';

/** A sync client of `baseUrl` for the doc at `path`; `gate.offline` makes its connection attempts fail. */
export function openSyncClient(baseUrl: string, path: string, token: string) {
  const doc = createExperimentDoc();
  const gate = { offline: false, socket: null as WebSocket | null };
  const client = new SyncClient({
    doc,
    url: `${baseUrl.replace(/^http/, 'ws')}/api/v1/sync/${path}?token=${token}`,
    createSocket: (target): WebSocketLike => {
      if (gate.offline) throw new Error('network is down');
      gate.socket = new WebSocket(target);
      return gate.socket;
    },
    initialDelayMs: 50,
    maxDelayMs: 200,
  });
  return { client, doc, gate };
}

/** Polls `probe` every 5 ms until it gives a value (not undefined or false); rejects after `ms`. */
export async function until<T>(what: string, probe: () => T | undefined | false, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not seen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Resolves with the time (performance.now()) at which `probe` holds on `doc`, checked on each of its updates. */
export function seenAt(doc: Y.Doc, probe: () => boolean, what: string, ms = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (doc.off('update', check), reject(new Error(`${what}: not seen within ${ms / 1000} s`))), ms);
    function check() {
      if (!probe()) return;
      clearTimeout(timer);
      doc.off('update', check);
      resolve(performance.now());
    }
    doc.on('update', check);
    check();
  });
}

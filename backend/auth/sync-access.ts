/**
 * Access of a WebSocket sync connection: what its token may do, and the test that tells a viewer's harmless
 * updates (everything it sends is already in the server's doc, as in the step 2 of every handshake) from writes.
 */
import * as Y from 'yjs';

/** What one sync connection may do; `tokenId` identifies the API token it authenticated with (none = local). */
export interface SyncGrant {
  tokenId?: string;
  canWrite: boolean;
}

/** WebSocket close code of a write a read-only connection is not allowed to make. */
export const SYNC_FORBIDDEN_CLOSE = 4403;

/** Whether applying `update` to `doc` would change it: new items, or deletions the doc does not have yet. */
export function updateChangesDoc(doc: Y.Doc, update: Uint8Array): boolean {
  const known = Y.decodeStateVector(Y.encodeStateVector(doc));
  for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVectorFromUpdate(update))) {
    if (clock > (known.get(client) ?? 0)) return true;
  }
  const { ds } = Y.decodeUpdate(update);
  if (ds.clients.size === 0) return false;
  const deleted = Y.createDeleteSetFromStructStore(doc.store);
  for (const [client, items] of ds.clients) {
    for (const item of items) {
      for (let clock = item.clock; clock < item.clock + item.len; clock++) {
        if (!Y.isDeleted(deleted, Y.createID(client, clock))) return true;
      }
    }
  }
  return false;
}

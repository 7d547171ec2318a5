/**
 * WebSockets for SyncClient in the extension host. VS Code's Node (Electron) does not reliably have a global
 * WebSocket across the versions `engines` allows, so the `ws` package is bundled; its error messages are also
 * the ones SyncClient recognises as a refused token.
 */
import WebSocket from 'ws';
import type { WebSocketLike } from '@runtrail/core/sync';

/** Opens a sync socket (binary frames arrive as ArrayBuffer once SyncClient sets `binaryType`). */
export function createNodeSocket(url: string): WebSocketLike {
  return new WebSocket(url) as unknown as WebSocketLike;
}

/** The sync URL of an experiment: `ws(s)://<server>/api/v1/sync/<id>?token=…`. */
export function syncUrl(serverUrl: string, experimentId: string, token: string | undefined): string {
  const url = new URL(`${serverUrl.replace(/\/+$/, '')}/api/v1/sync/${encodeURIComponent(experimentId)}`);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  if (token) url.searchParams.set('token', token);
  return url.toString();
}

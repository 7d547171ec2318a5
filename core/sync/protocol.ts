/**
 * runtrail's sync wire protocol: pure encode/decode of the binary WebSocket messages that keep one experiment
 * doc in sync between a client and the backend. Sockets, routing and auth live at the edges
 * (core/sync/client.ts, backend/sync/websocket.ts).
 *
 * One WebSocket carries one doc; the doc is named by the URL (`/api/v1/sync/<experimentId>`), never in a message.
 * Every message is one binary frame:
 *
 *   [messageType: varUint][payload...]
 *
 *   0  sync    payload = one y-protocols sync message (y-protocols/sync.js):
 *                [0 step1][stateVector: varUint8Array]   "here is what I have"
 *                [1 step2][update: varUint8Array]        "here is what you lack" (the answer to a step1)
 *                [2 update][update: varUint8Array]       a live change
 *   1  (reserved for awareness, as in y-websocket; not used yet)
 *   2  error   payload = [json: varString], a `SyncError` ({ code, message }), sent just before the sender
 *              closes the socket so the other side knows why (`SyncCloseCode` carries the same meaning).
 *   3  synced  no payload. Sent by the server once it has applied and persisted the client's step2, so the
 *              client knows that everything it had (including edits made offline) is stored.
 *
 * Handshake (client-server model of y-protocols): on open each side sends step1. Each answers the other's step1
 * with step2. The server answers the client's step2 with `synced`. A client is synced once it has received the
 * server's step2 and the `synced` ack. After that both sides stream updates; yjs updates are idempotent and
 * commutative, so duplicates and reordering between different senders are harmless.
 *
 * Decoding is strict: unknown types, truncated payloads and trailing bytes raise `SyncProtocolError`.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as sync from 'y-protocols/sync';
import * as Y from 'yjs';
import { z } from 'zod';

/** Top-level message types (the first varUint of every frame). */
export const SyncMessageType = { sync: 0, error: 2, synced: 3 } as const;

/** WebSocket close codes runtrail uses (4xxx mirror the HTTP status of the same meaning). */
export const SyncCloseCode = {
  normal: 1000,
  goingAway: 1001,
  internalError: 1011,
  badMessage: 4400,
  unauthorized: 4401,
  notFound: 4404,
} as const;

/** Why a peer is about to close the connection. */
export const SyncError = z.object({
  code: z.enum(['bad-message', 'unauthorized', 'not-found', 'internal', 'shutting-down']),
  message: z.string().max(1000),
});
export type SyncError = z.infer<typeof SyncError>;

/** A decoded message. `payload` of a sync message is the whole y-protocols message (for `applySyncMessage`). */
export type SyncMessage =
  | { type: 'sync'; step: 'step1'; stateVector: Uint8Array; payload: Uint8Array }
  | { type: 'sync'; step: 'step2' | 'update'; update: Uint8Array; payload: Uint8Array }
  | { type: 'error'; error: SyncError }
  | { type: 'synced' };

/** Thrown when a frame does not follow the protocol; the receiver should close with `SyncCloseCode.badMessage`. */
export class SyncProtocolError extends Error {
  override readonly name = 'SyncProtocolError';
}

function frame(type: number, write?: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  write?.(encoder);
  return encoding.toUint8Array(encoder);
}

/** Sync step 1 of `doc`: its state vector, asking the peer for what it lacks. */
export function encodeSyncStep1(doc: Y.Doc): Uint8Array {
  return frame(SyncMessageType.sync, (e) => sync.writeSyncStep1(e, doc));
}

/** Sync step 2: everything `doc` has that a peer with `stateVector` lacks (the answer to its step 1). */
export function encodeSyncStep2(doc: Y.Doc, stateVector?: Uint8Array): Uint8Array {
  return frame(SyncMessageType.sync, (e) => sync.writeSyncStep2(e, doc, stateVector));
}

/** A live doc update. */
export function encodeUpdate(update: Uint8Array): Uint8Array {
  return frame(SyncMessageType.sync, (e) => sync.writeUpdate(e, update));
}

/** The reason for an imminent close. */
export function encodeError(error: SyncError): Uint8Array {
  const valid = SyncError.parse(error);
  return frame(SyncMessageType.error, (e) => encoding.writeVarString(e, JSON.stringify(valid)));
}

/** The server's ack of a client's step 2 (the client's state is now stored). */
export function encodeSynced(): Uint8Array {
  return frame(SyncMessageType.synced);
}

// lib0's readVarUint8Array does not check bounds (it can read past a subarray into its buffer).
function readBytes(decoder: decoding.Decoder): Uint8Array {
  const length = decoding.readVarUint(decoder);
  if (length > decoder.arr.length - decoder.pos) throw new SyncProtocolError('truncated message');
  return decoding.readUint8Array(decoder, length);
}

function decodeSync(decoder: decoding.Decoder, start: number): SyncMessage {
  const step = decoding.readVarUint(decoder);
  const bytes = readBytes(decoder);
  const payload = decoder.arr.subarray(start, decoder.pos);
  switch (step) {
    case sync.messageYjsSyncStep1:
      try {
        Y.decodeStateVector(bytes);
      } catch {
        throw new SyncProtocolError('malformed state vector');
      }
      return { type: 'sync', step: 'step1', stateVector: bytes, payload };
    case sync.messageYjsSyncStep2:
      return { type: 'sync', step: 'step2', update: bytes, payload };
    case sync.messageYjsUpdate:
      return { type: 'sync', step: 'update', update: bytes, payload };
    default:
      throw new SyncProtocolError(`unknown sync step ${step}`);
  }
}

function decodeError(decoder: decoding.Decoder): SyncMessage {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(readBytes(decoder)));
  } catch (error) {
    if (error instanceof SyncProtocolError) throw error;
    throw new SyncProtocolError('error message is not JSON');
  }
  const parsed = SyncError.safeParse(json);
  if (!parsed.success) throw new SyncProtocolError('error message does not match the schema');
  return { type: 'error', error: parsed.data };
}

/** Decodes one frame; throws `SyncProtocolError` when it is not a well-formed message. */
export function decodeMessage(data: Uint8Array): SyncMessage {
  const decoder = decoding.createDecoder(data);
  let message: SyncMessage;
  try {
    const type = decoding.readVarUint(decoder);
    if (type === SyncMessageType.sync) message = decodeSync(decoder, decoder.pos);
    else if (type === SyncMessageType.error) message = decodeError(decoder);
    else if (type === SyncMessageType.synced) message = { type: 'synced' };
    else throw new SyncProtocolError(`unknown message type ${type}`);
  } catch (error) {
    if (error instanceof SyncProtocolError) throw error;
    throw new SyncProtocolError(`malformed message: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (decoding.hasContent(decoder)) throw new SyncProtocolError('trailing bytes after message');
  return message;
}

/**
 * Applies a decoded sync message to a local doc with y-protocols (`readSyncMessage`), tagging the change with
 * `origin`. Returns the frame to send back (step 2 when the message was a step 1), or null.
 */
export function applySyncMessage(doc: Y.Doc, message: Extract<SyncMessage, { type: 'sync' }>, origin: unknown): Uint8Array | null {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, SyncMessageType.sync);
  const headerLength = encoding.length(encoder);
  sync.readSyncMessage(decoding.createDecoder(message.payload), encoder, doc, origin);
  return encoding.length(encoder) > headerLength ? encoding.toUint8Array(encoder) : null;
}

/** Whether `update` decodes as a yjs update (checked before a server applies an untrusted update). */
export function isWellFormedUpdate(update: Uint8Array): boolean {
  try {
    Y.decodeUpdate(update);
    return true;
  } catch {
    return false;
  }
}

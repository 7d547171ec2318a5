/**
 * Reads a request's body for the JSON routes. Served by @hono/node-server, it reads Node's request stream
 * directly: going through the Fetch API's `Request` builds a web stream over it, which cost ~5% of an MLflow
 * log-batch's handling. Elsewhere (tests through `app.request`) it uses the Fetch API.
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/** The body's bytes, or null when it exceeds `limit` (the rest is drained so the caller can still answer). */
export async function readBody(c: Context, limit: number): Promise<Uint8Array | null> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming || typeof incoming.on !== 'function' || incoming.readableDidRead) {
    const buffer = new Uint8Array(await c.req.arrayBuffer());
    return buffer.byteLength > limit ? null : buffer;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size <= limit) chunks.push(chunk);
  }
  return size > limit ? null : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

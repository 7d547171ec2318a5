/** Handlers of the content-addressed blob routes. */
import { ApiError, notFound } from '../errors';
import type { ApiContext } from './context';
import type { Handlers } from './router';

async function* chunks(stream: ReadableStream<Uint8Array> | null): AsyncIterable<Uint8Array> {
  if (!stream) return;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}

/** PUT (verified), GET and HEAD of blobs by sha256. */
export function blobHandlers(ctx: ApiContext): Pick<Handlers, 'putBlob' | 'getBlob' | 'headBlob'> {
  return {
    async putBlob({ params, context }) {
      const declared = Number(context.req.header('content-length') ?? '0');
      if (declared > ctx.blobMaxBytes) {
        throw new ApiError(413, 'BLOB_TOO_LARGE', `blob is ${declared} bytes; the limit is ${ctx.blobMaxBytes}`, 'body');
      }
      const { size, created } = await ctx.blobs.put(params.sha256, chunks(context.req.raw.body), ctx.blobMaxBytes);
      return context.json({ sha256: params.sha256, size, created }, created ? 201 : 200);
    },

    async getBlob({ params }) {
      const blob = await ctx.blobs.get(params.sha256);
      if (!blob) throw notFound('blob', params.sha256, 'params.sha256');
      return new Response(blob.body, {
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.size), 'cache-control': 'private, max-age=31536000, immutable' },
      });
    },

    async headBlob({ params }) {
      const info = await ctx.blobs.stat(params.sha256);
      if (!info) return new Response(null, { status: 404 });
      return new Response(null, { status: 200, headers: { 'content-length': String(info.size) } });
    },
  };
}

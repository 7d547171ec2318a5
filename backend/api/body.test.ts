import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBody } from './body';

const LIMIT = 1000;
const app = new Hono();
app.post('/echo', async (c) => {
  const body = await readBody(c, LIMIT);
  return body === null ? c.json({ error: 'too large' }, 413) : c.json({ bytes: body.byteLength, text: new TextDecoder().decode(body) });
});

let server: ServerType;
let port = 0;
beforeAll(async () => {
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** POSTs `parts` as a chunked body (no content-length), as streaming clients do. */
function postChunked(parts: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/echo', method: 'POST' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    for (const part of parts) req.write(part);
    req.end();
  });
}

describe('readBody', () => {
  it('reads a body sent in several chunks over real HTTP', async () => {
    const res = await postChunked(['{"a":', '"x"', '}']);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ bytes: 9, text: '{"a":"x"}' });
  });

  it('answers null for a body over the limit, having drained it, so the server can still reply', async () => {
    const res = await postChunked(Array.from({ length: 5 }, () => 'y'.repeat(400)));
    expect(res.status).toBe(413);
    expect((await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', body: 'ok' })).status).toBe(200);
  });

  it('works without a Node request too (the Fetch API path)', async () => {
    const res = await app.request('/echo', { method: 'POST', body: 'hello' });
    expect(await res.json()).toEqual({ bytes: 5, text: 'hello' });
    expect((await app.request('/echo', { method: 'POST', body: 'z'.repeat(LIMIT + 1) })).status).toBe(413);
  });
});

/** Test support: an in-process app on an in-memory store and a temp blob folder (used by *.test.ts only). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uuidv7 } from 'uuidv7';
import { createApp } from './app';
import { openFsBlobStore } from './blobs/fs';
import { openSqliteStore } from './store/sqlite';
import { DocManager } from './sync/docs';

/** The token test apps require. */
export const TEST_TOKEN = 'test-token';

/** An app plus helpers to call it like a client and to clean up. */
export function createTestApp() {
  const dir = mkdtempSync(join(tmpdir(), 'runtrail-test-'));
  const store = openSqliteStore(':memory:');
  const docs = new DocManager(store);
  let clock = 1_700_000_000_000;
  const errors: unknown[] = [];
  const app = createApp({
    store,
    docs,
    blobs: openFsBlobStore(join(dir, 'blobs')),
    token: TEST_TOKEN,
    now: () => clock++,
    newId: () => uuidv7(),
    blobMaxBytes: 10 * 1024 * 1024,
    onError: (e) => errors.push(e),
  });
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const init: RequestInit = { method, headers: { authorization: `Bearer ${TEST_TOKEN}`, ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' || body instanceof Uint8Array ? (body as string) : JSON.stringify(body);
      if (!(body instanceof Uint8Array)) (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const res = await app.request(path, init);
    const text = await res.text();
    // Tests read whatever fields they assert on; the shape is checked by the assertions themselves.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let json: any = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text, headers: res.headers };
  };
  return {
    app,
    store,
    docs,
    call,
    errors,
    async close() {
      await docs.dispose();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The blob port's contract, run on every adapter: the filesystem store and the S3 store against a real
 * S3-protocol server (moto) that this file starts.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../errors';
import { openFsBlobStore } from './fs';
import type { BlobStore } from './port';
import { openS3BlobStore, type S3BlobStore } from './s3';
import { parseS3BlobUrl } from './s3-url';
import { startTestS3, TEST_S3_ENV, type TestS3 } from './test-s3-server';

const MAX = 64 * 1024 * 1024;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function* chunked(bytes: Uint8Array, size = 64 * 1024): AsyncIterable<Uint8Array> {
  for (let at = 0; at < bytes.byteLength; at += size) yield bytes.subarray(at, at + size);
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of stream as unknown as AsyncIterable<Uint8Array>) parts.push(part);
  return Buffer.concat(parts);
}

/** Pseudo-random bytes (a cheap generator: 20 MB of crypto randomness is slow on a loaded machine). */
function bytesOf(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

interface Adapter {
  name: string;
  open(): Promise<{ store: BlobStore; spoolDir: string }>;
}

const folders: string[] = [];
const closers: (() => unknown)[] = [];
let s3: TestS3;
const savedEnv: Record<string, string | undefined> = {};

beforeAll(async () => {
  for (const [key, value] of Object.entries(TEST_S3_ENV)) {
    savedEnv[key] = process.env[key];
    process.env[key] = value;
  }
  s3 = await startTestS3();
}, 60_000);

afterAll(async () => {
  for (const close of closers) await close();
  await s3?.stop();
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'runtrail-blobs-'));
  folders.push(dir);
  return dir;
}

const adapters: Adapter[] = [
  {
    name: 'filesystem',
    async open() {
      const root = tempDir();
      return { store: openFsBlobStore(root), spoolDir: join(root, 'tmp') };
    },
  },
  {
    name: 'S3 (moto)',
    async open() {
      const bucket = await s3.createBucket();
      const spoolDir = tempDir();
      const store: S3BlobStore = await openS3BlobStore(parseS3BlobUrl(s3.blobsUrl(bucket, 'team/blobs')), { spoolDir });
      closers.push(() => store.close());
      return { store, spoolDir };
    },
  },
];

function spoolIsEmpty(dir: string): boolean {
  try {
    return readdirSync(dir).length === 0;
  } catch {
    return true; // never created
  }
}

describe.each(adapters)('blob store contract: $name', (adapter) => {
  it('stores bytes under their sha256 and reads them back with their size', async () => {
    const { store, spoolDir } = await adapter.open();
    const bytes = new TextEncoder().encode('hello, blobs\n');
    const address = sha256(bytes);
    expect(await store.stat(address)).toBeNull();
    expect(await store.put(address, chunked(bytes), MAX)).toEqual({ size: bytes.byteLength, created: true });
    expect(await store.stat(address)).toEqual({ size: bytes.byteLength });
    const blob = await store.get(address);
    expect(blob?.size).toBe(bytes.byteLength);
    expect((await readAll(blob!.body)).toString()).toBe('hello, blobs\n');
    expect(spoolIsEmpty(spoolDir)).toBe(true);
  });

  it('stores an empty blob', async () => {
    const { store } = await adapter.open();
    const address = sha256(new Uint8Array());
    expect(await store.put(address, chunked(new Uint8Array()), MAX)).toEqual({ size: 0, created: true });
    const blob = await store.get(address);
    expect(blob?.size).toBe(0);
    expect((await readAll(blob!.body)).byteLength).toBe(0);
  });

  it('refuses bytes that do not hash to the address with 422 and stores nothing', async () => {
    const { store, spoolDir } = await adapter.open();
    const bytes = new TextEncoder().encode('the real content');
    const wrong = sha256(new TextEncoder().encode('something else'));
    const error = await store.put(wrong, chunked(bytes), MAX).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 422, code: 'DIGEST_MISMATCH' });
    expect((error as Error).message).toContain(sha256(bytes));
    expect(await store.stat(wrong)).toBeNull();
    expect(await store.get(wrong)).toBeNull();
    expect(await store.stat(sha256(bytes))).toBeNull();
    expect(spoolIsEmpty(spoolDir)).toBe(true);
  });

  it('refuses a blob past the size limit with 413 and stores nothing', async () => {
    const { store, spoolDir } = await adapter.open();
    const bytes = bytesOf(200_000, 7);
    const error = await store.put(sha256(bytes), chunked(bytes), 100_000).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 413, code: 'BLOB_TOO_LARGE' });
    expect(await store.stat(sha256(bytes))).toBeNull();
    expect(spoolIsEmpty(spoolDir)).toBe(true);
  });

  it('treats a re-upload of stored content as a no-op (created: false) and keeps the bytes', async () => {
    const { store } = await adapter.open();
    const bytes = bytesOf(10_000, 3);
    const address = sha256(bytes);
    expect(await store.put(address, chunked(bytes), MAX)).toMatchObject({ created: true });
    expect(await store.put(address, chunked(bytes), MAX)).toEqual({ size: 10_000, created: false });
    expect(Buffer.compare(await readAll((await store.get(address))!.body), Buffer.from(bytes))).toBe(0);
  });

  it('accepts concurrent identical uploads: all succeed and one intact blob is stored', async () => {
    const { store, spoolDir } = await adapter.open();
    const bytes = bytesOf(1_000_000, 11);
    const address = sha256(bytes);
    const results = await Promise.all(Array.from({ length: 6 }, () => store.put(address, chunked(bytes), MAX)));
    for (const result of results) expect(result.size).toBe(bytes.byteLength);
    expect(results.some((r) => r.created)).toBe(true);
    expect(await store.stat(address)).toEqual({ size: bytes.byteLength });
    expect(sha256(await readAll((await store.get(address))!.body))).toBe(address);
    expect(spoolIsEmpty(spoolDir)).toBe(true);
  });

  it('streams a 20 MB blob in and out intact', async () => {
    const { store } = await adapter.open();
    const bytes = bytesOf(20 * 1024 * 1024, 42);
    const address = sha256(bytes);
    expect(await store.put(address, chunked(bytes, 256 * 1024), MAX)).toEqual({ size: bytes.byteLength, created: true });
    const blob = await store.get(address);
    expect(blob?.size).toBe(bytes.byteLength);
    // Read it as a stream, hashing chunk by chunk: the whole blob is never needed in memory.
    const hash = createHash('sha256');
    let chunks = 0;
    for await (const chunk of blob!.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      chunks++;
    }
    expect(hash.digest('hex')).toBe(address);
    expect(chunks).toBeGreaterThan(1);
  }, 60_000);

  it('answers null for a blob that is not stored', async () => {
    const { store } = await adapter.open();
    const missing = 'ab'.repeat(32);
    expect(await store.stat(missing)).toBeNull();
    expect(await store.get(missing)).toBeNull();
  });
});

describe('S3 store whose server stops answering', () => {
  it('answers 503 BLOB_STORE_UNAVAILABLE naming the bucket, over the API too, and leaves no spool file', async () => {
    const own = await startTestS3();
    const bucket = await own.createBucket();
    const spoolDir = tempDir();
    const store = await openS3BlobStore(parseS3BlobUrl(own.blobsUrl(bucket, 'blobs')), { spoolDir });
    closers.push(() => store.close());
    const bytes = bytesOf(50_000, 7);
    const address = sha256(bytes);
    await own.stop();

    const refusals = await Promise.all(
      [store.stat(address), store.get(address), store.put(address, chunked(bytes), MAX)].map((p) => p.then(() => null, (e: unknown) => e)),
    );
    for (const error of refusals) {
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ status: 503, code: 'BLOB_STORE_UNAVAILABLE' });
      expect((error as ApiError).message).toContain(`S3 bucket '${bucket}'`);
    }
    expect(spoolIsEmpty(spoolDir)).toBe(true);

    const { createApp } = await import('../app');
    const { openSqliteStore } = await import('../store/sqlite');
    const { DocManager } = await import('../sync/docs');
    const records = openSqliteStore(':memory:');
    const docs = new DocManager(records);
    const errors: unknown[] = [];
    const app = createApp({
      store: records, docs, blobs: store, token: 't', now: () => 1, newId: () => 'x', blobMaxBytes: MAX,
      onError: (e) => errors.push(e),
    });
    const auth = { authorization: 'Bearer t' };
    const put = await app.request(`/api/v1/blobs/${address}`, { method: 'PUT', headers: auth, body: bytes });
    expect(put.status).toBe(503);
    expect(((await put.json()) as { error: unknown }).error).toMatchObject({ code: 'BLOB_STORE_UNAVAILABLE' });
    const get = await app.request(`/api/v1/blobs/${address}`, { headers: auth });
    expect(get.status).toBe(503);
    expect(errors).toEqual([]);
    await docs.dispose();
    await records.close();
  }, 90_000);
});

/**
 * What every blob adapter does with an upload before it stores it: the bytes are written to a temp file while
 * they are hashed and counted, and kept only if they hash to their address and fit the size limit.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { ApiError } from '../errors';

/**
 * Writes `body` to a new file in `dir`; resolves with its path and size once it is complete and hashes to
 * `sha256`. Throws ApiError 413 past `maxBytes`, 422 on another hash; the file is then removed. The caller moves
 * or removes the file it gets.
 */
export async function spoolVerified(
  body: AsyncIterable<Uint8Array>,
  sha256: string,
  maxBytes: number,
  dir: string,
): Promise<{ path: string; size: number }> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, randomUUID());
  const out = createWriteStream(path);
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of body) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new ApiError(413, 'BLOB_TOO_LARGE', `blob exceeds ${maxBytes} bytes`, 'body');
      hash.update(chunk);
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', resolve));
    }
    out.end();
    await finished(out);
    const actual = hash.digest('hex');
    if (actual !== sha256) {
      throw new ApiError(422, 'DIGEST_MISMATCH', `content hashes to ${actual}, not to the address ${sha256}`, 'body');
    }
    return { path, size };
  } catch (error) {
    out.destroy();
    await rm(path, { force: true });
    throw error;
  }
}

/** Reads an upload to its end without keeping it (a blob already stored), so the connection stays usable. */
export async function drain(body: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const _chunk of body) {
    // discarded
  }
}

/** Filesystem blob store: `<root>/<aa>/<bb>/<sha256>`, written to a temp file then renamed (atomic). */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ApiError } from '../errors';
import type { BlobStore } from './port';

/** Opens a blob store in folder `root` (created when missing). */
export function openFsBlobStore(root: string): BlobStore {
  const pathOf = (sha: string) => join(root, sha.slice(0, 2), sha.slice(2, 4), sha);
  const tmpDir = join(root, 'tmp');

  return {
    async stat(sha256) {
      try {
        return { size: (await stat(pathOf(sha256))).size };
      } catch {
        return null;
      }
    },

    async put(sha256, body, maxBytes) {
      const existing = await this.stat(sha256);
      if (existing) {
        for await (const _chunk of body) {
          // drain the request so the connection stays usable
        }
        return { size: existing.size, created: false };
      }
      await mkdir(tmpDir, { recursive: true });
      const tmp = join(tmpDir, randomUUID());
      const out = createWriteStream(tmp);
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
        const target = pathOf(sha256);
        await mkdir(dirname(target), { recursive: true });
        await rename(tmp, target);
        return { size, created: true };
      } catch (error) {
        out.destroy();
        await rm(tmp, { force: true });
        throw error;
      }
    },

    async get(sha256) {
      const info = await this.stat(sha256);
      if (!info) return null;
      const body = Readable.toWeb(createReadStream(pathOf(sha256))) as ReadableStream<Uint8Array>;
      return { size: info.size, body };
    },
  };
}

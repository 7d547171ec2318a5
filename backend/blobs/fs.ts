/** Filesystem blob store: `<root>/<aa>/<bb>/<sha256>`, written to a temp file then renamed (atomic). */
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import type { BlobStore } from './port';
import { drain, spoolVerified } from './spool';

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
        await drain(body);
        return { size: existing.size, created: false };
      }
      const { path, size } = await spoolVerified(body, sha256, maxBytes, tmpDir);
      try {
        const target = pathOf(sha256);
        await mkdir(dirname(target), { recursive: true });
        await rename(path, target);
        return { size, created: true };
      } catch (error) {
        await rm(path, { force: true });
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

/**
 * The offline cache of experiment docs: one file per experiment holding its Y.Doc state, in a folder per
 * server (VS Code's global storage). The views read it while the server cannot be reached; on reconnect the
 * sync handshake sends only what changed. Writes go to a temp file first, so a crash never leaves half a doc.
 */
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashText } from '@runtrail/core/util';

/** Storage of doc states by experiment id (a port: tests and other hosts may keep them elsewhere). */
export interface DocCache {
  /** Ids of the experiments with a stored doc. */
  list(): Promise<string[]>;
  /** The stored state of one doc, or null. */
  load(experimentId: string): Promise<Uint8Array | null>;
  /** Replaces the stored state of one doc. */
  save(experimentId: string, state: Uint8Array): Promise<void>;
  /** Forgets one doc (the server no longer lists its experiment). */
  remove(experimentId: string): Promise<void>;
  /** When anything was last saved (ms since epoch), or null when nothing is stored. */
  savedAt(): Promise<number | null>;
}

const SUFFIX = '.ydoc';
// Experiment ids are EntityIds (letters, digits, '-', '_', '.'); anything else never names a file.
const SAFE_ID = /^[\w.-]{1,200}$/;

/** The cache folder of one server under `root`: servers never share (or overwrite) each other's docs. */
export function serverCacheDir(root: string, serverUrl: string): string {
  return join(root, 'servers', hashText(serverUrl.replace(/\/+$/, '')));
}

/** A DocCache in a folder of `<experimentId>.ydoc` files. */
export function fileDocCache(dir: string): DocCache {
  const file = (id: string) => {
    if (!SAFE_ID.test(id) || id.startsWith('.')) throw new Error(`not a cacheable experiment id: ${JSON.stringify(id)}`);
    return join(dir, id + SUFFIX);
  };
  const names = async () => (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith(SUFFIX));
  return {
    async list() {
      return (await names()).map((n) => n.slice(0, -SUFFIX.length)).filter((id) => SAFE_ID.test(id));
    },
    async load(id) {
      try {
        return new Uint8Array(await readFile(file(id)));
      } catch {
        return null;
      }
    },
    async save(id, state) {
      await mkdir(dir, { recursive: true });
      const target = file(id);
      const temp = `${target}.${process.pid}.tmp`;
      await writeFile(temp, state);
      await rename(temp, target);
    },
    async remove(id) {
      await rm(file(id), { force: true });
    },
    async savedAt() {
      const times = await Promise.all((await names()).map((n) => stat(join(dir, n)).then((s) => s.mtimeMs, () => 0)));
      const latest = Math.max(0, ...times);
      return latest > 0 ? latest : null;
    },
  };
}

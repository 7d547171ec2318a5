/**
 * The Models view's offline cache: the last models list of a server as `models.json` in that server's cache
 * folder (next to its experiment docs, see src/history/cache.ts). Written to a temp file first, then renamed,
 * so a crash never leaves half a list.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelsCache } from './models-registry';

/** A ModelsCache in `<dir>/models.json`. */
export function fileModelsCache(dir: string): ModelsCache {
  const file = join(dir, 'models.json');
  return {
    async load() {
      return readFile(file, 'utf8').catch(() => null);
    },
    async save(text) {
      await mkdir(dir, { recursive: true });
      const temp = `${file}.${process.pid}.tmp`;
      await writeFile(temp, text);
      await rename(temp, file);
    },
  };
}

/**
 * Where the pages bundle (built by `npm run build` into backend/dist/pages, and copied next to the bundled
 * CLI as packages/cli/dist/pages) is found at run time. The backend runs from source (tests) and bundled into
 * the CLI, so `import.meta.url` points at either this file or the CLI bundle: both places are tried.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** File name of the pages bundle in its folder. */
export const PAGES_SCRIPT_FILE = 'runtrail-pages.js';

/** Folders that may hold the bundle: beside the CLI bundle, then the backend's dist from source. */
export function defaultPagesDirs(): string[] {
  return [new URL('./pages/', import.meta.url), new URL('../dist/pages/', import.meta.url)].map((u) => fileURLToPath(u));
}

/** Reads the bundle from the first folder that has it; null when it is not built. Cached once found. */
export function pagesScriptLoader(dirs: readonly string[]): () => Promise<string | null> {
  let found: string | null = null;
  return async () => {
    if (found !== null) return found;
    for (const dir of dirs) {
      try {
        found = await readFile(`${dir.replace(/[\\/]$/, '')}/${PAGES_SCRIPT_FILE}`, 'utf8');
        return found;
      } catch {
        // not in this folder; try the next
      }
    }
    return null;
  };
}

/**
 * Applies a set of file changes so that an error leaves nothing half-written: every new content goes to a temp file
 * beside its target first; only when all are written are they renamed over their targets (rename is atomic on one
 * file system), and files to delete are removed last. A failure before the renames removes the temp files.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** One file to write, with an absolute path. */
export interface FileWrite {
  path: string;
  content: string;
}

/** Writes `writes` and deletes `deletes` (absolute paths) all together or not at all. */
export function applyFileChanges(writes: FileWrite[], deletes: string[] = []): void {
  const staged: Array<{ temp: string; target: string }> = [];
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    for (const w of writes) {
      mkdirSync(dirname(w.path), { recursive: true });
      const temp = join(dirname(w.path), `.${basename(w.path)}.runtrail-${suffix}.tmp`);
      writeFileSync(temp, w.content, { flag: 'wx' });
      staged.push({ temp, target: w.path });
    }
  } catch (error) {
    for (const s of staged) rmSync(s.temp, { force: true });
    throw error;
  }
  for (const s of staged) renameSync(s.temp, s.target);
  for (const path of deletes) rmSync(path, { force: true });
}

/**
 * Applies the files of a promotion or demotion plan through a file-system port, all or nothing, for callers that
 * cannot rename temp files over their targets (the VS Code and JupyterLab UIs write through their own APIs).
 * Order: every file's current content is read first (to restore it), then the writes in plan order (step module
 * first, `pipeline.yaml` last, so the pipeline never names a module that is not there), then the deletes, then the
 * caller's `finish` (for example the notebook's tag edit). When any of these fails, what was already written or
 * deleted is put back as it was and the first error is rethrown.
 */
import type { PlannedFile } from './promote';

/** The file operations applying a plan needs; paths are project-relative with `/` separators. */
export interface PlanFileSystem {
  /** The file's text, or null when it does not exist. */
  read(path: string): Promise<string | null>;
  /** Creates or replaces the file (and its folders). */
  write(path: string, content: string): Promise<void>;
  /** Removes the file; a missing file is not an error. */
  remove(path: string): Promise<void>;
}

/** Thrown when a plan could not be applied; `restoreErrors` lists files that could not be put back. */
export class PlanApplyError extends Error {
  constructor(
    cause: unknown,
    readonly restoreErrors: string[],
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(restoreErrors.length ? `${reason}; could not restore: ${restoreErrors.join('; ')}` : reason, { cause });
    this.name = 'PlanApplyError';
  }
}

/** Writes `writes`, removes `deletes`, then runs `finish`; on any failure restores every touched file. */
export async function applyPlanFiles(
  fs: PlanFileSystem,
  plan: { writes: readonly PlannedFile[]; deletes: readonly string[] },
  finish?: () => Promise<void>,
): Promise<void> {
  const paths = [...new Set([...plan.writes.map((w) => w.path), ...plan.deletes])];
  const before = new Map<string, string | null>();
  for (const path of paths) before.set(path, await fs.read(path));
  const touched: string[] = [];
  try {
    for (const w of plan.writes) {
      touched.push(w.path);
      await fs.write(w.path, w.content);
    }
    for (const path of plan.deletes) {
      if (before.get(path) === null) continue;
      touched.push(path);
      await fs.remove(path);
    }
    await finish?.();
  } catch (error) {
    const restoreErrors: string[] = [];
    for (const path of [...new Set(touched)].reverse()) {
      const old = before.get(path) ?? null;
      try {
        if (old === null) await fs.remove(path);
        else await fs.write(path, old);
      } catch (restoreError) {
        restoreErrors.push(`${path} (${(restoreError as Error).message})`);
      }
    }
    throw new PlanApplyError(error, restoreErrors);
  }
}

import { describe, expect, it } from 'vitest';
import { applyPlanFiles, PlanApplyError, type PlanFileSystem } from './apply';

/** A file system in a Map that can be told to fail on one path. */
function memoryFs(files: Record<string, string>, failOn?: { op: 'write' | 'remove'; path: string }) {
  const store = new Map(Object.entries(files));
  const log: string[] = [];
  const fs: PlanFileSystem = {
    read: async (path) => store.get(path) ?? null,
    write: async (path, content) => {
      if (failOn?.op === 'write' && failOn.path === path) throw new Error(`disk full writing ${path}`);
      log.push(`write ${path}`);
      store.set(path, content);
    },
    remove: async (path) => {
      if (failOn?.op === 'remove' && failOn.path === path) throw new Error(`cannot remove ${path}`);
      log.push(`remove ${path}`);
      store.delete(path);
    },
  };
  return { fs, store, log };
}

const plan = {
  writes: [
    { path: 'pipeline/steps/clean.py', content: 'def clean(): ...\n' },
    { path: 'pipeline.yaml', content: 'version: 1\nsteps: [clean]\n' },
  ],
  deletes: ['pipeline/steps/old.py'],
};

describe('applyPlanFiles', () => {
  it('writes step modules before pipeline.yaml, then deletes, then finishes', async () => {
    const { fs, store, log } = memoryFs({ 'pipeline.yaml': 'version: 1\n', 'pipeline/steps/old.py': 'x' });
    await applyPlanFiles(fs, plan, async () => void log.push('finish'));
    expect(log).toEqual(['write pipeline/steps/clean.py', 'write pipeline.yaml', 'remove pipeline/steps/old.py', 'finish']);
    expect(Object.fromEntries(store)).toEqual({ 'pipeline.yaml': 'version: 1\nsteps: [clean]\n', 'pipeline/steps/clean.py': 'def clean(): ...\n' });
  });

  it('leaves every file as it was when pipeline.yaml cannot be written', async () => {
    const before = { 'pipeline.yaml': 'version: 1\n', 'pipeline/steps/old.py': 'x' };
    const { fs, store } = memoryFs(before, { op: 'write', path: 'pipeline.yaml' });
    await expect(applyPlanFiles(fs, plan)).rejects.toThrow('disk full writing pipeline.yaml');
    expect(Object.fromEntries(store)).toEqual(before);
  });

  it('puts written and deleted files back when the final step (the notebook edit) fails', async () => {
    const before = { 'pipeline/steps/old.py': 'x' };
    const { fs, store } = memoryFs(before);
    const error = await applyPlanFiles(fs, plan, async () => {
      throw new Error('notebook edit refused');
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanApplyError);
    expect((error as PlanApplyError).restoreErrors).toEqual([]);
    expect(Object.fromEntries(store)).toEqual(before);
  });

  it('names the files it could not restore', async () => {
    const { fs } = memoryFs({}, { op: 'remove', path: 'pipeline/steps/clean.py' });
    const error = await applyPlanFiles(fs, { writes: plan.writes, deletes: [] }, async () => {
      throw new Error('refused');
    }).then(() => undefined, (e: unknown) => e as PlanApplyError);
    expect(error?.message).toBe('refused; could not restore: pipeline/steps/clean.py (cannot remove pipeline/steps/clean.py)');
  });
});

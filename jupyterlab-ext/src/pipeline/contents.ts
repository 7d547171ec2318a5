/**
 * core/pipeline's file-system port over the Jupyter contents API, rooted at the notebook's project folder.
 * The contents API does not create parent folders of a file, so `write` creates the missing ones level by level
 * and remembers them; `removeCreatedFolders` takes them away again when a plan is rolled back.
 */
import type { Contents } from '@jupyterlab/services';
import { ServerConnection } from '@jupyterlab/services';
import type { PlanFileSystem } from '@runtrail/core/pipeline';
import { inProject, type NotebookProject } from './project';

/** The port, plus the clean-up of folders its writes created. */
export interface ContentsFileSystem extends PlanFileSystem {
  /** Removes the folders `write` created (deepest first) when they are empty again. */
  removeCreatedFolders(): Promise<void>;
}

function isNotFound(error: unknown): boolean {
  return error instanceof ServerConnection.ResponseError && error.response.status === 404;
}

/** A file-system port writing through `contents` into the project's folder. */
export function contentsFileSystem(contents: Contents.IManager, project: NotebookProject): ContentsFileSystem {
  const created: string[] = [];

  async function exists(path: string): Promise<boolean> {
    try {
      await contents.get(path, { content: false });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async function ensureFolders(relativePath: string): Promise<void> {
    const parts = relativePath.split('/').slice(0, -1);
    for (let depth = 1; depth <= parts.length; depth++) {
      const folder = inProject(project, parts.slice(0, depth).join('/'));
      if (await exists(folder)) continue;
      await contents.save(folder, { type: 'directory' });
      created.push(folder);
    }
  }

  return {
    async read(path) {
      try {
        const model = await contents.get(inProject(project, path), { type: 'file', format: 'text', content: true });
        return typeof model.content === 'string' ? model.content : null;
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },
    async write(path, content) {
      await ensureFolders(path);
      await contents.save(inProject(project, path), { type: 'file', format: 'text', content });
    },
    async remove(path) {
      try {
        await contents.delete(inProject(project, path));
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },
    async removeCreatedFolders() {
      for (const folder of created.splice(0).reverse()) {
        const listing = await contents.get(folder, { content: true }).catch(() => null);
        if (listing && Array.isArray(listing.content) && listing.content.length === 0) await contents.delete(folder).catch(() => undefined);
      }
    },
  };
}

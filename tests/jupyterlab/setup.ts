/**
 * What every JupyterLab spec sets up the same way: Galata options that point the extension at the backend the specs
 * control, and notebooks written into the server root with a python3 kernelspec (so JupyterLab never asks which
 * kernel to start).
 */
import { galata } from '@jupyterlab/galata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BACKEND } from './backend';

/** The extension's settings id. */
export const PLUGIN = 'runtrail-jupyterlab:plugin';

/** The kernelspec written into every spec notebook. */
export const PYTHON3 = { name: 'python3', display_name: 'Python 3', language: 'python' };

/**
 * Options for `test.use`: Galata serves settings from memory, so the extension gets the backend's URL and `token`.
 * Galata's kernel and session mocks answer a kernel restart with 201, which JupyterLab rejects: they are off.
 */
export function galataOptions(token = BACKEND.token) {
  return {
    autoGoto: true,
    kernels: null,
    sessions: null,
    mockSettings: { ...galata.DEFAULT_SETTINGS, [PLUGIN]: { serverUrl: BACKEND.url, token } },
  };
}

/** A code cell; `id` undefined makes an nbformat 4.4 cell (no id). */
export function codeCell(id: string | undefined, source: string, tags: string[] = []) {
  return { ...(id === undefined ? {} : { id }), cell_type: 'code', source, metadata: tags.length ? { tags } : {}, outputs: [], execution_count: null };
}

/** Writes a notebook of `cells` at `name` under the server root (nbformat 4.`minor`; 4 = cells without ids). */
export function writeNotebook(name: string, cells: ReturnType<typeof codeCell>[], minor: 4 | 5 = 5): void {
  const nb = { nbformat: 4, nbformat_minor: minor, metadata: { kernelspec: PYTHON3 }, cells };
  writeFileSync(join(process.env.JLAB_ROOT!, name), JSON.stringify(nb));
}

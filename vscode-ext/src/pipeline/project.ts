/**
 * Where a notebook sits in its project. The CLI's project is its current folder (or --project): `pipeline.yaml`
 * lives there and every path in it is relative to it. In VS Code the project is the workspace folder that holds
 * the notebook, so both write the same paths.
 */

/** Thrown when a notebook is not inside a workspace folder. */
export class OutsideProjectError extends Error {
  constructor(notebook: string) {
    super(`${notebook} is not inside a workspace folder: open the project folder that holds it (pipeline.yaml is written at the folder's root)`);
    this.name = 'OutsideProjectError';
  }
}

/** The notebook's path relative to the project folder, `/`-separated; both are URI paths (`/a/b`). */
export function projectRelativePath(folderPath: string, notebookPath: string): string {
  const folder = folderPath.endsWith('/') ? folderPath : `${folderPath}/`;
  if (!notebookPath.startsWith(folder) || notebookPath.length === folder.length) throw new OutsideProjectError(notebookPath);
  return notebookPath.slice(folder.length);
}

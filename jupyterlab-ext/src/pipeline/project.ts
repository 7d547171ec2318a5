/**
 * Where a notebook's pipeline lives in JupyterLab: the notebook's own folder is the project folder, as if the CLI
 * were run there (`runtrail pipeline promote NOTEBOOK` takes the current folder as the project). So `pipeline.yaml`
 * sits beside the notebook, the notebook is named by its file name, and the plan's paths are joined to that folder.
 */
import { PathExt } from '@jupyterlab/coreutils';

/** A notebook's project folder (Jupyter contents path, '' for the root) and its project-relative path. */
export interface NotebookProject {
  folder: string;
  notebook: string;
}

/** The project of the notebook at `contentsPath`. */
export function projectOf(contentsPath: string): NotebookProject {
  return { folder: PathExt.dirname(contentsPath), notebook: PathExt.basename(contentsPath) };
}

/** The Jupyter contents path of a project-relative path. */
export function inProject(project: NotebookProject, path: string): string {
  return project.folder ? PathExt.join(project.folder, path) : path;
}

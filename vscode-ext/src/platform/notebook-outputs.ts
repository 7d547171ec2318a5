/** nbformat outputs <-> `vscode.NotebookCellOutput` (the mapping itself is in notebook/cell-items.ts). */
import * as vscode from 'vscode';
import { fromCellOutput, toCellOutput } from '../notebook/cell-items';
import type { JupyterOutput } from '../notebook/outputs';

/** The VS Code output of an nbformat output. */
export function toVscodeOutput(output: JupyterOutput): vscode.NotebookCellOutput {
  const { items, metadata } = toCellOutput(output);
  return new vscode.NotebookCellOutput(
    items.map((i) => new vscode.NotebookCellOutputItem(i.data, i.mime)),
    metadata,
  );
}

/** The nbformat outputs of a cell as VS Code holds them. */
export function cellOutputs(cell: vscode.NotebookCell): JupyterOutput[] {
  return cell.outputs.map((o) => fromCellOutput({ items: o.items.map((i) => ({ mime: i.mime, data: i.data })), metadata: o.metadata }));
}

/**
 * The JupyterLab commands "Promote Cell to Pipeline Step…" and "Demote Pipeline Step": in the cell context menu,
 * the cell toolbar (schema/plugin.json, `jupyter.lab.toolbars` "Cell") and the command palette. A command acts on
 * the cell right-clicked when opened from the context menu, else on the active cell of the current notebook.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { ICommandPalette } from '@jupyterlab/apputils';
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { buildIcon, undoIcon } from '@jupyterlab/ui-components';
import { stepOfTags } from '@runtrail/core/pipeline';
import { modelTags } from './cells';
import { demoteCell, promoteCell, type FlowContext } from './flows';

/** Command ids of the pipeline commands. */
export const PIPELINE_COMMANDS = {
  promote: 'runtrail:promote-cell',
  demote: 'runtrail:demote-step',
} as const;

const CONTEXT_MENU = 'cell-context-menu';

type CommandArgs = { readonly [key: string]: unknown };

interface Target {
  panel: NotebookPanel;
  index: number;
}

/** Registers the commands and their menu and palette items. */
export function registerPipelineCommands(
  app: JupyterFrontEnd,
  tracker: INotebookTracker,
  ctx: FlowContext,
  palette: ICommandPalette | null,
): void {
  // JupyterLab keeps the last context-menu event, so the hit test is only asked when the menu ran the command.
  const target = (args: CommandArgs): Target | null => {
    const panel = tracker.currentWidget;
    if (!panel?.model) return null;
    const node = args.from === CONTEXT_MENU ? app.contextMenuHitTest((n) => n.classList.contains('jp-Cell')) : undefined;
    const clicked = node ? panel.content.widgets.findIndex((w) => w.node === node) : -1;
    const index = clicked >= 0 ? clicked : panel.content.activeCellIndex;
    return index >= 0 && index < panel.model.cells.length ? { panel, index } : null;
  };
  const cellOf = (t: Target | null) => t?.panel.model?.cells.get(t.index);
  const isCode = (args: CommandArgs) => cellOf(target(args))?.type === 'code';
  const stepOf = (args: CommandArgs) => {
    const cell = cellOf(target(args));
    return cell ? stepOfTags(modelTags(cell)) : undefined;
  };

  app.commands.addCommand(PIPELINE_COMMANDS.promote, {
    label: (args) => (args.toolbar ? '' : 'Promote Cell to Pipeline Step…'),
    caption: 'Turn this cell into a pipeline step (pipeline/steps/<name>.py and pipeline.yaml), after a preview',
    icon: (args) => (args.toolbar ? buildIcon : undefined),
    isEnabled: isCode,
    isVisible: (args) => !args.toolbar || isCode(args),
    execute: async (args) => {
      const t = target(args);
      return t ? promoteCell(t.panel, t.index, ctx) : false;
    },
  });
  app.commands.addCommand(PIPELINE_COMMANDS.demote, {
    label: (args) => (args.toolbar ? '' : 'Demote Pipeline Step'),
    caption: "Remove this cell's pipeline step: its module and its pipeline.yaml entry",
    icon: (args) => (args.toolbar ? undoIcon : undefined),
    isEnabled: (args) => stepOf(args) !== undefined,
    isVisible: (args) => stepOf(args) !== undefined,
    execute: async (args) => {
      const t = target(args);
      return t ? demoteCell(t.panel, t.index, ctx) : false;
    },
  });
  app.contextMenu.addItem({ type: 'separator', selector: '.jp-Notebook .jp-Cell', rank: 60 });
  const args = { from: CONTEXT_MENU };
  app.contextMenu.addItem({ command: PIPELINE_COMMANDS.promote, selector: '.jp-Notebook .jp-Cell', rank: 61, args });
  app.contextMenu.addItem({ command: PIPELINE_COMMANDS.demote, selector: '.jp-Notebook .jp-Cell', rank: 62, args });
  for (const command of Object.values(PIPELINE_COMMANDS)) palette?.addItem({ command, category: 'runtrail' });
  // The cell toolbar asks again when the active cell changes or is re-tagged.
  const notify = () => {
    app.commands.notifyCommandChanged(PIPELINE_COMMANDS.promote);
    app.commands.notifyCommandChanged(PIPELINE_COMMANDS.demote);
  };
  tracker.activeCellChanged.connect(notify);
  tracker.activeCellChanged.connect((_, cell) => cell?.model.metadataChanged.connect(notify));
}

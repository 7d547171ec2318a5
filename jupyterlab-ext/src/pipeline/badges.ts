/**
 * Shows on each promoted cell which pipeline step it is (a small label read from the cell's `runtrail-step:` tag),
 * kept up to date as cells are added, moved, re-tagged or demoted.
 */
import type { Cell } from '@jupyterlab/cells';
import type { NotebookPanel } from '@jupyterlab/notebook';
import { stepOfTags } from '@runtrail/core/pipeline';
import { modelTags } from './cells';

const BADGE_CLASS = 'rt-StepBadge';
const STEP_CELL_CLASS = 'rt-mod-step';

/** Puts, updates or removes the step label of one cell. */
export function showStepBadge(cell: Cell): void {
  const step = cell.model ? stepOfTags(modelTags(cell.model)) : undefined;
  let badge = cell.node.querySelector<HTMLElement>(`:scope > .${BADGE_CLASS}`);
  cell.node.classList.toggle(STEP_CELL_CLASS, step !== undefined);
  if (!step) {
    badge?.remove();
    return;
  }
  if (!badge) {
    badge = document.createElement('span');
    badge.className = BADGE_CLASS;
    cell.node.append(badge);
  }
  badge.textContent = `step: ${step}`;
  badge.title = `This cell is pipeline step "${step}" (pipeline/steps/${step}.py)`;
  badge.dataset.step = step;
}

/** Keeps the step labels of a notebook's cells current; stops when the panel is disposed. */
export function trackStepBadges(panel: NotebookPanel): void {
  const notebook = panel.content;
  const watched = new WeakSet<object>();
  const refresh = () => {
    for (const cell of notebook.widgets) {
      if (cell.model && !watched.has(cell.model)) {
        watched.add(cell.model);
        cell.model.metadataChanged.connect(refresh);
      }
      showStepBadge(cell);
    }
  };
  notebook.model?.cells.changed.connect(refresh);
  // Cells are (re)rendered after model changes; a rendered cell gets its label on the next pass.
  notebook.modelContentChanged.connect(refresh);
  refresh();
  panel.disposed.connect(() => {
    notebook.model?.cells.changed.disconnect(refresh);
    notebook.modelContentChanged.disconnect(refresh);
    for (const cell of notebook.widgets) cell.model?.metadataChanged.disconnect(refresh);
  });
}

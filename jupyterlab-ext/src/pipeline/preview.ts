/**
 * The body of the promotion dialog: an editable step name and what promoting will do (inputs and where they come
 * from, outputs with types, params, upstream and downstream steps, warnings, files). Editing the name plans again,
 * so the preview and any error (naming the step and field) follow the name as it is typed. Enter in the name field
 * confirms and Escape cancels (JupyterLab's Dialog handles both).
 */
import { Widget } from '@lumino/widgets';
import { PipelineError, type PromotionPlan, type PromotionPreview } from '@runtrail/core/pipeline';

/** Plans the promotion with a step name (undefined: the default name). */
export type Replan = (name: string | undefined) => PromotionPlan;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function section(title: string, rows: string[][], testId: string, empty: string): HTMLElement {
  const box = el('section', 'rt-Promote-section');
  box.dataset.testid = testId;
  box.append(el('h3', 'rt-Promote-heading', title));
  if (!rows.length) {
    box.append(el('p', 'rt-Promote-empty', empty));
    return box;
  }
  const table = el('table', 'rt-Promote-table');
  for (const cells of rows) {
    const tr = el('tr', '');
    tr.dataset.name = cells[0];
    for (const text of cells) tr.append(el('td', '', text));
    table.append(tr);
  }
  box.append(table);
  return box;
}

function inputRow(input: PromotionPreview['inputs'][number]): string[] {
  if (input.from === 'step') return [input.name, input.type, `output of step "${input.step}"`];
  const bound = input.snapshot ? `snapshot ${input.snapshot}` : 'no snapshot yet (unbound)';
  return [input.name, input.type, `data from cell ${input.cell}, ${bound}`];
}

/** Renders a plan's preview (and the files it writes, relative to `folder`). */
export function renderPreview(plan: PromotionPlan, folder: string): HTMLElement {
  const p = plan.preview;
  const root = el('div', 'rt-Promote-preview');
  const where = folder ? `${folder}/` : 'the Jupyter root folder';
  const action = p.update ? `Updates step "${p.step}" in place` : `Adds step "${p.step}"`;
  root.append(el('p', 'rt-Promote-summary', `${action}, from cell ${p.cell.index} (id ${p.cell.id}). Project folder: ${where}`));
  root.append(section('Inputs', p.inputs.map(inputRow), 'inputs', 'none'));
  root.append(section('Outputs', p.outputs.map((o) => [o.name, o.type, o.format]), 'outputs', 'none (no later cell reads what this cell writes)'));
  root.append(section('Params', p.params.map((x) => [x.name, JSON.stringify(x.value)]), 'params', 'none'));
  root.append(section('Upstream steps', p.upstream.map((s) => [s]), 'upstream', 'none'));
  root.append(section('Downstream steps wired to it', p.downstream.map((s) => [s]), 'downstream', 'none'));
  const files = [...plan.writes.map((f) => [f.path, 'write']), ...plan.deletes.map((f) => [f, 'delete'])];
  root.append(section('Files', files, 'files', 'none'));
  if (p.warnings.length) {
    const box = el('section', 'rt-Promote-section rt-Promote-warnings');
    box.dataset.testid = 'warnings';
    box.append(el('h3', 'rt-Promote-heading', 'Warnings'));
    const list = el('ul', '');
    for (const w of p.warnings) list.append(el('li', '', w));
    box.append(list);
    root.append(box);
  }
  return root;
}

/** The text of an error as the dialogs show it: a PipelineError names the step and the field. */
export function describeError(error: unknown): string {
  if (error instanceof PipelineError) return `${error.step ? `Step "${error.step}", field ` : 'Field '}${error.field}: ${error.reason}`;
  return error instanceof Error ? error.message : String(error);
}

/** The dialog body; `getValue()` is the step name to promote with. */
export class PromotionBody extends Widget {
  private readonly input: HTMLInputElement;
  private content: HTMLElement;
  private readonly error: HTMLElement;

  /** Shows the plan for `name`, or why it cannot be made (the user may then type another name). */
  constructor(
    name: string,
    private readonly replan: Replan,
    private readonly folder: string,
  ) {
    super();
    this.addClass('rt-Promote');
    const label = el('label', 'rt-Promote-name', 'Step name ');
    this.input = el('input', 'jp-mod-styled rt-Promote-nameInput');
    this.input.value = name;
    this.input.spellcheck = false;
    this.input.setAttribute('aria-label', 'Step name');
    label.append(this.input);
    this.error = el('p', 'rt-Promote-error');
    this.error.setAttribute('role', 'alert');
    this.content = el('div', 'rt-Promote-preview');
    this.node.append(label, this.error, this.content);
    this.input.addEventListener('input', () => this.update());
    this.onUpdateRequest();
  }

  /** The step name typed. */
  getValue(): string {
    return this.input.value.trim();
  }

  /** Plans again with the typed name and shows the preview or the error. */
  protected override onUpdateRequest(): void {
    try {
      const fresh = renderPreview(this.replan(this.getValue() || undefined), this.folder);
      this.content.replaceWith(fresh);
      this.content = fresh;
      this.error.hidden = true;
    } catch (error) {
      this.error.textContent = describeError(error);
      this.error.hidden = false;
    }
  }
}

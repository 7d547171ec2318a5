/**
 * The promote and demote previews as quick-pick rows: the actions first (write, rename, cancel), then what the
 * step reads and from where, what it returns with types, its params, the steps it connects to, warnings and the
 * files that change. Plain data, so the wording is tested without VS Code; src/platform shows it.
 */
import type { DemotionPlan, PromotionPlan } from '@runtrail/core/pipeline';

/** What choosing a row does; `info` rows only inform. */
export type PreviewAction = 'apply' | 'rename' | 'cancel' | 'info';

/** One row of a preview: a section heading (`separator`) or an entry. */
export interface PreviewRow {
  label: string;
  description?: string;
  detail?: string;
  separator?: boolean;
  action: PreviewAction;
}

/** The title and rows of a preview. */
export interface PreviewView {
  title: string;
  rows: PreviewRow[];
}

const info = (label: string, description?: string): PreviewRow => ({ label, action: 'info', ...(description ? { description } : {}) });
const section = (label: string): PreviewRow => ({ label, separator: true, action: 'info' });

function short(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function fileRows(plan: PromotionPlan | DemotionPlan, notebook: string, tag: string): PreviewRow[] {
  return [
    section('Files'),
    ...plan.writes.map((f) => info(`$(new-file) ${f.path}`, 'write')),
    ...plan.deletes.map((f) => info(`$(trash) ${f}`, 'delete')),
    info(`$(tag) ${notebook}`, `cell ${plan.cellTag.index}: ${tag}`),
  ];
}

/** The preview of promoting a cell. */
export function promotionPreview(plan: PromotionPlan, notebook: string): PreviewView {
  const p = plan.preview;
  const verb = p.update ? 'Update' : 'Promote';
  const rows: PreviewRow[] = [
    { label: `$(check) ${verb} step "${p.step}"`, description: `write ${plan.writes.length} files and tag the cell`, action: 'apply' },
    { label: '$(edit) Rename…', description: 'choose another step name', action: 'rename' },
    { label: '$(close) Cancel', description: 'write nothing', action: 'cancel' },
    section('Inputs'),
    ...(p.inputs.length
      ? p.inputs.map((i) =>
          i.from === 'step'
            ? info(`$(arrow-right) ${i.name}: ${i.type}`, `from step ${i.step}.${i.name}`)
            : info(`$(database) ${i.name}: ${i.type}`, `data from cell ${i.cell}, ${i.snapshot ? `snapshot ${i.snapshot.slice(0, 16)}` : 'no snapshot yet'}`),
        )
      : [info('(none)')]),
    section('Outputs'),
    ...(p.outputs.length ? p.outputs.map((o) => info(`$(arrow-left) ${o.name}: ${o.type}`, `stored as ${o.format}`)) : [info('(none)')]),
    section('Params'),
    ...(p.params.length ? p.params.map((q) => info(`$(symbol-constant) ${q.name}`, `= ${short(q.value)}`)) : [info('(none)')]),
    section('Steps'),
    info(`$(arrow-up) upstream: ${p.upstream.length ? p.upstream.join(', ') : '(none)'}`),
    info(`$(arrow-down) downstream inputs wired to it: ${p.downstream.length ? p.downstream.join(', ') : '(none)'}`),
  ];
  if (p.imports.length || p.helpers.length) {
    rows.push(section('Code'), ...p.imports.map((line) => info(`$(package) ${line}`)), ...p.helpers.map((h) => info(`$(symbol-function) ${h}`, 'helper copied')));
  }
  if (p.warnings.length) rows.push(section('Warnings'), ...p.warnings.map((w) => ({ ...info(`$(warning) ${w}`), detail: w })));
  rows.push(...fileRows(plan, notebook, `add tag ${plan.cellTag.add.join(', ')}`));
  return { title: `runtrail: ${verb} cell ${p.cell.index} (id ${p.cell.id}) of ${notebook} ${p.update ? 'as' : 'to'} step "${p.step}"`, rows };
}

/** The preview of demoting a cell's step. */
export function demotionPreview(plan: DemotionPlan, notebook: string): PreviewView {
  return {
    title: `runtrail: Demote step "${plan.step.name}" (cell ${plan.cellTag.index} of ${notebook})`,
    rows: [
      { label: `$(check) Demote step "${plan.step.name}"`, description: 'remove it from pipeline.yaml and delete its module', action: 'apply' },
      { label: '$(close) Cancel', description: 'write nothing', action: 'cancel' },
      ...fileRows(plan, notebook, 'remove its runtrail-step tag'),
    ],
  };
}

/** The view shown when promotion or demotion is refused: the error (naming step and field) and what to do. */
export function refusalView(message: string, canRename: boolean): PreviewView {
  return {
    title: `runtrail: nothing was written: ${message}`,
    rows: [
      { label: `$(error) ${message}`, action: 'info', detail: 'Nothing was written.' },
      ...(canRename ? [{ label: '$(edit) Choose another name…', action: 'rename' as const }] : []),
      { label: '$(close) Close', action: 'cancel' },
    ],
  };
}

/** Terminal rendering of promotion and demotion previews. */
import type { DemotionPlan, PromotionPlan } from '@runtrail/core/pipeline';
import { short, table } from '../format';

/** The preview of a promotion as text: what the step reads, returns and which files change. */
export function renderPromotion(plan: PromotionPlan, notebook: string): string {
  const p = plan.preview;
  const lines = [`${p.update ? 'Update' : 'Promote'} cell ${p.cell.index} (id ${p.cell.id}) of ${notebook} ${p.update ? 'as' : 'to'} step "${p.step}"`];
  const inputs = p.inputs.map((i) =>
    i.from === 'step'
      ? [i.name, 'step', `${i.step}.${i.name}`, i.type]
      : [i.name, 'data', i.snapshot ? `snapshot ${i.snapshot.slice(0, 16)}` : 'no snapshot yet', i.type],
  );
  lines.push('', 'Inputs:', inputs.length ? indent(table(['NAME', 'FROM', 'SOURCE', 'TYPE'], inputs)) : '  (none)');
  const outputs = p.outputs.map((o) => [o.name, o.type, o.format]);
  lines.push('', 'Outputs:', outputs.length ? indent(table(['NAME', 'TYPE', 'FORMAT'], outputs)) : '  (none)');
  lines.push('', 'Params:', p.params.length ? p.params.map((q) => `  ${q.name} = ${short(q.value)}`).join('\n') : '  (none)');
  lines.push('', `Upstream steps: ${p.upstream.length ? p.upstream.join(', ') : '(none)'}`);
  if (p.downstream.length) lines.push(`Downstream inputs wired to this step: ${p.downstream.join(', ')}`);
  if (p.imports.length) lines.push(`Imports: ${p.imports.join('; ')}`);
  if (p.helpers.length) lines.push(`Helpers copied: ${p.helpers.join(', ')}`);
  for (const w of p.warnings) lines.push(`Warning: ${w}`);
  lines.push('', 'Files:', ...fileLines(plan, notebook, `add tag ${plan.cellTag.add.join(', ')}`));
  return lines.join('\n');
}

/** The preview of a demotion as text. */
export function renderDemotion(plan: DemotionPlan, notebook: string): string {
  return [
    `Demote step "${plan.step.name}" (cell ${plan.cellTag.index} of ${notebook})`,
    '',
    'Files:',
    ...fileLines(plan, notebook, 'remove its runtrail-step tag'),
  ].join('\n');
}

function fileLines(plan: PromotionPlan | DemotionPlan, notebook: string, tag: string): string[] {
  return [
    ...plan.writes.map((f) => `  write   ${f.path}`),
    ...plan.deletes.map((f) => `  delete  ${f}`),
    `  tag     ${notebook} cell ${plan.cellTag.index}: ${tag}`,
  ];
}

function indent(text: string): string {
  return text.split('\n').map((l) => `  ${l}`).join('\n');
}

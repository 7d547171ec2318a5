/**
 * The Runs view's filter: an expression in the grammar of core's `parseFilter` (the backend's run search and
 * the CLI's `--filter`), evaluated on the runs the view holds with the run table's semantics, so the same text
 * picks the same runs in the tree, the webview table and on the server. Also the items of the filter quick pick:
 * the expression to apply (or why it cannot be) and the fields there are to filter on.
 */
import { compileRunFilter, looksLikeExpression } from '@runtrail/ui/filter';
import type { Run } from '@runtrail/core/schema';
import { formatMetric, formatParam } from './format';
import type { ExperimentEntry } from './tree';

/** A filter the view applies: its text and the test a run must pass. */
export interface RunsFilter {
  text: string;
  test: (run: Run) => boolean;
}

/** The outcome of reading a filter text: a filter, no filter (empty text), or what is wrong with it. */
export type FilterParse = { ok: true; filter: RunsFilter | null } | { ok: false; error: string };

/** An example users see in prompts and errors. */
export const FILTER_EXAMPLE = "metrics.acc > 0.9 and params.optimizer = 'adam'";

/** Reads a filter text; empty text clears the filter, text that is not an expression says what is expected. */
export function parseRunsFilter(text: string): FilterParse {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, filter: null };
  if (!looksLikeExpression(trimmed)) {
    return { ok: false, error: `A filter starts with a field: params.<key>, metrics.<key> or tags.<key>, e.g. ${FILTER_EXAMPLE}` };
  }
  const compiled = compileRunFilter(trimmed);
  if (compiled.mode !== 'expression') return { ok: false, error: `Not a valid filter: ${compiled.error ?? 'unknown problem'}` };
  return { ok: true, filter: { text: trimmed, test: compiled.test } };
}

/** The experiments with only the runs that pass; experiments left without runs are dropped. */
export function filterEntries(entries: readonly ExperimentEntry[], filter: RunsFilter | null): ExperimentEntry[] {
  if (!filter) return [...entries];
  return entries.flatMap((e) => {
    const runs = e.runs.filter(filter.test);
    return runs.length ? [{ experiment: e.experiment, runs }] : [];
  });
}

/** Counts for the view's description: runs that pass, runs in all. */
export function filterCounts(entries: readonly ExperimentEntry[], filter: RunsFilter | null): { shown: number; total: number } {
  let shown = 0;
  let total = 0;
  for (const e of entries) {
    for (const r of e.runs) {
      total++;
      if (!filter || filter.test(r)) shown++;
    }
  }
  return { shown, total };
}

/** What the view's title bar says while a filter is on (empty when none). */
export function filterDescription(entries: readonly ExperimentEntry[], filter: RunsFilter | null): string {
  if (!filter) return '';
  const { shown, total } = filterCounts(entries, filter);
  return `${filter.text} (${shown} of ${total} runs)`;
}

/** A field to filter on, with a few of its values as a hint. */
export interface FilterField {
  field: string;
  examples: string[];
  runs: number;
}

/** Params, metrics and tags the runs have, most common first, each with up to three distinct values. */
export function filterFields(entries: readonly ExperimentEntry[]): FilterField[] {
  const fields = new Map<string, { values: Set<string>; runs: number }>();
  const add = (field: string, value: string) => {
    const entry = fields.get(field) ?? { values: new Set<string>(), runs: 0 };
    entry.runs++;
    if (entry.values.size < 3) entry.values.add(value);
    fields.set(field, entry);
  };
  for (const e of entries) {
    for (const run of e.runs) {
      for (const p of run.params) add(`params.${p.key}`, formatParam(p.value));
      for (const m of run.metrics) add(`metrics.${m.key}`, formatMetric(m.last));
      for (const t of run.tags) add(`tags.${t.key}`, t.value);
    }
  }
  return [...fields.entries()]
    .map(([field, { values, runs }]) => ({ field, examples: [...values], runs }))
    .sort((a, b) => b.runs - a.runs || a.field.localeCompare(b.field));
}

/** An item of the filter quick pick: apply the typed text, clear the filter, or insert a field. */
export interface FilterPickItem {
  label: string;
  description: string;
  detail: string;
  action: { kind: 'apply'; text: string } | { kind: 'clear' } | { kind: 'invalid' } | { kind: 'insert'; text: string };
}

/** `text` with `field` appended as a new clause (after `and` when there already is one). */
export function withField(text: string, field: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return `${field} `;
  if (/\band\s*$/i.test(trimmed)) return `${trimmed} ${field} `;
  return `${trimmed} and ${field} `;
}

/**
 * The quick pick's items for what is typed: first what Enter would do (apply, clear, or the error), then the
 * fields to insert. Fields are matched against the last word typed, so typing `met` offers the metrics.
 */
export function filterPickItems(text: string, entries: readonly ExperimentEntry[], active: RunsFilter | null): FilterPickItem[] {
  const parsed = parseRunsFilter(text);
  const items: FilterPickItem[] = [];
  if (!parsed.ok) {
    items.push({ label: '$(error) Not a valid filter', description: text.trim(), detail: parsed.error, action: { kind: 'invalid' } });
  } else if (parsed.filter === null) {
    if (active) items.push({ label: '$(clear-all) Clear the filter', description: active.text, detail: 'Show every run again', action: { kind: 'clear' } });
  } else {
    const { shown, total } = filterCounts(entries, parsed.filter);
    items.push({ label: `$(filter) Filter: ${parsed.filter.text}`, description: `${shown} of ${total} runs`, detail: 'Press Enter to apply', action: { kind: 'apply', text: parsed.filter.text } });
  }
  // After an operator a value is due, not a field.
  if (/(?:[<>=!]|\s(?:like|in))\s*$/i.test(text)) return items;
  const lastWord = /(\S*)$/.exec(text)?.[1]?.toLowerCase() ?? '';
  const typingField = lastWord !== '' && !/^(and|[<>=!]+|like|in)$/.test(lastWord) && !/^['"\d(-]/.test(lastWord);
  const candidates = filterFields(entries).filter((f) => !typingField || f.field.toLowerCase().includes(lastWord));
  for (const f of candidates) {
    const base = typingField ? text.slice(0, text.length - lastWord.length) : text;
    items.push({
      label: f.field,
      description: `${f.runs} run${f.runs === 1 ? '' : 's'}`,
      detail: `e.g. ${f.examples.join(', ')}`,
      action: { kind: 'insert', text: typingField ? `${base}${f.field} ` : withField(base, f.field) },
    });
  }
  return items;
}

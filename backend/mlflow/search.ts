/**
 * MLflow's search syntax on runtrail's search: `metrics.acc > 0.5 and params.opt = 'adam'` filters (core's
 * filter grammar, with MLflow's attribute names mapped) and `order_by` terms (`metrics.acc DESC`).
 */
import { FilterSyntaxError, parseFilter } from '@runtrail/core/client';
import type { FilterClause } from '@runtrail/core/schema';
import { STATUS_FROM_MLFLOW } from './convert';
import { invalidParameter } from './errors';

const ATTRIBUTES: Record<string, string> = {
  start_time: 'startTime',
  end_time: 'endTime',
  run_name: 'name',
  status: 'status',
  experiment_id: 'experimentId',
  created: 'startTime',
  'Created': 'startTime',
};

const ATTRIBUTE_WORD = /(^|[\s(])(?:(?:attributes|attribute|attr|run)\.)?(start_time|end_time|run_name|status|experiment_id|created|Created)(?=\s*(?:[<>=!]|like\b|ilike\b|in\b|LIKE\b|ILIKE\b|IN\b))/g;

/** Translates an MLflow run filter into search clauses; a syntax error is INVALID_PARAMETER_VALUE. */
export function mlflowRunFilter(filter: string | undefined): FilterClause[] {
  if (!filter?.trim()) return [];
  const mapped = filter
    .replace(ATTRIBUTE_WORD, (_m, lead: string, name: string) => `${lead}attributes.${ATTRIBUTES[name]}`)
    .replace(/\s+ilike\s+/gi, ' like ');
  let clauses: FilterClause[];
  try {
    clauses = parseFilter(mapped);
  } catch (error) {
    if (error instanceof FilterSyntaxError) throw invalidParameter(`Error parsing filter '${filter}': ${error.message}`);
    throw error;
  }
  return clauses.map((c) => {
    if (c.field !== 'attributes.status') return c;
    const status = (v: string | number) => STATUS_FROM_MLFLOW[String(v).toUpperCase()] ?? String(v).toLowerCase();
    return { ...c, value: Array.isArray(c.value) ? c.value.map(status) : status(c.value) };
  });
}

/** Translates MLflow `order_by` terms (`metrics.acc DESC`, `start_time`) into search orderings. */
export function mlflowRunOrder(terms: string[]): { field: string; direction: 'asc' | 'desc' }[] {
  if (terms.length > 3) throw invalidParameter(`order_by takes at most 3 terms, got ${terms.length}`);
  return terms.map((term) => {
    const match = /^\s*(.+?)(?:\s+(asc|desc))?\s*$/i.exec(term);
    if (!match) throw invalidParameter(`Invalid order_by clause '${term}'`);
    let field = match[1]!.replace(/`/g, '').replace(/\.\s*"(.*)"$/, '.$1');
    const bare = field.replace(/^(attributes|attribute|attr)\./, '');
    if (ATTRIBUTES[bare]) field = `attributes.${ATTRIBUTES[bare]}`;
    else field = field.replace(/^(metric|param|tag)\./, (s) => ({ 'metric.': 'metrics.', 'param.': 'params.', 'tag.': 'tags.' })[s]!);
    if (!/^(params|metrics|tags|attributes)\./.test(field)) throw invalidParameter(`Invalid order_by clause '${term}': unknown field '${match[1]}'`);
    return { field, direction: (match[2]?.toLowerCase() ?? 'asc') as 'asc' | 'desc' };
  });
}

/** A tag condition of a registry search. */
export interface TagCondition {
  key: string;
  op: '=' | '!=';
  value: string;
}

/** What a registry search filter asks for. */
export interface RegistryFilter {
  name?: string;
  nameLike?: string;
  runId?: string;
  tags: TagCondition[];
}

const REGISTRY_CLAUSE =
  /^\s*(name|run_id|tags?\.(?:`([^`]+)`|"([^"]+)"|([\w.\-/: ]+?)))\s*(=|!=|i?like)\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*$/i;

/**
 * Parses the filter language of the registry searches: `name = 'x'`, `name LIKE '%x%'`, `run_id = 'r'` and
 * `tags.<key> = | != 'v'` (MLflow clients add `tags.\`mlflow.prompt.is_prompt\` != 'true'` themselves).
 */
export function registryFilter(filter: string | undefined): RegistryFilter {
  const out: RegistryFilter = { tags: [] };
  if (!filter?.trim()) return out;
  for (const part of filter.split(/\s+and\s+/i)) {
    const m = REGISTRY_CLAUSE.exec(part);
    if (!m) throw invalidParameter(`Unsupported filter '${filter}': use name = '...', name LIKE '...', run_id = '...' or tags.<key> = '...'`);
    const value = (m[6] ?? m[7] ?? '').replace(/\\(.)/g, '$1');
    const op = m[5]!.toLowerCase();
    const tagKey = m[2] ?? m[3] ?? m[4];
    if (tagKey !== undefined) {
      if (op !== '=' && op !== '!=') throw invalidParameter(`Unsupported operator '${m[5]}' for tags in '${filter}': use = or !=`);
      out.tags.push({ key: tagKey, op, value });
    } else if (m[1]!.toLowerCase() === 'run_id') out.runId = value;
    else if (op === '=') out.name = value;
    else if (op === '!=') throw invalidParameter(`Unsupported operator '!=' for name in '${filter}'`);
    else out.nameLike = value;
  }
  return out;
}

/** True when `tags` meet every condition (a missing tag is "not equal"). */
export function tagsMatch(tags: { key: string; value: string }[], conditions: TagCondition[]): boolean {
  return conditions.every((c) => {
    const actual = tags.find((t) => t.key === c.key)?.value;
    return c.op === '=' ? actual === c.value : actual !== c.value;
  });
}

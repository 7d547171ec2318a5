/**
 * The run table's filter box. Plain text matches names, ids, status and param/metric/tag keys and values
 * (every whitespace-separated term must match). Text that starts like a field (`metrics.acc > 0.9 and
 * params.opt = 'adam'`) is parsed with core's `parseFilter`, the grammar of the backend's run search, and
 * evaluated here with the backend's semantics, so a filter gives the same runs offline and on the server.
 */
import { FilterSyntaxError, parseFilter } from '@runtrail/core/client';
import type { FilterClause, Run } from '@runtrail/core/schema';
import { paramComparable } from './columns';
import { formatValue } from './format';

/** A compiled filter: the test a run must pass, and an error to show when the expression was not valid. */
export interface RunFilter {
  /** `all` for an empty box, `text` for term matching, `expression` for parsed clauses. */
  mode: 'all' | 'text' | 'expression';
  test: (run: Run) => boolean;
  /** Why the text could not be used as an expression; the box then falls back to text matching. */
  error: string | null;
}

const EXPRESSION_START = /^\s*(params?|metrics?|tags?|attr|attributes?)\.\S/i;

/** Whether the user is typing an expression rather than search terms. */
export function looksLikeExpression(text: string): boolean {
  return EXPRESSION_START.test(text);
}

/** SQL LIKE (`%` any run, `_` one character), case-insensitive as SQLite's is for ASCII. */
export function likeToRegExp(pattern: string): RegExp {
  const body = [...pattern]
    .map((ch) => (ch === '%' ? '.*' : ch === '_' ? '.' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'is');
}

type Scalar = string | number;

function compareScalar(actual: Scalar, op: FilterClause['op'], expected: Scalar): boolean {
  if (op === 'like') return typeof expected === 'string' && likeToRegExp(expected).test(String(actual));
  const a = typeof expected === 'number' ? Number(actual) : String(actual);
  if (typeof expected === 'number' && Number.isNaN(a)) return false;
  switch (op) {
    case '=':
      return a === expected;
    case '!=':
      return a !== expected;
    case '<':
      return a < expected;
    case '<=':
      return a <= expected;
    case '>':
      return a > expected;
    case '>=':
      return a >= expected;
    default:
      return false;
  }
}

function holds(actual: Scalar | null, clause: FilterClause): boolean {
  if (actual === null) return false;
  if (Array.isArray(clause.value)) {
    return clause.op === 'in' && clause.value.some((v) => compareScalar(actual, '=', v));
  }
  return clause.op !== 'in' && compareScalar(actual, clause.op, clause.value);
}

function isNumericClause(clause: FilterClause): boolean {
  const v = clause.value;
  return typeof v === 'number' || (Array.isArray(v) && typeof v[0] === 'number');
}

/** Whether a run satisfies one clause; a run without the field never does (as the server's `exists`). */
export function matchesClause(run: Run, clause: FilterClause): boolean {
  const dot = clause.field.indexOf('.');
  const scope = clause.field.slice(0, dot);
  const name = clause.field.slice(dot + 1);
  switch (scope) {
    case 'params': {
      const param = run.params.find((p) => p.key === name);
      if (!param) return false;
      const { text, num } = paramComparable(param.value);
      return holds(isNumericClause(clause) ? num : text, clause);
    }
    case 'metrics':
      return holds(run.metrics.find((m) => m.key === name)?.last ?? null, clause);
    case 'tags':
      return holds(run.tags.find((t) => t.key === name)?.value ?? null, clause);
    default: {
      const value = (run as unknown as Record<string, Scalar | null | undefined>)[name];
      return holds(value ?? null, clause);
    }
  }
}

/** A clause the server would reject: the same rules, so the user learns them here first. */
function clauseProblem(clause: FilterClause): string | null {
  if (clause.op === 'in' && !Array.isArray(clause.value)) return "operator 'in' needs a list like (1, 2)";
  if (clause.op !== 'in' && Array.isArray(clause.value)) return `operator '${clause.op}' needs a single value`;
  if (clause.op === 'like' && typeof clause.value !== 'string') return "operator 'like' needs a quoted string";
  if (clause.field.startsWith('metrics.') && !isNumericClause(clause)) return `${clause.field} compares with numbers`;
  return null;
}

const haystacks = new WeakMap<Run, string>();

/** Everything text search looks at, lower-cased once per run record (records are replaced, not mutated). */
function haystackOf(run: Run): string {
  let text = haystacks.get(run);
  if (text === undefined) {
    const parts = [run.name, run.id, run.status];
    for (const p of run.params) parts.push(`${p.key}=${formatValue(p.value)}`);
    for (const m of run.metrics) parts.push(`${m.key}=${m.last ?? ''}`);
    for (const t of run.tags) parts.push(`${t.key}=${t.value}`);
    text = parts.join('\n').toLowerCase();
    haystacks.set(run, text);
  }
  return text;
}

/** Whether every term occurs in the run's name, id, status or a `key=value` of its params, metrics, tags. */
export function runMatchesText(run: Run, terms: readonly string[]): boolean {
  const haystack = haystackOf(run);
  return terms.every((term) => haystack.includes(term));
}

/** Compiles the filter box's text once; the table then runs `test` over every run. */
export function compileRunFilter(text: string): RunFilter {
  const trimmed = text.trim();
  if (trimmed === '') return { mode: 'all', test: () => true, error: null };
  let error: string | null = null;
  if (looksLikeExpression(trimmed)) {
    try {
      const clauses = parseFilter(trimmed);
      error = clauses.map(clauseProblem).find((p) => p !== null) ?? null;
      if (error === null) {
        return { mode: 'expression', test: (run) => clauses.every((c) => matchesClause(run, c)), error: null };
      }
    } catch (e) {
      if (!(e instanceof FilterSyntaxError)) throw e;
      error = e.message;
    }
  }
  const terms = trimmed.toLowerCase().split(/\s+/);
  return { mode: 'text', test: (run) => runMatchesText(run, terms), error };
}

/** The runs that pass a filter, in their order. */
export function filterRuns(runs: readonly Run[], filter: RunFilter): Run[] {
  return filter.mode === 'all' ? [...runs] : runs.filter(filter.test);
}

/**
 * Builds the SQL of a run search with kysely for both adapters: the sqlite adapter compiles it with the
 * SQLite compiler, the postgres adapter with PostgresDialect's. Only the query is built here; adapters execute
 * it. Where the dialects differ (typed comparisons, case-insensitive LIKE, sorting a param that is a number in
 * one run and text in another) the SQL differs so that the results do not (store.contract.test.ts).
 */
import {
  DummyDriver,
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
  type CompiledQuery,
  type Expression,
  type SqlBool,
} from 'kysely';
import type { FilterClause } from '@runtrail/core/schema';
import { ApiError } from '../errors';
import { pgText } from './postgres/text';
import type { RunSearch } from './port';

/** The tables a run search reads. */
export interface SearchTables {
  runs: { id: string; experiment_id: string; name: string; status: string; start_time: number; end_time: number | null; record: string };
  run_params: { run_id: string; key: string; text: string; num: number | null };
  run_metrics: { run_id: string; key: string; last: number | null };
  run_tags: { run_id: string; key: string; value: string };
}

const ATTRIBUTE_COLUMNS = {
  name: 'name',
  status: 'status',
  startTime: 'start_time',
  endTime: 'end_time',
  experimentId: 'experiment_id',
} as const;

/** Which SQL dialect a search compiles to. */
export type SearchDialect = 'sqlite' | 'postgres';

/** A query builder that never connects: it only compiles SQLite SQL. */
export function sqliteQueryBuilder(): Kysely<SearchTables> {
  return new Kysely<SearchTables>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });
}

function splitField(field: string): { scope: string; name: string } {
  const dot = field.indexOf('.');
  return { scope: field.slice(0, dot), name: field.slice(dot + 1) };
}

type Scalar = string | number;

/**
 * A bound value. PostgreSQL needs numbers typed (a bigint column compared with 1.5 would otherwise fail), and
 * its indexed text has U+0000 mapped (postgres/text.ts).
 */
function bind(value: Scalar, dialect: SearchDialect): Expression<unknown> {
  if (dialect === 'sqlite') return sql`${value}`;
  return typeof value === 'number' ? sql`cast(${value} as double precision)` : sql`${pgText(value)}`;
}

function comparison(column: Expression<unknown>, clause: FilterClause, path: string, dialect: SearchDialect): Expression<SqlBool> {
  const { op, value } = clause;
  if (op === 'in') {
    if (!Array.isArray(value) || value.length === 0) {
      throw new ApiError(400, 'INVALID_FILTER', "operator 'in' needs a non-empty array value", `${path}.value`);
    }
    return sql<SqlBool>`${column} in (${sql.join(value.map((v) => bind(v, dialect)))})`;
  }
  if (Array.isArray(value)) {
    throw new ApiError(400, 'INVALID_FILTER', `operator '${op}' needs a single value, not an array`, `${path}.value`);
  }
  if (op === 'like') {
    if (typeof value !== 'string') {
      throw new ApiError(400, 'INVALID_FILTER', "operator 'like' needs a string value", `${path}.value`);
    }
    // SQLite's LIKE folds ASCII case and has no escape character; PostgreSQL's ILIKE in the "C" collation does
    // the same once its default backslash escape is switched off.
    return dialect === 'postgres' ? sql<SqlBool>`${column} ilike ${pgText(value)} escape ''` : sql<SqlBool>`${column} like ${value}`;
  }
  return sql<SqlBool>`${column} ${sql.raw(op === '!=' ? '<>' : op)} ${bind(value, dialect)}`;
}

/** Values of a clause as one type: numbers compare with numbers, text with text (never a mix in one clause). */
function typedClause(clause: FilterClause, path: string, want: 'number' | 'text' | 'either'): FilterClause {
  const values = Array.isArray(clause.value) ? clause.value : [clause.value];
  const kinds = new Set(values.map((v) => typeof v));
  if (kinds.size > 1) {
    throw new ApiError(400, 'INVALID_FILTER', `'${clause.field}' values must be all numbers or all strings`, `${path}.value`);
  }
  if (want === 'number' && kinds.has('string')) {
    throw new ApiError(400, 'INVALID_FILTER', `'${clause.field}' is a number; got ${JSON.stringify(clause.value)}`, `${path}.value`);
  }
  if (want === 'text' && kinds.has('number')) {
    const text = (v: Scalar) => String(v);
    return { ...clause, value: Array.isArray(clause.value) ? clause.value.map(text) : text(clause.value as Scalar) };
  }
  return clause;
}

const NUMERIC_ATTRIBUTES = new Set(['startTime', 'endTime']);

function clauseExpression(raw: FilterClause, path: string, dialect: SearchDialect): Expression<SqlBool> {
  const { scope, name } = splitField(raw.field);
  switch (scope) {
    case 'params': {
      const clause = typedClause(raw, path, 'either');
      const numeric = typeof clause.value === 'number' || (Array.isArray(clause.value) && typeof clause.value[0] === 'number');
      const column = numeric ? sql.ref('p.num') : sql.ref('p.text');
      return sql<SqlBool>`exists (select 1 from run_params p where p.run_id = r.id and p.key = ${name} and ${comparison(column, clause, path, dialect)})`;
    }
    case 'metrics': {
      if (typeof raw.value === 'string' || (Array.isArray(raw.value) && raw.value.some((v) => typeof v !== 'number'))) {
        throw new ApiError(400, 'INVALID_FILTER', `metrics compare with numbers; got ${JSON.stringify(raw.value)}`, `${path}.value`);
      }
      return sql<SqlBool>`exists (select 1 from run_metrics m where m.run_id = r.id and m.key = ${name} and ${comparison(sql.ref('m.last'), raw, path, dialect)})`;
    }
    case 'tags': {
      const clause = typedClause(raw, path, 'text');
      return sql<SqlBool>`exists (select 1 from run_tags t where t.run_id = r.id and t.key = ${name} and ${comparison(sql.ref('t.value'), clause, path, dialect)})`;
    }
    default: {
      const column = ATTRIBUTE_COLUMNS[name as keyof typeof ATTRIBUTE_COLUMNS];
      const clause = typedClause(raw, path, NUMERIC_ATTRIBUTES.has(name) ? 'number' : 'text');
      return comparison(sql.ref(`r.${column}`), clause, path, dialect);
    }
  }
}

/**
 * Sort keys of one order field. A param can be a number in one run and text in another: SQLite sorts
 * `coalesce(num, text)` with numbers before text; PostgreSQL cannot mix types in one expression, so it sorts
 * by (is text, number, text), which orders the same way in both directions.
 */
function orderExpressions(field: string, dialect: SearchDialect): Expression<unknown>[] {
  const { scope, name } = splitField(field);
  switch (scope) {
    case 'params':
      if (dialect === 'postgres') {
        return [
          sql`(select case when p.num is null then 1 else 0 end from run_params p where p.run_id = r.id and p.key = ${name})`,
          sql`(select p.num from run_params p where p.run_id = r.id and p.key = ${name})`,
          sql`(select case when p.num is null then p.text end from run_params p where p.run_id = r.id and p.key = ${name})`,
        ];
      }
      return [sql`(select coalesce(p.num, p.text) from run_params p where p.run_id = r.id and p.key = ${name})`];
    case 'metrics':
      return [sql`(select m.last from run_metrics m where m.run_id = r.id and m.key = ${name})`];
    case 'tags':
      return [sql`(select t.value from run_tags t where t.run_id = r.id and t.key = ${name})`];
    default:
      return [sql.ref(`r.${ATTRIBUTE_COLUMNS[name as keyof typeof ATTRIBUTE_COLUMNS]}`)];
  }
}

/**
 * The metric a search can be driven from: its first sort key, when a filter on the same metric also holds (any
 * comparison fails on a missing or NULL value, so every matching run has a non-NULL row for it).
 */
function drivingMetric(search: RunSearch): string | null {
  const first = search.orderBy[0];
  if (!first?.field.startsWith('metrics.')) return null;
  return search.filter.some((c) => c.field === first.field) ? splitField(first.field).name : null;
}

/**
 * Compiles a search into SQL returning `record` rows: one extra row tells whether another page exists.
 *
 * "Top runs by a metric they are filtered on" (`metrics.acc > 0.5`, order by `metrics.acc desc`) walks the
 * (key, last) index of that metric from the best value and stops after one page, instead of testing every run
 * of the experiment and sorting the matches (~1 ms instead of ~100 ms at 100k runs; docs/benchmarks.md). The
 * cross join keeps SQLite from starting at the runs table; rows and order are the same either way.
 */
export function compileRunSearch(
  db: Kysely<SearchTables>,
  search: RunSearch,
  offset: number,
  dialect: SearchDialect = 'sqlite',
): CompiledQuery {
  const driving = drivingMetric(search);
  let query = driving === null
    ? db.selectFrom('runs as r').select('r.record')
    : db.selectFrom('run_metrics as o').crossJoin('runs as r').select('r.record').whereRef('r.id', '=', 'o.run_id').where('o.key', '=', driving);
  if (search.experimentIds.length > 0) query = query.where('r.experiment_id', 'in', search.experimentIds);
  search.filter.forEach((clause, i) => {
    const expression = clauseExpression(clause, `filter.${i}`, dialect);
    query = query.where(() => expression);
  });
  search.orderBy.forEach((order, i) => {
    const direction = sql.raw(order.direction === 'asc' ? 'asc' : 'desc');
    const keys = i === 0 && driving !== null ? [sql.ref('o.last')] : orderExpressions(order.field, dialect);
    for (const key of keys) query = query.orderBy(sql`${key} ${direction} nulls last`);
  });
  query = query.orderBy('r.start_time', 'desc').orderBy('r.id', 'desc');
  return query.limit(search.pageSize + 1).offset(offset).compile();
}

/**
 * Builds the SQL of a run search with kysely, dialect-agnostic: the sqlite adapter compiles it with the
 * SQLite compiler, a PostgreSQL adapter with its own. Only the query is built here; adapters execute it.
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
import type { RunSearch } from './port';

interface SearchTables {
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

function comparison(column: Expression<unknown>, clause: FilterClause, path: string): Expression<SqlBool> {
  const { op, value } = clause;
  if (op === 'in') {
    if (!Array.isArray(value) || value.length === 0) {
      throw new ApiError(400, 'INVALID_FILTER', "operator 'in' needs a non-empty array value", `${path}.value`);
    }
    return sql<SqlBool>`${column} in (${sql.join(value)})`;
  }
  if (Array.isArray(value)) {
    throw new ApiError(400, 'INVALID_FILTER', `operator '${op}' needs a single value, not an array`, `${path}.value`);
  }
  if (op === 'like') {
    if (typeof value !== 'string') {
      throw new ApiError(400, 'INVALID_FILTER', "operator 'like' needs a string value", `${path}.value`);
    }
    return sql<SqlBool>`${column} like ${value}`;
  }
  return sql<SqlBool>`${column} ${sql.raw(op === '!=' ? '<>' : op)} ${value}`;
}

function clauseExpression(clause: FilterClause, path: string): Expression<SqlBool> {
  const { scope, name } = splitField(clause.field);
  const numeric = typeof clause.value === 'number' || (Array.isArray(clause.value) && typeof clause.value[0] === 'number');
  switch (scope) {
    case 'params': {
      const column = numeric ? sql.ref('p.num') : sql.ref('p.text');
      return sql<SqlBool>`exists (select 1 from run_params p where p.run_id = r.id and p.key = ${name} and ${comparison(column, clause, path)})`;
    }
    case 'metrics': {
      if (!numeric) {
        throw new ApiError(400, 'INVALID_FILTER', `metrics compare with numbers; got ${JSON.stringify(clause.value)}`, `${path}.value`);
      }
      return sql<SqlBool>`exists (select 1 from run_metrics m where m.run_id = r.id and m.key = ${name} and ${comparison(sql.ref('m.last'), clause, path)})`;
    }
    case 'tags':
      return sql<SqlBool>`exists (select 1 from run_tags t where t.run_id = r.id and t.key = ${name} and ${comparison(sql.ref('t.value'), clause, path)})`;
    default: {
      const column = ATTRIBUTE_COLUMNS[name as keyof typeof ATTRIBUTE_COLUMNS];
      return comparison(sql.ref(`r.${column}`), clause, path);
    }
  }
}

function orderExpression(field: string): Expression<unknown> {
  const { scope, name } = splitField(field);
  switch (scope) {
    case 'params':
      return sql`(select coalesce(p.num, p.text) from run_params p where p.run_id = r.id and p.key = ${name})`;
    case 'metrics':
      return sql`(select m.last from run_metrics m where m.run_id = r.id and m.key = ${name})`;
    case 'tags':
      return sql`(select t.value from run_tags t where t.run_id = r.id and t.key = ${name})`;
    default:
      return sql.ref(`r.${ATTRIBUTE_COLUMNS[name as keyof typeof ATTRIBUTE_COLUMNS]}`);
  }
}

/** Compiles a search into SQL returning `record` rows: one extra row tells whether another page exists. */
export function compileRunSearch(db: Kysely<SearchTables>, search: RunSearch, offset: number): CompiledQuery {
  let query = db.selectFrom('runs as r').select('r.record');
  if (search.experimentIds.length > 0) query = query.where('r.experiment_id', 'in', search.experimentIds);
  search.filter.forEach((clause, i) => {
    const expression = clauseExpression(clause, `filter.${i}`);
    query = query.where(() => expression);
  });
  for (const order of search.orderBy) {
    const direction = sql.raw(order.direction === 'asc' ? 'asc' : 'desc');
    query = query.orderBy(sql`${orderExpression(order.field)} ${direction} nulls last`);
  }
  query = query.orderBy('r.start_time', 'desc').orderBy('r.id', 'desc');
  return query.limit(search.pageSize + 1).offset(offset).compile();
}

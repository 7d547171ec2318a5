/**
 * The scale store: PostgreSQL through `pg`. Reads go to a connection pool; writes run one transaction at a time
 * (a promise queue in this process, and a transaction-scoped advisory lock across processes, so several backend
 * nodes on one database still write one after the other, like SQLite's single writer).
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Experiment, Metric, Run } from '@runtrail/core/schema';
import { decodeCursor } from '../cursor';
import { page, paramColumns } from '../projection';
import type { DocUpdates, Page, RunSearch, Store, StoreTx } from '../port';
import { compileRunSearch, type SearchTables } from '../search';
import { migratePostgres } from './migrations';
import { openPostgresRegistry, type PostgresTransact } from './registry';
import { pgText } from './text';

/** Advisory lock key every write transaction takes: writes are serialized across all nodes. */
const WRITE_LOCK = 0x72756e77; // "runw"

/** BIGINT columns (steps, timestamps, sequence numbers) are safe integers here: read them as numbers. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 && format !== 'binary' ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Options of the PostgreSQL store. */
export interface PostgresStoreOptions {
  /** Connections in the pool (default 10). */
  maxConnections?: number;
  /** Called when an idle pooled connection fails (the pool replaces it). */
  onError?: (error: Error) => void;
}

/** `postgres://user:secret@host/db` with the password hidden, for messages. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL (a file path, say): shown as given unless it might hold credentials.
    return url.includes('@') ? '(a value that is not a URL)' : url;
  }
}


const bytes = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** Metric points per INSERT statement (each point is 5 array elements). */
const METRIC_CHUNK = 5000;

/**
 * The LISTEN/NOTIFY channel on which every committed doc update is announced as `<seq> <doc>` (payloads are
 * capped at 8000 bytes, so receivers read the update itself from `doc_updates`).
 */
export const DOC_UPDATES_CHANNEL = 'runtrail_doc_updates';

/** The doc's updates with a sequence number above `afterSeq`, in order. */
async function readDocUpdates(db: pg.Pool | pg.ClientBase, docName: string, afterSeq: number): Promise<DocUpdates> {
  const found = await db.query<{ seq: number; data: Buffer }>('SELECT seq, data FROM doc_updates WHERE doc = $1 AND seq > $2 ORDER BY seq', [
    docName,
    afterSeq,
  ]);
  return {
    updates: found.rows.map((row) => new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength)),
    lastSeq: found.rows.at(-1)?.seq ?? afterSeq,
  };
}

function storeTx(client: pg.ClientBase): StoreTx {
  return {
    async insertMetrics(runId: string, metrics: Metric[]): Promise<Metric[]> {
      const inserted: Metric[] = [];
      for (let start = 0; start < metrics.length; start += METRIC_CHUNK) {
        const chunk = metrics.slice(start, start + METRIC_CHUNK);
        // One statement per chunk; within it, the first of two points with the same (key, step) wins, as in SQLite.
        const result = await client.query<{ key: string; step: number }>(
          `INSERT INTO metrics (run_id, key, step, value, is_nan, timestamp)
           SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::float8[], $5::boolean[], $6::bigint[])
           ON CONFLICT DO NOTHING RETURNING key, step`,
          [
            runId,
            chunk.map((m) => m.key),
            chunk.map((m) => m.step),
            chunk.map((m) => (Number.isNaN(m.value) ? null : m.value)),
            chunk.map((m) => Number.isNaN(m.value)),
            chunk.map((m) => m.timestamp),
          ],
        );
        const fresh = new Set(result.rows.map((row) => `${row.step}\u0000${row.key}`));
        for (const m of chunk) {
          const id = `${m.step}\u0000${m.key}`;
          if (fresh.delete(id)) inserted.push(m);
        }
      }
      return inserted;
    },
    async appendDocUpdate(docName: string, update: Uint8Array): Promise<number> {
      // The notification is delivered when the transaction commits (and not at all when it rolls back).
      const result = await client.query<{ seq: number }>(
        `WITH added AS (INSERT INTO doc_updates (doc, data) VALUES ($1, $2) RETURNING seq)
         SELECT seq, pg_notify($3, seq || ' ' || $1) FROM added`,
        [docName, bytes(update), DOC_UPDATES_CHANNEL],
      );
      return result.rows[0]!.seq;
    },
    docUpdatesAfter: (docName, afterSeq) => readDocUpdates(client, docName, afterSeq),
    async indexRun(run: Run): Promise<void> {
      await client.query(
        `INSERT INTO runs (id, experiment_id, name, status, start_time, end_time, record) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET experiment_id = excluded.experiment_id, name = excluded.name,
           status = excluded.status, start_time = excluded.start_time, end_time = excluded.end_time, record = excluded.record`,
        [run.id, run.experimentId, pgText(run.name), run.status, run.startTime, run.endTime, JSON.stringify(run)],
      );
      await client.query('DELETE FROM run_params WHERE run_id = $1', [run.id]);
      await client.query('DELETE FROM run_metrics WHERE run_id = $1', [run.id]);
      await client.query('DELETE FROM run_tags WHERE run_id = $1', [run.id]);
      if (run.params.length > 0) {
        const columns = run.params.map((p) => paramColumns(p.value));
        await client.query('INSERT INTO run_params (run_id, key, text, num) SELECT $1, * FROM unnest($2::text[], $3::text[], $4::float8[])', [
          run.id,
          run.params.map((p) => p.key),
          columns.map((c) => pgText(c.text)),
          columns.map((c) => c.num),
        ]);
      }
      if (run.metrics.length > 0) {
        await client.query('INSERT INTO run_metrics (run_id, key, last) SELECT $1, * FROM unnest($2::text[], $3::float8[])', [
          run.id,
          run.metrics.map((m) => m.key),
          run.metrics.map((m) => (m.last === null || Number.isNaN(m.last) ? null : m.last)),
        ]);
      }
      if (run.tags.length > 0) {
        await client.query('INSERT INTO run_tags (run_id, key, value) SELECT $1, * FROM unnest($2::text[], $3::text[])', [
          run.id,
          run.tags.map((t) => t.key),
          run.tags.map((t) => pgText(t.value)),
        ]);
      }
    },
    async indexExperiment(e: Experiment): Promise<void> {
      await client.query(
        `INSERT INTO experiments (id, project_id, name, lifecycle, created_at, record) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET project_id = excluded.project_id, name = excluded.name,
           lifecycle = excluded.lifecycle, record = excluded.record`,
        [e.id, e.projectId, pgText(e.name), e.lifecycle, e.createdAt, JSON.stringify(e)],
      );
    },
  };
}

/**
 * Connects to `url` (`postgres://user:password@host:port/database`), migrates the schema to the newest version,
 * and returns the store. An unreachable database is an error naming the URL (password hidden) and the cause.
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10, connectionTimeoutMillis: 10_000, types });
  pool.on('error', (error) => options.onError?.(error));
  try {
    const client = await pool.connect();
    try {
      await migratePostgres(client);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    const reason = (error as Error).message || (error as NodeJS.ErrnoException).code || String(error);
    throw new Error(`cannot use PostgreSQL at ${redactDatabaseUrl(url)}: ${reason}`, { cause: error });
  }
  const builder = new Kysely<SearchTables>({ dialect: new PostgresDialect({ pool }) });

  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  const transactClient: PostgresTransact = <T>(fn: (client: pg.ClientBase) => Promise<T>): Promise<T> => {
    const run = async (): Promise<T> => {
      if (closed) throw new Error('store is closed');
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => (broken = true));
        throw error;
      } finally {
        client.release(broken);
      }
    };
    const result = queue.then(run, run);
    queue = result.catch(() => undefined);
    return result;
  };

  const rows = async <R extends pg.QueryResultRow>(text: string, values: unknown[]) => (await pool.query<R>(text, values)).rows;
  const one = async <T>(text: string, values: unknown[]): Promise<T | null> => {
    const [row] = await rows<{ record: string }>(text, values);
    return row ? (JSON.parse(row.record) as T) : null;
  };

  return {
    transact: (fn) => transactClient((client) => fn(storeTx(client))),
    registry: openPostgresRegistry(pool, transactClient),
    findExperimentByName: (name) => one<Experiment>('SELECT record FROM experiments WHERE name = $1 ORDER BY created_at, id LIMIT 1', [pgText(name)]),
    getExperiment: (id) => one<Experiment>('SELECT record FROM experiments WHERE id = $1', [id]),
    async listExperiments(pageSize, cursor) {
      const offset = decodeCursor(cursor, { list: 'experiments' });
      const found = await rows<{ record: string }>('SELECT record FROM experiments ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2', [
        pageSize + 1,
        offset,
      ]);
      return page(found.map((row) => JSON.parse(row.record) as Experiment), pageSize, offset, { list: 'experiments' });
    },
    getRun: (id) => one<Run>('SELECT record FROM runs WHERE id = $1', [id]),
    async searchRuns(search: RunSearch): Promise<Page<Run>> {
      const { cursor, ...query } = search;
      const offset = decodeCursor(cursor, query);
      const compiled = compileRunSearch(builder, search, offset, 'postgres');
      const found = await rows<{ record: string }>(compiled.sql, compiled.parameters as unknown[]);
      return page(found.map((row) => JSON.parse(row.record) as Run), search.pageSize, offset, query);
    },
    metricHistory: (runId, key) =>
      rows<{ step: number; value: number | null; timestamp: number }>(
        'SELECT step, CASE WHEN is_nan THEN NULL ELSE value END AS value, timestamp FROM metrics WHERE run_id = $1 AND key = $2 ORDER BY step',
        [runId, key],
      ),
    loadDocUpdates: (docName) => readDocUpdates(pool, docName, 0),
    loadDocUpdatesAfter: (docName, afterSeq) => readDocUpdates(pool, docName, afterSeq),
    compactDoc: (docName, state, upToSeq) =>
      transactClient(async (client) => {
        await client.query('DELETE FROM doc_updates WHERE doc = $1 AND seq <= $2', [docName, upToSeq]);
        const later = await client.query('SELECT 1 FROM doc_updates WHERE doc = $1 LIMIT 1', [docName]);
        const added = await client.query<{ seq: number }>('INSERT INTO doc_updates (doc, data) VALUES ($1, $2) RETURNING seq', [docName, bytes(state)]);
        return later.rowCount === 0 ? added.rows[0]!.seq : undefined;
      }),
    async close() {
      if (closed) return;
      await queue;
      closed = true;
      await pool.end();
    },
  };
}

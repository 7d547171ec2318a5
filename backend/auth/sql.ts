/**
 * `SqlClient` adapters for the auth store: a better-sqlite3 connection of its own to the store's SQLite file, or a
 * small pg pool on the store's PostgreSQL database. The store opens (and migrates) the schema first.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import type { SqlClient } from './port';

const BUSY_RETRY_MS = 10_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A SqlClient on the SQLite file `file` (already migrated by the store). The store's writer keeps its
 * transaction open across awaits, so this second connection must never wait for the write lock synchronously
 * (that would block the event loop the writer needs to finish): busy_timeout is 0, SQLITE_BUSY is retried after
 * a timer, and a batch runs in one synchronous transaction.
 */
export function sqliteSqlClient(file: string): SqlClient {
  const db = new Database(file);
  db.pragma('busy_timeout = 0');
  const retrying = async <T>(fn: () => T): Promise<T> => {
    const started = Date.now();
    for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
      try {
        return fn();
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() - started > BUSY_RETRY_MS) throw error;
        await sleep(wait);
      }
    }
  };
  return {
    all: <R>(text: string, params: unknown[] = []) => retrying(() => db.prepare(text).all(...params) as R[]),
    run: (text: string, params: unknown[] = []) => retrying(() => db.prepare(text).run(...params).changes),
    batch: (statements) =>
      retrying(() => db.transaction(() => {
        for (const { sql, params } of statements) db.prepare(sql).run(...params);
      }).immediate()),
    async close() {
      db.close();
    },
  };
}

const numbered = (text: string) => {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
};

/** A SqlClient on the PostgreSQL database at `url` (already migrated by the store). */
export function postgresSqlClient(url: string, onError?: (error: Error) => void): SqlClient {
  const pool = new pg.Pool({ connectionString: url, max: 3, connectionTimeoutMillis: 10_000 });
  pool.on('error', (error) => onError?.(error));
  return {
    async all<R>(text: string, params: unknown[] = []) {
      return (await pool.query(numbered(text), params)).rows as R[];
    },
    async run(text: string, params: unknown[] = []) {
      return (await pool.query(numbered(text), params)).rowCount ?? 0;
    },
    async batch(statements) {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        for (const { sql, params } of statements) await c.query(numbered(sql), params);
        await c.query('COMMIT');
      } catch (error) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        c.release();
      }
    },
    close: () => pool.end(),
  };
}

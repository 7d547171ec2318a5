/**
 * `SqlClient` adapters for the auth store: a better-sqlite3 connection of its own to the store's SQLite file, or a
 * small pg pool on the store's PostgreSQL database. The store opens (and migrates) the schema first.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import type { SqlClient } from './port';

/** A SqlClient on the SQLite file `file` (already migrated by the store). */
export function sqliteSqlClient(file: string): SqlClient {
  const db = new Database(file);
  db.pragma('busy_timeout = 5000');
  let queue: Promise<unknown> = Promise.resolve();
  const direct: SqlClient = {
    async all<R>(text: string, params: unknown[] = []) {
      return db.prepare(text).all(...params) as R[];
    },
    async run(text: string, params: unknown[] = []) {
      return db.prepare(text).run(...params).changes;
    },
    transaction: (fn) => fn(direct),
    async close() {
      await queue;
      db.close();
    },
  };
  return {
    ...direct,
    // Statements of a transaction run between BEGIN and COMMIT on this one connection: transactions are queued.
    transaction<T>(fn: (sql: SqlClient) => Promise<T>): Promise<T> {
      const run = async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(direct);
          db.exec('COMMIT');
          return result;
        } catch (error) {
          db.exec('ROLLBACK');
          throw error;
        }
      };
      const result = queue.then(run, run);
      queue = result.catch(() => undefined);
      return result;
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
  const on = (client: pg.Pool | pg.PoolClient): SqlClient => ({
    async all<R>(text: string, params: unknown[] = []) {
      return (await client.query(numbered(text), params)).rows as R[];
    },
    async run(text: string, params: unknown[] = []) {
      return (await client.query(numbered(text), params)).rowCount ?? 0;
    },
    async transaction<T>(fn: (sql: SqlClient) => Promise<T>): Promise<T> {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const result = await fn(on(c));
        await c.query('COMMIT');
        return result;
      } catch (error) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        c.release();
      }
    },
    close: () => pool.end(),
  });
  return on(pool);
}

/**
 * PostgreSQL schema migrations against a real server: from an empty database, from the previous schema version
 * with data in it, concurrently from two nodes, and the errors a user sees when the database is wrong.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from './index';
import { migratePostgres, POSTGRES_MIGRATIONS } from './migrations';
import { startTestPostgres, type TestPostgres } from './test-server';

const LATEST = POSTGRES_MIGRATIONS.length;
let server: TestPostgres;
beforeAll(async () => {
  server = await startTestPostgres();
});
afterAll(() => server.stop());

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const schemaVersion = (url: string) =>
  withClient(url, async (c) => (await c.query<{ version: number }>('SELECT version FROM schema_version')).rows.map((r) => r.version));

describe('PostgreSQL migrations', () => {
  it('create the whole schema in an empty database, and re-opening changes nothing', async () => {
    const url = await server.createDatabase();
    const store = await openPostgresStore(url);
    await store.close();
    expect(await schemaVersion(url)).toEqual([LATEST]);
    const tables = await withClient(url, async (c) =>
      (await c.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows.map((r) => r.t),
    );
    expect(tables).toEqual(expect.arrayContaining(['runs', 'metrics', 'doc_updates', 'registered_models', 'logged_models', 'schema_version']));
    const again = await openPostgresStore(url);
    await again.close();
    expect(await schemaVersion(url)).toEqual([LATEST]);
  });

  it('upgrade a database at the previous version and keep its data', async () => {
    const url = await server.createDatabase();
    await withClient(url, async (c) => {
      expect(await migratePostgres(c, LATEST - 1)).toBe(LATEST - 1);
      await c.query(
        `INSERT INTO experiments (id, project_id, name, lifecycle, created_at, record) VALUES ('e1', 'default', 'old', 'active', 5, $1)`,
        [JSON.stringify({ id: 'e1', projectId: 'default', name: 'old', kind: 'named', notebookPath: null, lifecycle: 'active', createdAt: 5 })],
      );
      await c.query(`INSERT INTO metrics (run_id, key, step, value, timestamp) VALUES ('r1', 'loss', 3, 0.5, 9)`);
      await c.query(`INSERT INTO doc_updates (doc, data) VALUES ('e1', '\\x0102')`);
    });
    expect(await schemaVersion(url)).toEqual([LATEST - 1]);

    const store = await openPostgresStore(url);
    try {
      expect(await schemaVersion(url)).toEqual([LATEST]);
      expect(await store.findExperimentByName('old')).toMatchObject({ id: 'e1' });
      expect(await store.metricHistory('r1', 'loss')).toEqual([{ step: 3, value: 0.5, timestamp: 9 }]);
      expect((await store.loadDocUpdates('e1')).updates.map((u) => [...u])).toEqual([[1, 2]]);
      // The new version's tables work, and new doc updates follow the old ones.
      await store.registry.putLoggedModel({
        modelId: 'm1', experimentId: 'e1', runId: 'r1', name: 'model', modelType: '', status: 'LOGGED_MODEL_READY',
        createdAt: 1, updatedAt: 1, params: [], tags: [],
      });
      expect(await store.registry.getLoggedModel('m1')).toMatchObject({ name: 'model' });
      await store.transact((tx) => tx.appendDocUpdate('e1', new Uint8Array([3])));
      expect((await store.loadDocUpdates('e1')).updates.map((u) => [...u])).toEqual([[1, 2], [3]]);
    } finally {
      await store.close();
    }
  });

  it('run once when two nodes open the same empty database at the same time', async () => {
    const url = await server.createDatabase();
    const stores = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    await Promise.all(stores.map((s) => s.close()));
    expect(await schemaVersion(url)).toEqual([LATEST]);
  });

  it('refuse a database whose schema is newer than this build', async () => {
    const url = await server.createDatabase();
    await withClient(url, (c) => migratePostgres(c));
    await withClient(url, (c) => c.query('UPDATE schema_version SET version = $1', [LATEST + 1]));
    await expect(openPostgresStore(url)).rejects.toThrow(`database schema version ${LATEST + 1} is newer than this runtrail`);
  });

  it('name the database (without its password) when it cannot be reached', async () => {
    const url = server.url('postgres').replace(/:(\d+)\//, ':1/').replace('runtrail@', 'runtrail:s3cret@');
    const error = await openPostgresStore(url).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^cannot use PostgreSQL at postgres:\/\/runtrail:\*\*\*@127\.0\.0\.1:1\/postgres: .*ECONNREFUSED/);
    expect((error as Error).message).not.toContain('s3cret');
  });

  it('name a database that does not exist', async () => {
    await expect(openPostgresStore(server.url('no_such_db'))).rejects.toThrow(/no_such_db.*does not exist/);
  });
});

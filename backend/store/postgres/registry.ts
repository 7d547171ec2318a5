/** The registry on PostgreSQL: the same JSON-record tables as SQLite's, written through the store's transactions. */
import type pg from 'pg';
import type { AuditEntry, RegisteredModel } from '@runtrail/core/schema';
import { pgText } from './text';
import type { LoggedModelRecord, RegistryStore, RegistryTx, StoredVersion } from '../../registry/port';

/** Runs `fn` with the connection of one serialized store transaction. */
export type PostgresTransact = <T>(fn: (client: pg.ClientBase) => Promise<T>) => Promise<T>;

type Queryable = Pick<pg.ClientBase, 'query'>;

async function records<T>(db: Queryable, text: string, values: unknown[]): Promise<T[]> {
  const result = await db.query<{ record: string }>(text, values);
  return result.rows.map((row) => JSON.parse(row.record) as T);
}

async function record<T>(db: Queryable, text: string, values: unknown[]): Promise<T | null> {
  return (await records<T>(db, text, values))[0] ?? null;
}

const MODEL = 'SELECT record FROM registered_models WHERE name = $1';
const VERSION = 'SELECT record FROM model_versions WHERE model_name = $1 AND version = $2';

function registryTx(db: pg.ClientBase): RegistryTx {
  return {
    getModel: (name) => record<RegisteredModel>(db, MODEL, [pgText(name)]),
    async putModel(m) {
      await db.query(
        `INSERT INTO registered_models (name, workspace_id, created_at, record) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name) DO UPDATE SET record = excluded.record`,
        [pgText(m.name), m.workspaceId, m.createdAt, JSON.stringify(m)],
      );
    },
    async deleteModel(name) {
      await db.query('DELETE FROM model_versions WHERE model_name = $1', [pgText(name)]);
      await db.query('DELETE FROM registered_models WHERE name = $1', [pgText(name)]);
    },
    getVersion: (name, version) => record<StoredVersion>(db, VERSION, [pgText(name), version]),
    listVersions: (name) => records<StoredVersion>(db, 'SELECT record FROM model_versions WHERE model_name = $1 ORDER BY version DESC', [pgText(name)]),
    async putVersion(v) {
      await db.query(
        `INSERT INTO model_versions (model_name, version, run_id, created_at, record) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (model_name, version) DO UPDATE SET record = excluded.record`,
        [pgText(v.modelName), v.version, v.runId, v.createdAt, JSON.stringify(v)],
      );
    },
    async deleteVersion(name, version) {
      await db.query('DELETE FROM model_versions WHERE model_name = $1 AND version = $2', [pgText(name), version]);
    },
    async appendAudit(entry) {
      await db.query('INSERT INTO registry_audit (model_name, record) VALUES ($1, $2)', [pgText(entry.modelName), JSON.stringify(entry)]);
    },
  };
}

/** The registry over the store's pool (reads) and its serialized transactions (writes). */
export function openPostgresRegistry(pool: pg.Pool, transact: PostgresTransact): RegistryStore {
  return {
    write: (fn) => transact((client) => fn(registryTx(client))),
    getModel: (name) => record<RegisteredModel>(pool, MODEL, [pgText(name)]),
    listModels: (nameLike, limit, offset) =>
      records<RegisteredModel>(
        pool,
        // ILIKE in the "C" collation folds ASCII case only, as SQLite's LIKE does.
        `SELECT record FROM registered_models WHERE ($1::text IS NULL OR name ILIKE $1 ESCAPE '\\')
         ORDER BY name LIMIT $2 OFFSET $3`,
        [nameLike === undefined ? null : pgText(nameLike), limit, offset],
      ),
    getVersion: (name, version) => record<StoredVersion>(pool, VERSION, [pgText(name), version]),
    findVersions: ({ modelName, runId, limit, offset }) =>
      records<StoredVersion>(
        pool,
        `SELECT record FROM model_versions WHERE ($1::text IS NULL OR model_name = $1) AND ($2::text IS NULL OR run_id = $2)
         ORDER BY created_at DESC, model_name, version DESC LIMIT $3 OFFSET $4`,
        [modelName === undefined ? null : pgText(modelName), runId ?? null, limit, offset],
      ),
    audit: (name) => records<AuditEntry>(pool, 'SELECT record FROM registry_audit WHERE model_name = $1 ORDER BY seq', [pgText(name)]),
    putLoggedModel: (m) =>
      transact(async (client) => {
        await client.query(
          `INSERT INTO logged_models (model_id, experiment_id, name, created_at, record) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (model_id) DO UPDATE SET record = excluded.record`,
          [m.modelId, m.experimentId, pgText(m.name), m.createdAt, JSON.stringify(m)],
        );
      }),
    getLoggedModel: (modelId) => record<LoggedModelRecord>(pool, 'SELECT record FROM logged_models WHERE model_id = $1', [modelId]),
    deleteLoggedModel: (modelId) =>
      transact(async (client) => {
        await client.query('DELETE FROM logged_models WHERE model_id = $1', [modelId]);
      }),
    findLoggedModels: (experimentIds, name, limit, offset) =>
      records<LoggedModelRecord>(
        pool,
        `SELECT record FROM logged_models WHERE ($1::text[] IS NULL OR experiment_id = ANY($1)) AND ($2::text IS NULL OR name = $2)
         ORDER BY created_at DESC, model_id LIMIT $3 OFFSET $4`,
        [experimentIds.length > 0 ? experimentIds : null, name === undefined ? null : pgText(name), limit, offset],
      ),
  };
}

/**
 * Forward-only schema migrations of the PostgreSQL store, versioned like SQLite's (index + 1 = version, kept in
 * `schema_version`). Append new versions; never edit a released one. Text columns compare and sort in the
 * "C" collation (code point order), as SQLite does, so search results match across adapters whatever the
 * database's default locale.
 */
import type pg from 'pg';
import { POSTGRES_AUTH_MIGRATION } from '../../auth/migrations';

/** Ordered migrations; index + 1 is the schema version. */
export const POSTGRES_MIGRATIONS: string[] = [
  `
  CREATE TABLE workspaces (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at BIGINT NOT NULL);
  CREATE TABLE projects (
    id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL REFERENCES workspaces(id), name TEXT NOT NULL,
    created_at BIGINT NOT NULL);
  CREATE TABLE experiments (
    id TEXT COLLATE "C" PRIMARY KEY, project_id TEXT NOT NULL, name TEXT COLLATE "C" NOT NULL, lifecycle TEXT NOT NULL,
    created_at BIGINT NOT NULL, record TEXT NOT NULL);
  CREATE INDEX experiments_created ON experiments(created_at DESC, id);
  CREATE INDEX experiments_name ON experiments(name, created_at);
  CREATE TABLE runs (
    id TEXT COLLATE "C" PRIMARY KEY, experiment_id TEXT COLLATE "C" NOT NULL, name TEXT COLLATE "C" NOT NULL,
    status TEXT COLLATE "C" NOT NULL, start_time BIGINT NOT NULL, end_time BIGINT, record TEXT NOT NULL);
  CREATE INDEX runs_experiment_start ON runs(experiment_id, start_time DESC, id);
  CREATE INDEX runs_start ON runs(start_time DESC, id);
  CREATE TABLE run_params (
    run_id TEXT NOT NULL, key TEXT NOT NULL, text TEXT COLLATE "C" NOT NULL, num DOUBLE PRECISION,
    PRIMARY KEY (run_id, key));
  CREATE INDEX run_params_key_num ON run_params(key, num);
  CREATE INDEX run_params_key_text ON run_params(key, text);
  CREATE TABLE run_metrics (
    run_id TEXT NOT NULL, key TEXT NOT NULL, last DOUBLE PRECISION, PRIMARY KEY (run_id, key));
  CREATE INDEX run_metrics_key_last ON run_metrics(key, last);
  CREATE TABLE run_tags (
    run_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT COLLATE "C" NOT NULL, PRIMARY KEY (run_id, key));
  CREATE INDEX run_tags_key_value ON run_tags(key, value);
  CREATE TABLE metrics (
    run_id TEXT NOT NULL, key TEXT NOT NULL, step BIGINT NOT NULL, value DOUBLE PRECISION,
    is_nan BOOLEAN NOT NULL DEFAULT FALSE, timestamp BIGINT NOT NULL, PRIMARY KEY (run_id, key, step));
  CREATE TABLE doc_updates (seq BIGSERIAL PRIMARY KEY, doc TEXT NOT NULL, data BYTEA NOT NULL);
  CREATE INDEX doc_updates_doc ON doc_updates(doc, seq);
  INSERT INTO workspaces (id, name, created_at) VALUES ('default', 'Default', 0);
  INSERT INTO projects (id, workspace_id, name, created_at) VALUES ('default', 'default', 'Default', 0);
  `,
  // 2: the model registry
  `
  CREATE TABLE registered_models (
    name TEXT COLLATE "C" PRIMARY KEY, workspace_id TEXT NOT NULL, created_at BIGINT NOT NULL, record TEXT NOT NULL);
  CREATE TABLE model_versions (
    model_name TEXT COLLATE "C" NOT NULL, version INTEGER NOT NULL, run_id TEXT NOT NULL, created_at BIGINT NOT NULL,
    record TEXT NOT NULL, PRIMARY KEY (model_name, version));
  CREATE INDEX model_versions_run ON model_versions(run_id);
  CREATE TABLE registry_audit (seq BIGSERIAL PRIMARY KEY, model_name TEXT NOT NULL, record TEXT NOT NULL);
  CREATE INDEX registry_audit_model ON registry_audit(model_name, seq);
  `,
  // 3: MLflow 3 logged models
  `
  CREATE TABLE logged_models (
    model_id TEXT COLLATE "C" PRIMARY KEY, experiment_id TEXT NOT NULL, name TEXT NOT NULL, created_at BIGINT NOT NULL,
    record TEXT NOT NULL);
  CREATE INDEX logged_models_experiment ON logged_models(experiment_id, name, created_at DESC);
  `,
  // 4: users, API tokens and workspace memberships
  POSTGRES_AUTH_MIGRATION,
];

/** Advisory lock key held while migrating, so nodes starting together migrate one after the other. */
const MIGRATION_LOCK = 0x72756e74; // "runt"

/**
 * Brings the schema to `target` (default: the newest version), one transaction per version. Refuses a database
 * whose schema is newer than this build knows (a downgrade would lose data).
 */
export async function migratePostgres(client: pg.ClientBase, target = POSTGRES_MIGRATIONS.length): Promise<number> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const rows = (await client.query<{ version: number }>('SELECT version FROM schema_version')).rows;
    if (rows.length === 0) await client.query('INSERT INTO schema_version (version) VALUES (0)');
    let version = rows[0]?.version ?? 0;
    if (version > POSTGRES_MIGRATIONS.length) {
      throw new Error(`database schema version ${version} is newer than this runtrail (knows ${POSTGRES_MIGRATIONS.length}); upgrade runtrail`);
    }
    for (; version < target; version++) {
      await client.query('BEGIN');
      try {
        await client.query(POSTGRES_MIGRATIONS[version]!);
        await client.query('UPDATE schema_version SET version = $1', [version + 1]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
    return version;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
}

import { SQLITE_AUTH_MIGRATION } from '../../auth/migrations';
import { SQLITE_LOGGED_MODELS_MIGRATION, SQLITE_REGISTRY_MIGRATION } from '../../registry/sqlite';
import { SQLITE_METRIC_CHUNKS_MIGRATION } from './metric-chunks';

/**
 * Forward-only schema migrations of the SQLite store. Append new versions; never edit a released one.
 */

/** Ordered migrations; index + 1 is the schema version. */
export const SQLITE_MIGRATIONS: string[] = [
  `
  CREATE TABLE workspaces (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at INTEGER NOT NULL);
  CREATE TABLE projects (
    id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL REFERENCES workspaces(id), name TEXT NOT NULL,
    created_at INTEGER NOT NULL);
  CREATE TABLE experiments (
    id TEXT PRIMARY KEY, project_id TEXT NOT NULL, name TEXT NOT NULL, lifecycle TEXT NOT NULL,
    created_at INTEGER NOT NULL, record TEXT NOT NULL);
  CREATE INDEX experiments_created ON experiments(created_at DESC, id);
  CREATE TABLE runs (
    id TEXT PRIMARY KEY, experiment_id TEXT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL,
    start_time INTEGER NOT NULL, end_time INTEGER, record TEXT NOT NULL);
  CREATE INDEX runs_experiment_start ON runs(experiment_id, start_time DESC, id);
  CREATE INDEX runs_start ON runs(start_time DESC, id);
  CREATE TABLE run_params (
    run_id TEXT NOT NULL, key TEXT NOT NULL, text TEXT NOT NULL, num REAL,
    PRIMARY KEY (run_id, key)) WITHOUT ROWID;
  CREATE INDEX run_params_key_num ON run_params(key, num);
  CREATE INDEX run_params_key_text ON run_params(key, text);
  CREATE TABLE run_metrics (
    run_id TEXT NOT NULL, key TEXT NOT NULL, last REAL, PRIMARY KEY (run_id, key)) WITHOUT ROWID;
  CREATE INDEX run_metrics_key_last ON run_metrics(key, last);
  CREATE TABLE run_tags (
    run_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key)) WITHOUT ROWID;
  CREATE INDEX run_tags_key_value ON run_tags(key, value);
  CREATE TABLE metrics (
    run_id TEXT NOT NULL, key TEXT NOT NULL, step INTEGER NOT NULL, value REAL, is_nan INTEGER NOT NULL DEFAULT 0,
    timestamp INTEGER NOT NULL, PRIMARY KEY (run_id, key, step)) WITHOUT ROWID;
  CREATE TABLE doc_updates (seq INTEGER PRIMARY KEY AUTOINCREMENT, doc TEXT NOT NULL, data BLOB NOT NULL);
  CREATE INDEX doc_updates_doc ON doc_updates(doc, seq);
  INSERT INTO workspaces (id, name, created_at) VALUES ('default', 'Default', 0);
  INSERT INTO projects (id, workspace_id, name, created_at) VALUES ('default', 'default', 'Default', 0);
  `,
  // 2: the model registry
  SQLITE_REGISTRY_MIGRATION,
  // 3: MLflow 3 logged models
  SQLITE_LOGGED_MODELS_MIGRATION,
  // 4: users, API tokens and workspace memberships
  SQLITE_AUTH_MIGRATION,
  // 5: metric points as series + packed chunks (needs registerMetricChunkFunctions on the connection)
  SQLITE_METRIC_CHUNKS_MIGRATION,
];

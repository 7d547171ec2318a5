/** The registry on SQLite: JSON records in small tables, written through the store's serialized transactions. */
import type Database from 'better-sqlite3';
import type { AuditEntry, RegisteredModel } from '@runtrail/core/schema';
import type { Store } from '../store/port';
import type { LoggedModelRecord, RegistryStore, RegistryTx, StoredVersion } from './port';

type Db = Database.Database;

/** Registry tables (the store's migration list includes this as one version). */
export const SQLITE_REGISTRY_MIGRATION = `
  CREATE TABLE registered_models (
    name TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, created_at INTEGER NOT NULL, record TEXT NOT NULL);
  CREATE TABLE model_versions (
    model_name TEXT NOT NULL, version INTEGER NOT NULL, run_id TEXT NOT NULL, created_at INTEGER NOT NULL,
    record TEXT NOT NULL, PRIMARY KEY (model_name, version)) WITHOUT ROWID;
  CREATE INDEX model_versions_run ON model_versions(run_id);
  CREATE TABLE registry_audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, model_name TEXT NOT NULL, record TEXT NOT NULL);
  CREATE INDEX registry_audit_model ON registry_audit(model_name, seq);
`;

/** MLflow 3 logged models (a later store version than the registry). */
export const SQLITE_LOGGED_MODELS_MIGRATION = `
  CREATE TABLE logged_models (
    model_id TEXT PRIMARY KEY, experiment_id TEXT NOT NULL, name TEXT NOT NULL, created_at INTEGER NOT NULL,
    record TEXT NOT NULL);
  CREATE INDEX logged_models_experiment ON logged_models(experiment_id, name, created_at DESC);
`;

const parse = <T>(row: { record: string } | undefined): T | null => (row ? (JSON.parse(row.record) as T) : null);

/** The registry over the store's connections; writes run inside `transact` (the store's write queue). */
export function openSqliteRegistry(writer: Db, reader: Db, transact: Store['transact']): RegistryStore {
  const w = {
    model: writer.prepare('SELECT record FROM registered_models WHERE name = ?'),
    putModel: writer.prepare(`INSERT INTO registered_models (name, workspace_id, created_at, record) VALUES (?, ?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET record = excluded.record`),
    deleteModel: writer.prepare('DELETE FROM registered_models WHERE name = ?'),
    deleteVersions: writer.prepare('DELETE FROM model_versions WHERE model_name = ?'),
    version: writer.prepare('SELECT record FROM model_versions WHERE model_name = ? AND version = ?'),
    versions: writer.prepare('SELECT record FROM model_versions WHERE model_name = ? ORDER BY version DESC'),
    putVersion: writer.prepare(`INSERT INTO model_versions (model_name, version, run_id, created_at, record) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (model_name, version) DO UPDATE SET record = excluded.record`),
    deleteVersion: writer.prepare('DELETE FROM model_versions WHERE model_name = ? AND version = ?'),
    audit: writer.prepare('INSERT INTO registry_audit (model_name, record) VALUES (?, ?)'),
  };
  const r = {
    model: reader.prepare('SELECT record FROM registered_models WHERE name = ?'),
    models: reader.prepare(
      `SELECT record FROM registered_models WHERE (? IS NULL OR name LIKE ? ESCAPE '\\') ORDER BY name LIMIT ? OFFSET ?`,
    ),
    version: reader.prepare('SELECT record FROM model_versions WHERE model_name = ? AND version = ?'),
    versions: reader.prepare(
      `SELECT record FROM model_versions WHERE (? IS NULL OR model_name = ?) AND (? IS NULL OR run_id = ?)
       ORDER BY created_at DESC, model_name, version DESC LIMIT ? OFFSET ?`,
    ),
    audit: reader.prepare('SELECT record FROM registry_audit WHERE model_name = ? ORDER BY seq'),
    loggedModel: reader.prepare('SELECT record FROM logged_models WHERE model_id = ?'),
    loggedModels: reader.prepare(
      `SELECT record FROM logged_models WHERE (? IS NULL OR experiment_id IN (SELECT value FROM json_each(?)))
       AND (? IS NULL OR name = ?) ORDER BY created_at DESC, model_id LIMIT ? OFFSET ?`,
    ),
  };
  const putLoggedModel = writer.prepare(`INSERT INTO logged_models (model_id, experiment_id, name, created_at, record) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (model_id) DO UPDATE SET record = excluded.record`);
  const deleteLoggedModel = writer.prepare('DELETE FROM logged_models WHERE model_id = ?');
  const tx: RegistryTx = {
    async getModel(name) {
      return parse<RegisteredModel>(w.model.get(name) as { record: string } | undefined);
    },
    async putModel(m) {
      w.putModel.run(m.name, m.workspaceId, m.createdAt, JSON.stringify(m));
    },
    async deleteModel(name) {
      w.deleteVersions.run(name);
      w.deleteModel.run(name);
    },
    async getVersion(name, version) {
      return parse<StoredVersion>(w.version.get(name, version) as { record: string } | undefined);
    },
    async listVersions(name) {
      return (w.versions.all(name) as { record: string }[]).map((row) => JSON.parse(row.record) as StoredVersion);
    },
    async putVersion(v) {
      w.putVersion.run(v.modelName, v.version, v.runId, v.createdAt, JSON.stringify(v));
    },
    async deleteVersion(name, version) {
      w.deleteVersion.run(name, version);
    },
    async appendAudit(entry) {
      w.audit.run(entry.modelName, JSON.stringify(entry));
    },
  };
  return {
    write: (fn) => transact(() => fn(tx)),
    async getModel(name) {
      return parse<RegisteredModel>(r.model.get(name) as { record: string } | undefined);
    },
    async listModels(nameLike, limit, offset) {
      const like = nameLike ?? null;
      return (r.models.all(like, like, limit, offset) as { record: string }[]).map((row) => JSON.parse(row.record) as RegisteredModel);
    },
    async getVersion(name, version) {
      return parse<StoredVersion>(r.version.get(name, version) as { record: string } | undefined);
    },
    async findVersions({ modelName, runId, limit, offset }) {
      const name = modelName ?? null;
      const run = runId ?? null;
      return (r.versions.all(name, name, run, run, limit, offset) as { record: string }[]).map(
        (row) => JSON.parse(row.record) as StoredVersion,
      );
    },
    async audit(name) {
      return (r.audit.all(name) as { record: string }[]).map((row) => JSON.parse(row.record) as AuditEntry);
    },
    putLoggedModel: (m) => transact(async () => void putLoggedModel.run(m.modelId, m.experimentId, m.name, m.createdAt, JSON.stringify(m))),
    async getLoggedModel(modelId) {
      return parse<LoggedModelRecord>(r.loggedModel.get(modelId) as { record: string } | undefined);
    },
    deleteLoggedModel: (modelId) => transact(async () => void deleteLoggedModel.run(modelId)),
    async findLoggedModels(experimentIds, name, limit, offset) {
      const ids = experimentIds.length > 0 ? JSON.stringify(experimentIds) : null;
      const n = name ?? null;
      return (r.loggedModels.all(ids, ids, n, n, limit, offset) as { record: string }[]).map((row) => JSON.parse(row.record) as LoggedModelRecord);
    },
  };
}

/**
 * The registry's storage port. The registry is server-authoritative in SQL (not in experiment docs): version
 * numbers come from one counter per model, and every change lands with its audit entry in one transaction.
 * Each store adapter (sqlite, postgres) provides one.
 */
import type { AuditEntry, ModelVersion, RegisteredModel } from '@runtrail/core/schema';

/** A version as stored: aliases are kept on the model and filled in on read. */
export type StoredVersion = Omit<ModelVersion, 'aliases'>;

/** Reads and writes inside one registry transaction. */
export interface RegistryTx {
  getModel(name: string): Promise<RegisteredModel | null>;
  putModel(model: RegisteredModel): Promise<void>;
  /** Removes the model, its versions and aliases (the audit log stays). */
  deleteModel(name: string): Promise<void>;
  getVersion(name: string, version: number): Promise<StoredVersion | null>;
  listVersions(name: string): Promise<StoredVersion[]>;
  putVersion(version: StoredVersion): Promise<void>;
  deleteVersion(name: string, version: number): Promise<void>;
  appendAudit(entry: AuditEntry): Promise<void>;
}

/** An MLflow 3 logged model: its files live in its source run's artifacts (`<run artifacts>/<name>`). */
export interface LoggedModelRecord {
  modelId: string;
  experimentId: string;
  runId: string;
  name: string;
  modelType: string;
  status: 'LOGGED_MODEL_PENDING' | 'LOGGED_MODEL_READY' | 'LOGGED_MODEL_UPLOAD_FAILED';
  createdAt: number;
  updatedAt: number;
  params: { key: string; value: string }[];
  tags: { key: string; value: string }[];
}

/** Which versions to find. */
export interface VersionQuery {
  modelName?: string;
  runId?: string;
  limit: number;
  offset: number;
}

/** The registry tables of one database. */
export interface RegistryStore {
  /** Runs `fn` in one database transaction (serialized with every other write of the store). */
  write<T>(fn: (tx: RegistryTx) => Promise<T>): Promise<T>;
  getModel(name: string): Promise<RegisteredModel | null>;
  /** Models by name, `nameLike` a SQL LIKE pattern (case-insensitive); one extra row tells if more exist. */
  listModels(nameLike: string | undefined, limit: number, offset: number): Promise<RegisteredModel[]>;
  getVersion(name: string, version: number): Promise<StoredVersion | null>;
  /** Versions, newest first. */
  findVersions(query: VersionQuery): Promise<StoredVersion[]>;
  /** The audit entries of a model, oldest first. */
  audit(name: string): Promise<AuditEntry[]>;
  /** Stores (creates or replaces) an MLflow logged model. */
  putLoggedModel(model: LoggedModelRecord): Promise<void>;
  getLoggedModel(modelId: string): Promise<LoggedModelRecord | null>;
  deleteLoggedModel(modelId: string): Promise<void>;
  /** Logged models of these experiments (all when empty), optionally of one name, newest first. */
  findLoggedModels(experimentIds: string[], name: string | undefined, limit: number, offset: number): Promise<LoggedModelRecord[]>;
}

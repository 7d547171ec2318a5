/**
 * The embedded default store: SQLite in WAL mode through better-sqlite3. One writer connection runs the
 * serialized transactions; a second connection serves reads, so readers only ever see committed data.
 */
import Database from 'better-sqlite3';
import type { Experiment, Metric, Run } from '@runtrail/core/schema';
import { decodeCursor } from '../cursor';
import { page, paramColumns } from '../projection';
import type { DocUpdates, Page, RunSearch, Store, StoreTx } from '../port';
import { compileRunSearch, sqliteQueryBuilder } from '../search';
import { metricChunkStore, registerMetricChunkFunctions } from './metric-chunks';
import { SQLITE_MIGRATIONS } from './migrations';
import { openSqliteRegistry } from '../../registry/sqlite';

type Db = Database.Database;

/** Page cache per connection, and how much of the file reads map instead of copying (SQLite's defaults: 2 MiB, 0). */
const CACHE_KIB = 64 * 1024;
const MMAP_BYTES = 1024 ** 3;
/**
 * WAL pages written before SQLite checkpoints them into the database (its default: 1,000 = 4 MiB). Ingest rewrites
 * the same index pages batch after batch; checkpointing every 64 MiB instead copies each hot page once per 16,000
 * pages, which takes ~15-20% off a 1,000-point MLflow log-batch here (docs/decisions/0030-sqlite-checkpoint-size.md).
 * Durability is unchanged: committed frames are in the WAL either way. `journal_size_limit` truncates the WAL file
 * back after a checkpoint so it does not stay at its high-water mark.
 */
const WAL_CHECKPOINT_PAGES = 16_384;
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
  let version = row?.version ?? 0;
  if (!row) db.prepare('INSERT INTO schema_version (version) VALUES (0)').run();
  for (; version < SQLITE_MIGRATIONS.length; version++) {
    const next = version + 1;
    db.transaction(() => {
      db.exec(SQLITE_MIGRATIONS[version]!);
      db.prepare('UPDATE schema_version SET version = ?').run(next);
    })();
  }
}


/** Opens (creating and migrating when needed) the SQLite store at `file` (':memory:' for tests). */
export function openSqliteStore(file: string): Store {
  const writer = new Database(file);
  writer.pragma('journal_mode = WAL');
  writer.pragma('synchronous = NORMAL');
  writer.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
  writer.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  writer.pragma('busy_timeout = 5000');
  registerMetricChunkFunctions(writer);
  migrate(writer);
  // ':memory:' databases are per connection: tests read through the writer.
  const reader = file === ':memory:' ? writer : new Database(file, { readonly: true });
  if (reader !== writer) reader.pragma('busy_timeout = 5000');
  for (const db of new Set([writer, reader])) {
    db.pragma(`cache_size = -${CACHE_KIB}`);
    db.pragma(`mmap_size = ${MMAP_BYTES}`);
  }
  const builder = sqliteQueryBuilder();

  const w = {
    appendUpdate: writer.prepare('INSERT INTO doc_updates (doc, data) VALUES (?, ?)'),
    upsertRun: writer.prepare(`
      INSERT INTO runs (id, experiment_id, name, status, start_time, end_time, record) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET experiment_id = excluded.experiment_id, name = excluded.name,
        status = excluded.status, start_time = excluded.start_time, end_time = excluded.end_time, record = excluded.record`),
    params: writer.prepare('SELECT key, text, num FROM run_params WHERE run_id = ?'),
    upsertParam: writer.prepare(
      'INSERT INTO run_params (run_id, key, text, num) VALUES (?, ?, ?, ?) ON CONFLICT (run_id, key) DO UPDATE SET text = excluded.text, num = excluded.num',
    ),
    deleteParam: writer.prepare('DELETE FROM run_params WHERE run_id = ? AND key = ?'),
    metricIndex: writer.prepare('SELECT key, last FROM run_metrics WHERE run_id = ?'),
    upsertMetricIndex: writer.prepare(
      'INSERT INTO run_metrics (run_id, key, last) VALUES (?, ?, ?) ON CONFLICT (run_id, key) DO UPDATE SET last = excluded.last',
    ),
    deleteMetricIndex: writer.prepare('DELETE FROM run_metrics WHERE run_id = ? AND key = ?'),
    tags: writer.prepare('SELECT key, value FROM run_tags WHERE run_id = ?'),
    upsertTag: writer.prepare(
      'INSERT INTO run_tags (run_id, key, value) VALUES (?, ?, ?) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value',
    ),
    deleteTag: writer.prepare('DELETE FROM run_tags WHERE run_id = ? AND key = ?'),
    upsertExperiment: writer.prepare(`
      INSERT INTO experiments (id, project_id, name, lifecycle, created_at, record) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET project_id = excluded.project_id, name = excluded.name,
        lifecycle = excluded.lifecycle, record = excluded.record`),
    deleteUpdates: writer.prepare('DELETE FROM doc_updates WHERE doc = ? AND seq <= ?'),
  };
  const r = {
    experiment: reader.prepare('SELECT record FROM experiments WHERE id = ?'),
    experimentByName: reader.prepare('SELECT record FROM experiments WHERE name = ? ORDER BY created_at LIMIT 1'),
    experiments: reader.prepare('SELECT record FROM experiments ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?'),
    run: reader.prepare('SELECT record FROM runs WHERE id = ?'),
    updates: reader.prepare('SELECT seq, data FROM doc_updates WHERE doc = ? ORDER BY seq'),
  };

  const metricPoints = metricChunkStore(writer, reader);

  const tx: StoreTx = {
    async insertMetrics(runId: string, metrics: Metric[]): Promise<Metric[]> {
      return metricPoints.insert(runId, metrics);
    },
    async appendDocUpdate(docName: string, update: Uint8Array): Promise<void> {
      w.appendUpdate.run(docName, update);
    },
    async indexRun(run: Run): Promise<void> {
      w.upsertRun.run(run.id, run.experimentId, run.name, run.status, run.startTime, run.endTime, JSON.stringify(run));
      // Only the rows that changed are written: a run re-indexed after each batch keeps most of them.
      const params = new Map((w.params.all(run.id) as { key: string; text: string; num: number | null }[]).map((r) => [r.key, r]));
      for (const p of run.params) {
        const { text, num } = paramColumns(p.value);
        const before = params.get(p.key);
        params.delete(p.key);
        if (!before || before.text !== text || before.num !== num) w.upsertParam.run(run.id, p.key, text, num);
      }
      for (const key of params.keys()) w.deleteParam.run(run.id, key);
      const metrics = new Map((w.metricIndex.all(run.id) as { key: string; last: number | null }[]).map((r) => [r.key, r.last]));
      for (const m of run.metrics) {
        const before = metrics.get(m.key);
        metrics.delete(m.key);
        if (before === undefined || !Object.is(before, m.last)) w.upsertMetricIndex.run(run.id, m.key, m.last);
      }
      for (const key of metrics.keys()) w.deleteMetricIndex.run(run.id, key);
      const tags = new Map((w.tags.all(run.id) as { key: string; value: string }[]).map((r) => [r.key, r.value]));
      for (const t of run.tags) {
        const before = tags.get(t.key);
        tags.delete(t.key);
        if (before !== t.value) w.upsertTag.run(run.id, t.key, t.value);
      }
      for (const key of tags.keys()) w.deleteTag.run(run.id, key);
    },
    async indexExperiment(e: Experiment): Promise<void> {
      w.upsertExperiment.run(e.id, e.projectId, e.name, e.lifecycle, e.createdAt, JSON.stringify(e));
    },
  };

  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  function transact<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      if (closed) throw new Error('store is closed');
      writer.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(tx);
        writer.exec('COMMIT');
        return result;
      } catch (error) {
        if (writer.inTransaction) writer.exec('ROLLBACK');
        throw error;
      }
    };
    const result = queue.then(run, run);
    queue = result.catch(() => undefined);
    return result;
  }

  return {
    transact,
    registry: openSqliteRegistry(writer, reader, transact),
    async findExperimentByName(name) {
      const row = r.experimentByName.get(name) as { record: string } | undefined;
      return row ? (JSON.parse(row.record) as Experiment) : null;
    },
    async getExperiment(id) {
      const row = r.experiment.get(id) as { record: string } | undefined;
      return row ? (JSON.parse(row.record) as Experiment) : null;
    },
    async listExperiments(pageSize, cursor) {
      const offset = decodeCursor(cursor, { list: 'experiments' });
      const rows = r.experiments.all(pageSize + 1, offset) as { record: string }[];
      return page(rows.map((row) => JSON.parse(row.record) as Experiment), pageSize, offset, { list: 'experiments' });
    },
    async getRun(id) {
      const row = r.run.get(id) as { record: string } | undefined;
      return row ? (JSON.parse(row.record) as Run) : null;
    },
    async searchRuns(search: RunSearch): Promise<Page<Run>> {
      const { cursor, ...query } = search;
      const offset = decodeCursor(cursor, query);
      const compiled = compileRunSearch(builder, search, offset);
      const rows = reader.prepare(compiled.sql).all(...(compiled.parameters as unknown[])) as { record: string }[];
      return page(rows.map((row) => JSON.parse(row.record) as Run), search.pageSize, offset, query);
    },
    async metricHistory(runId, key) {
      return metricPoints.history(runId, key);
    },
    async loadDocUpdates(docName): Promise<DocUpdates> {
      const rows = r.updates.all(docName) as { seq: number; data: Buffer }[];
      return {
        updates: rows.map((row) => new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength)),
        lastSeq: rows.at(-1)?.seq ?? 0,
      };
    },
    compactDoc(docName, state, upToSeq) {
      return this.transact(async () => {
        w.deleteUpdates.run(docName, upToSeq);
        w.appendUpdate.run(docName, state);
      });
    },
    async close() {
      if (closed) return;
      await queue;
      closed = true;
      if (reader !== writer) reader.close();
      writer.close();
    },
  };
}

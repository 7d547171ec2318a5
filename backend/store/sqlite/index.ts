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
import { SQLITE_MIGRATIONS } from './migrations';
import { openSqliteRegistry } from '../../registry/sqlite';

type Db = Database.Database;

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
  writer.pragma('busy_timeout = 5000');
  migrate(writer);
  // ':memory:' databases are per connection: tests read through the writer.
  const reader = file === ':memory:' ? writer : new Database(file, { readonly: true });
  if (reader !== writer) reader.pragma('busy_timeout = 5000');
  const builder = sqliteQueryBuilder();

  const w = {
    insertMetric: writer.prepare(
      'INSERT OR IGNORE INTO metrics (run_id, key, step, value, is_nan, timestamp) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    appendUpdate: writer.prepare('INSERT INTO doc_updates (doc, data) VALUES (?, ?)'),
    upsertRun: writer.prepare(`
      INSERT INTO runs (id, experiment_id, name, status, start_time, end_time, record) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET experiment_id = excluded.experiment_id, name = excluded.name,
        status = excluded.status, start_time = excluded.start_time, end_time = excluded.end_time, record = excluded.record`),
    deleteParams: writer.prepare('DELETE FROM run_params WHERE run_id = ?'),
    insertParam: writer.prepare('INSERT INTO run_params (run_id, key, text, num) VALUES (?, ?, ?, ?)'),
    deleteMetricIndex: writer.prepare('DELETE FROM run_metrics WHERE run_id = ?'),
    insertMetricIndex: writer.prepare('INSERT INTO run_metrics (run_id, key, last) VALUES (?, ?, ?)'),
    deleteTags: writer.prepare('DELETE FROM run_tags WHERE run_id = ?'),
    insertTag: writer.prepare('INSERT INTO run_tags (run_id, key, value) VALUES (?, ?, ?)'),
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
    history: reader.prepare(
      'SELECT step, CASE WHEN is_nan THEN NULL ELSE value END AS value, timestamp FROM metrics WHERE run_id = ? AND key = ? ORDER BY step',
    ),
    updates: reader.prepare('SELECT seq, data FROM doc_updates WHERE doc = ? ORDER BY seq'),
  };

  const tx: StoreTx = {
    async insertMetrics(runId: string, metrics: Metric[]): Promise<Metric[]> {
      const inserted: Metric[] = [];
      for (const m of metrics) {
        const nan = Number.isNaN(m.value);
        const info = w.insertMetric.run(runId, m.key, m.step, nan ? null : m.value, nan ? 1 : 0, m.timestamp);
        if (info.changes > 0) inserted.push(m);
      }
      return inserted;
    },
    async appendDocUpdate(docName: string, update: Uint8Array): Promise<void> {
      w.appendUpdate.run(docName, update);
    },
    async indexRun(run: Run): Promise<void> {
      w.upsertRun.run(run.id, run.experimentId, run.name, run.status, run.startTime, run.endTime, JSON.stringify(run));
      w.deleteParams.run(run.id);
      for (const p of run.params) {
        const { text, num } = paramColumns(p.value);
        w.insertParam.run(run.id, p.key, text, num);
      }
      w.deleteMetricIndex.run(run.id);
      for (const m of run.metrics) w.insertMetricIndex.run(run.id, m.key, m.last);
      w.deleteTags.run(run.id);
      for (const t of run.tags) w.insertTag.run(run.id, t.key, t.value);
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
      return r.history.all(runId, key) as { step: number; value: number | null; timestamp: number }[];
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

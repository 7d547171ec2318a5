/** Test helper for migration tests: a SQLite file as an older runtrail left it. */
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from './migrations';

/** Opens `file` at schema `version` (the first `version` migrations applied); the caller fills and closes it. */
export function sqliteAtVersion(file: string, version: number): Database.Database {
  const db = new Database(file);
  db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
  for (const sql of SQLITE_MIGRATIONS.slice(0, version)) db.exec(sql);
  db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(version);
  return db;
}

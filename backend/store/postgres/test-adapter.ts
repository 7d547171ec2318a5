/**
 * The PostgreSQL entry of the store contract tests' adapter lists: one throwaway server per test file, started
 * on first use, and an empty database per `open()`. Call `stop` in the file's afterAll.
 */
import type { Store } from '../port';
import { openPostgresStore } from './index';
import { startTestPostgres, type TestPostgres } from './test-server';

/** A store adapter as contract tests list them. */
export interface StoreAdapter {
  name: string;
  open: () => Promise<Store>;
}

let server: Promise<TestPostgres> | null = null;

/** The shared test server of this file (started on first call). */
export function testPostgres(): Promise<TestPostgres> {
  server ??= startTestPostgres();
  return server;
}

/** Opens a migrated store on a fresh, empty database. */
export const postgresAdapter: StoreAdapter & { stop: () => Promise<void> } = {
  name: 'postgres',
  open: async () => openPostgresStore(await (await testPostgres()).createDatabase()),
  async stop() {
    if (server) await (await server).stop();
    server = null;
  },
};

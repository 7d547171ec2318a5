/**
 * The AuthStore contract on SQLite and PostgreSQL: users, tokens (hash only), workspaces, memberships, the
 * workspace of each object, and the migration from the previous schema keeping data in the default workspace.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../store/port';
import { openSqliteStore } from '../store/sqlite';
import { sqliteAtVersion } from '../store/sqlite/test-schema';
import { openPostgresStore } from '../store/postgres';
import { migratePostgres, POSTGRES_MIGRATIONS } from '../store/postgres/migrations';
import { postgresAdapter, testPostgres } from '../store/postgres/test-adapter';
import type { AuthStore } from './port';
import { postgresSqlClient, sqliteSqlClient } from './sql';
import { sqlAuthStore } from './store';

interface Opened {
  store: Store;
  auth: AuthStore;
  close(): Promise<void>;
}

const dirs: string[] = [];
const ADAPTERS: { name: string; open: () => Promise<Opened> }[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'runtrail-auth-'));
      dirs.push(dir);
      const store = openSqliteStore(join(dir, 'runtrail.db'));
      const auth = sqlAuthStore(sqliteSqlClient(join(dir, 'runtrail.db')));
      return { store, auth, close: async () => (await auth.close(), await store.close()) };
    },
  },
  {
    name: 'postgres',
    async open() {
      const url = await (await testPostgres()).createDatabase();
      const store = await openPostgresStore(url);
      const auth = sqlAuthStore(postgresSqlClient(url));
      return { store, auth, close: async () => (await auth.close(), await store.close()) };
    },
  },
];
afterAll(async () => {
  await postgresAdapter.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const experiment = (id: string, projectId: string) => ({ id, projectId, name: id, kind: 'named' as const, notebookPath: null, lifecycle: 'active' as const, createdAt: 1 });

for (const adapter of ADAPTERS) {
  describe(`AuthStore contract: ${adapter.name}`, () => {
    let db: Opened;
    let auth: AuthStore;
    // A fresh PostgreSQL database takes seconds on a loaded machine.
    beforeEach(async () => {
      db = await adapter.open();
      auth = db.auth;
    }, 60_000);
    afterEach(() => db.close());

    it('starts with no users, the default workspace and no admin; users have unique names', async () => {
      expect(await auth.hasUsers()).toBe(false);
      expect(await auth.hasAdmin()).toBe(false);
      expect((await auth.listWorkspaces()).map((w) => w.id)).toEqual(['default']);
      const ada = await auth.createUser('ada', 10);
      expect(await auth.hasUsers()).toBe(true);
      expect(await auth.findUser('ada')).toEqual(ada);
      expect(await auth.findUser(ada.id)).toEqual(ada);
      expect(await auth.findUser('nobody')).toBeNull();
      await expect(auth.createUser('ada', 11)).rejects.toThrow();
      await auth.createUser('bob', 12);
      expect((await auth.listUsers()).map((u) => u.name)).toEqual(['ada', 'bob']);
    });

    it('keeps memberships with one role per workspace; changing and removing them', async () => {
      const ada = await auth.createUser('ada', 1);
      await auth.createWorkspace('team', 'Team', 2);
      await auth.setMembership('default', ada.id, 'admin');
      await auth.setMembership('team', ada.id, 'viewer');
      await auth.setMembership('team', ada.id, 'editor');
      expect(await auth.hasAdmin()).toBe(true);
      expect(await auth.rolesOf(ada.id)).toEqual(new Map([['default', 'admin'], ['team', 'editor']]));
      expect(await auth.listMembers('team')).toEqual([{ workspaceId: 'team', userId: ada.id, userName: 'ada', role: 'editor' }]);
      expect(await auth.removeMembership('team', ada.id)).toBe(true);
      expect(await auth.removeMembership('team', ada.id)).toBe(false);
      expect(await auth.rolesOf(ada.id)).toEqual(new Map([['default', 'admin']]));
      await expect(auth.setMembership('nope', ada.id, 'viewer')).rejects.toThrow();
    });

    it('creates a workspace with its project, or neither', async () => {
      await auth.createWorkspace('team', 'Team', 5);
      expect(await auth.getWorkspace('team')).toEqual({ id: 'team', name: 'Team', createdAt: 5 });
      expect((await auth.workspacesOf([{ kind: 'project', id: 'team' }])).size).toBe(1);
      await expect(auth.createWorkspace('team', 'Again', 6)).rejects.toThrow();
      expect(await auth.getWorkspace('team')).toEqual({ id: 'team', name: 'Team', createdAt: 5 });
    });

    it('finds live tokens by hash only; expired and revoked ones are gone; use is recorded', async () => {
      const ada = await auth.createUser('ada', 1);
      await auth.setMembership('default', ada.id, 'viewer');
      const live = await auth.createToken({ id: 't1', userId: ada.id, name: 'laptop', hash: 'h1', now: 100, expiresAt: null });
      expect(live).toEqual({ id: 't1', userId: ada.id, userName: 'ada', name: 'laptop', createdAt: 100, lastUsedAt: null, expiresAt: null, revokedAt: null });
      await auth.createToken({ id: 't2', userId: ada.id, name: 'ci', hash: 'h2', now: 200, expiresAt: 1000 });
      expect(await auth.findLiveToken('h1', 500)).toEqual({ token: live, roles: new Map([['default', 'viewer']]) });
      expect(await auth.findLiveToken('h2', 999)).not.toBeNull();
      expect(await auth.findLiveToken('h2', 1000)).toBeNull();
      expect(await auth.findLiveToken('unknown', 1)).toBeNull();
      await auth.touchToken('t1', 600);
      expect((await auth.getToken('t1'))!.lastUsedAt).toBe(600);
      expect((await auth.revokeToken('t1', 700))!.revokedAt).toBe(700);
      expect((await auth.revokeToken('t1', 800))!.revokedAt).toBe(700);
      expect(await auth.revokeToken('nope', 800)).toBeNull();
      expect(await auth.findLiveToken('h1', 701)).toBeNull();
      expect((await auth.listTokens(ada.id)).map((t) => t.id)).toEqual(['t2', 't1']);
      expect((await auth.listTokens()).map((t) => t.id)).toEqual(['t2', 't1']);
      expect(await auth.listTokens('someone-else')).toEqual([]);
      await expect(auth.createToken({ id: 't3', userId: ada.id, name: 'dup', hash: 'h2', now: 1, expiresAt: null })).rejects.toThrow();
    });

    it("writes while the store holds a write transaction open across awaits, without deadlock or error", async () => {
      const ada = await auth.createUser('ada', 1);
      await auth.createToken({ id: 't1', userId: ada.id, name: 'laptop', hash: 'h1', now: 1, expiresAt: null });
      const writing = db.store.transact(async (tx) => {
        await tx.indexExperiment(experiment('e1', 'default'));
        await new Promise((resolve) => setTimeout(resolve, 200));
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      const started = Date.now();
      await auth.touchToken('t1', 5);
      await auth.createWorkspace('later', 'Later', 6);
      // SQLite waits for the write lock on a timer (a synchronous wait would block the writer for good).
      expect(Date.now() - started).toBeLessThan(2_000);
      await writing;
      expect((await auth.getToken('t1'))!.lastUsedAt).toBe(5);
      expect(await auth.getWorkspace('later')).not.toBeNull();
    });

    it("locates experiments, runs, models and logged models in their project's workspace (default otherwise)", async () => {
      await auth.createWorkspace('team', 'Team', 1);
      await db.store.transact(async (tx) => {
        await tx.indexExperiment(experiment('e-team', 'team'));
        await tx.indexExperiment(experiment('e-def', 'default'));
        await tx.indexExperiment(experiment('e-orphan', 'no-such-project'));
      });
      const objects = [
        { kind: 'experiment', id: 'e-team' }, { kind: 'experiment', id: 'e-def' }, { kind: 'experiment', id: 'e-orphan' },
        { kind: 'experiment', id: 'missing' }, { kind: 'model', name: 'm' }, { kind: 'project', id: 'team' },
      ] as const;
      await db.store.registry.write((tx) => tx.putModel({ name: 'm', workspaceId: 'team', description: '', tags: [], aliases: [], latestVersion: 0, createdAt: 1, updatedAt: 1 }));
      const found = await auth.workspacesOf([...objects]);
      expect(objects.map((o) => found.get(o) ?? null)).toEqual(['team', 'default', 'default', null, 'team', 'team']);
    });
  });
}

describe('auth migration from the previous schema', () => {
  it('SQLite: keeps every row, and existing experiments stay in the default workspace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runtrail-auth-mig-'));
    dirs.push(dir);
    const file = join(dir, 'runtrail.db');
    // The schema just before the auth migration (version 4); opening the store applies it and any later ones.
    const old = sqliteAtVersion(file, 3);
    old.prepare('INSERT INTO experiments (id, project_id, name, lifecycle, created_at, record) VALUES (?, ?, ?, ?, ?, ?)')
      .run('e1', 'default', 'old', 'active', 5, JSON.stringify(experiment('e1', 'default')));
    old.close();
    const store = openSqliteStore(file);
    const auth = sqlAuthStore(sqliteSqlClient(file));
    try {
      expect(await store.getExperiment('e1')).toMatchObject({ id: 'e1', projectId: 'default' });
      expect([...(await auth.workspacesOf([{ kind: 'experiment', id: 'e1' }])).values()]).toEqual(['default']);
      expect(await auth.hasUsers()).toBe(false);
    } finally {
      await auth.close();
      await store.close();
    }
  });

  it('PostgreSQL: keeps every row, and existing experiments stay in the default workspace', async () => {
    const url = await (await testPostgres()).createDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await migratePostgres(client, POSTGRES_MIGRATIONS.length - 1);
    await client.query(`INSERT INTO experiments (id, project_id, name, lifecycle, created_at, record) VALUES ('e1', 'default', 'old', 'active', 5, $1)`, [JSON.stringify(experiment('e1', 'default'))]);
    await client.end();
    const store = await openPostgresStore(url);
    const auth = sqlAuthStore(postgresSqlClient(url));
    try {
      expect(await store.getExperiment('e1')).toMatchObject({ id: 'e1', projectId: 'default' });
      expect([...(await auth.workspacesOf([{ kind: 'experiment', id: 'e1' }])).values()]).toEqual(['default']);
      const ada = await auth.createUser('ada', 1);
      await auth.setMembership('default', ada.id, 'admin');
      expect(await auth.hasAdmin()).toBe(true);
    } finally {
      await auth.close();
      await store.close();
    }
  });
});

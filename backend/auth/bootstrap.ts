/**
 * `runtrail admin bootstrap`: makes the first admin directly on the store (SQLite in the data folder, or
 * PostgreSQL), before any server runs or while one does. It refuses once an admin of the default workspace exists,
 * so it cannot be used to take over a server: later users and tokens come from an admin through the API.
 */
import { join } from 'node:path';
import { uuidv7 } from 'uuidv7';
import { openPostgresStore } from '../store/postgres';
import { openSqliteStore } from '../store/sqlite';
import type { TokenInfo, User } from './port';
import { postgresSqlClient, sqliteSqlClient } from './sql';
import { DEFAULT_WORKSPACE, sqlAuthStore } from './store';
import { generateTokenSecret, hashTokenSecret } from './tokens';

/** What `bootstrapAdmin` made: the admin, their token, and its secret (shown this once). */
export interface BootstrappedAdmin {
  user: User;
  token: TokenInfo;
  secret: string;
}

/** Creates user `name` (or takes the existing one) as admin of the default workspace, with a first API token. */
export async function bootstrapAdmin(options: { dataDir: string; db?: string; name: string; now?: number }): Promise<BootstrappedAdmin> {
  const now = options.now ?? Date.now();
  const file = join(options.dataDir, 'runtrail.db');
  const store = options.db === undefined ? openSqliteStore(file) : await openPostgresStore(options.db);
  const auth = sqlAuthStore(options.db === undefined ? sqliteSqlClient(file) : postgresSqlClient(options.db));
  try {
    if (await auth.hasAdmin()) {
      throw new Error(`an admin of the '${DEFAULT_WORKSPACE}' workspace exists already; ask them for a token (runtrail token create --user ${options.name})`);
    }
    const user = (await auth.findUser(options.name)) ?? (await auth.createUser(options.name, now));
    await auth.setMembership(DEFAULT_WORKSPACE, user.id, 'admin');
    const secret = generateTokenSecret();
    const token = await auth.createToken({ id: uuidv7(), userId: user.id, name: 'bootstrap', hash: hashTokenSecret(secret), now, expiresAt: null });
    return { user, token, secret };
  } finally {
    await auth.close();
    await store.close();
  }
}

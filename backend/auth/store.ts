/** The AuthStore on SQL (SQLite or PostgreSQL through a `SqlClient`). */
import type { AuthStore, Located, Membership, SqlClient, TokenInfo, User, Workspace } from './port';
import { Role } from './roles';
import { uuidv7 } from 'uuidv7';

/** The workspace every store starts with; experiments of unknown projects count as its own. */
export const DEFAULT_WORKSPACE = 'default';

interface TokenRow {
  id: string;
  user_id: string;
  user_name: string;
  name: string;
  created_at: number | string;
  last_used_at: number | string | null;
  expires_at: number | string | null;
  revoked_at: number | string | null;
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));
const toToken = (r: TokenRow): TokenInfo => ({
  id: r.id, userId: r.user_id, userName: r.user_name, name: r.name, createdAt: Number(r.created_at),
  lastUsedAt: num(r.last_used_at), expiresAt: num(r.expires_at), revokedAt: num(r.revoked_at),
});
const TOKEN_SELECT = `SELECT t.id, t.user_id, u.name AS user_name, t.name, t.created_at, t.last_used_at, t.expires_at, t.revoked_at
  FROM api_tokens t JOIN users u ON u.id = t.user_id`;

/** SQL (one statement per object kind, `IN` lists) that maps ids to their workspace. */
const LOCATE: Record<Located['kind'], string> = {
  project: `SELECT p.id AS k, p.workspace_id AS w FROM projects p WHERE p.id IN`,
  experiment: `SELECT e.id AS k, COALESCE(p.workspace_id, '${DEFAULT_WORKSPACE}') AS w
    FROM experiments e LEFT JOIN projects p ON p.id = e.project_id WHERE e.id IN`,
  run: `SELECT r.id AS k, COALESCE(p.workspace_id, '${DEFAULT_WORKSPACE}') AS w FROM runs r
    JOIN experiments e ON e.id = r.experiment_id LEFT JOIN projects p ON p.id = e.project_id WHERE r.id IN`,
  model: `SELECT m.name AS k, m.workspace_id AS w FROM registered_models m WHERE m.name IN`,
  loggedModel: `SELECT l.model_id AS k, COALESCE(p.workspace_id, '${DEFAULT_WORKSPACE}') AS w FROM logged_models l
    JOIN experiments e ON e.id = l.experiment_id LEFT JOIN projects p ON p.id = e.project_id WHERE l.model_id IN`,
};

const keyOf = (o: Located): string => (o.kind === 'model' ? o.name : o.id);

/** Builds the AuthStore over `sql`. */
export function sqlAuthStore(sql: SqlClient): AuthStore {
  const rowsToUsers = (rows: { id: string; name: string; created_at: number | string }[]): User[] =>
    rows.map((r) => ({ id: r.id, name: r.name, createdAt: Number(r.created_at) }));
  const getToken = async (id: string) => {
    const rows = await sql.all<TokenRow>(`${TOKEN_SELECT} WHERE t.id = ?`, [id]);
    return rows[0] ? toToken(rows[0]) : null;
  };
  const rolesOf = async (userId: string) => {
    const rows = await sql.all<{ workspace_id: string; role: string }>('SELECT workspace_id, role FROM memberships WHERE user_id = ?', [userId]);
    return new Map(rows.map((r) => [r.workspace_id, Role.parse(r.role)]));
  };
  return {
    async hasUsers() {
      return (await sql.all('SELECT 1 FROM users LIMIT 1')).length > 0;
    },
    async hasAdmin() {
      return (await sql.all(`SELECT 1 FROM memberships WHERE workspace_id = ? AND role = 'admin' LIMIT 1`, [DEFAULT_WORKSPACE])).length > 0;
    },
    async createUser(name, now) {
      const user = { id: uuidv7(), name, createdAt: now };
      await sql.run('INSERT INTO users (id, name, created_at) VALUES (?, ?, ?)', [user.id, name, now]);
      return user;
    },
    async findUser(nameOrId) {
      return rowsToUsers(await sql.all('SELECT id, name, created_at FROM users WHERE name = ? OR id = ? ORDER BY name = ? DESC LIMIT 1', [nameOrId, nameOrId, nameOrId]))[0] ?? null;
    },
    async listUsers() {
      return rowsToUsers(await sql.all('SELECT id, name, created_at FROM users ORDER BY name'));
    },
    async createWorkspace(id, name, now) {
      await sql.batch([
        { sql: 'INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)', params: [id, name, now] },
        { sql: 'INSERT INTO projects (id, workspace_id, name, created_at) VALUES (?, ?, ?, ?)', params: [id, id, name, now] },
      ]);
      return { id, name, createdAt: now };
    },
    async getWorkspace(id) {
      const rows = await sql.all<{ id: string; name: string; created_at: number | string }>('SELECT id, name, created_at FROM workspaces WHERE id = ?', [id]);
      return rows[0] ? { id: rows[0].id, name: rows[0].name, createdAt: Number(rows[0].created_at) } : null;
    },
    async listWorkspaces() {
      const rows = await sql.all<{ id: string; name: string; created_at: number | string }>('SELECT id, name, created_at FROM workspaces ORDER BY id');
      return rows.map((r): Workspace => ({ id: r.id, name: r.name, createdAt: Number(r.created_at) }));
    },
    async setMembership(workspaceId, userId, role) {
      await sql.run(
        `INSERT INTO memberships (workspace_id, user_id, role) VALUES (?, ?, ?)
         ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role`,
        [workspaceId, userId, role],
      );
    },
    async removeMembership(workspaceId, userId) {
      return (await sql.run('DELETE FROM memberships WHERE workspace_id = ? AND user_id = ?', [workspaceId, userId])) > 0;
    },
    async listMembers(workspaceId) {
      const rows = await sql.all<{ user_id: string; name: string; role: string }>(
        'SELECT m.user_id, u.name, m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.workspace_id = ? ORDER BY u.name',
        [workspaceId],
      );
      return rows.map((r): Membership => ({ workspaceId, userId: r.user_id, userName: r.name, role: Role.parse(r.role) }));
    },
    rolesOf,
    async createToken({ id, userId, name, hash, now, expiresAt }) {
      await sql.run('INSERT INTO api_tokens (id, user_id, name, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)', [id, userId, name, hash, now, expiresAt]);
      return (await getToken(id))!;
    },
    async listTokens(userId) {
      const rows = userId === undefined
        ? await sql.all<TokenRow>(`${TOKEN_SELECT} ORDER BY t.created_at DESC, t.id DESC`)
        : await sql.all<TokenRow>(`${TOKEN_SELECT} WHERE t.user_id = ? ORDER BY t.created_at DESC, t.id DESC`, [userId]);
      return rows.map(toToken);
    },
    getToken,
    async revokeToken(id, now) {
      await sql.run('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [now, id]);
      return getToken(id);
    },
    async findLiveToken(hash, now) {
      const rows = await sql.all<TokenRow>(`${TOKEN_SELECT} WHERE t.hash = ?`, [hash]);
      const row = rows[0];
      if (!row) return null;
      const token = toToken(row);
      if (token.revokedAt !== null || (token.expiresAt !== null && token.expiresAt <= now)) return null;
      return { token, roles: await rolesOf(token.userId) };
    },
    async touchToken(id, now) {
      await sql.run('UPDATE api_tokens SET last_used_at = ? WHERE id = ?', [now, id]);
    },
    async workspacesOf(objects) {
      const out = new Map<Located, string>();
      for (const kind of Object.keys(LOCATE) as Located['kind'][]) {
        const wanted = objects.filter((o) => o.kind === kind);
        if (wanted.length === 0) continue;
        const keys = [...new Set(wanted.map(keyOf))];
        const found = new Map<string, string>();
        for (let i = 0; i < keys.length; i += 500) {
          const chunk = keys.slice(i, i + 500);
          const rows = await sql.all<{ k: string; w: string }>(`${LOCATE[kind]} (${chunk.map(() => '?').join(', ')})`, chunk);
          for (const r of rows) found.set(r.k, r.w);
        }
        for (const o of wanted) {
          const w = found.get(keyOf(o));
          if (w !== undefined) out.set(o, w);
        }
      }
      return out;
    },
    close: () => sql.close(),
  };
}

/**
 * Schema of users, API tokens and workspace memberships (workspaces and projects exist since version 1). The
 * store's migration lists append these; the SQL differs only in integer width.
 */

const authTables = (int: string) => `
  CREATE TABLE users (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at ${int} NOT NULL);
  CREATE TABLE memberships (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id), user_id TEXT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')), PRIMARY KEY (workspace_id, user_id));
  CREATE INDEX memberships_user ON memberships(user_id);
  CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), name TEXT NOT NULL, hash TEXT NOT NULL UNIQUE,
    created_at ${int} NOT NULL, last_used_at ${int}, expires_at ${int}, revoked_at ${int});
  CREATE INDEX api_tokens_user ON api_tokens(user_id);
`;

/** SQLite migration adding the auth tables. */
export const SQLITE_AUTH_MIGRATION = authTables('INTEGER');

/** PostgreSQL migration adding the auth tables. */
export const POSTGRES_AUTH_MIGRATION = authTables('BIGINT');

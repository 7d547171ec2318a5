/**
 * What auth needs from the database: users, API tokens (hash only), workspaces and memberships, and the
 * workspace each object lives in. One implementation (store.ts) runs on SQLite and PostgreSQL through `SqlClient`.
 */
import type { Role } from './roles';

/** A user (a person or a service account). */
export interface User {
  id: string;
  name: string;
  createdAt: number;
}

/** A workspace: the unit of sharing and of roles. */
export interface Workspace {
  id: string;
  name: string;
  createdAt: number;
}

/** A user's role in a workspace. */
export interface Membership {
  workspaceId: string;
  userId: string;
  userName: string;
  role: Role;
}

/** An API token as listed: never its secret, which exists only in the answer that created it. */
export interface TokenInfo {
  id: string;
  userId: string;
  userName: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  expiresAt: number | null;
  revokedAt: number | null;
}

/** What a token resolves to: its info and the owner's roles by workspace. */
export interface TokenOwner {
  token: TokenInfo;
  roles: Map<string, Role>;
}

/** An object whose workspace decides who may touch it. */
export type Located =
  | { kind: 'experiment'; id: string }
  | { kind: 'run'; id: string }
  | { kind: 'model'; name: string }
  | { kind: 'loggedModel'; id: string }
  | { kind: 'project'; id: string };

/** SQL access shared by the adapters: `?` placeholders, rows as plain objects. */
export interface SqlClient {
  all<R>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: unknown[]): Promise<number>;
  /** Runs the statements in one transaction: all of them land or none. */
  batch(statements: { sql: string; params: unknown[] }[]): Promise<void>;
  close(): Promise<void>;
}

/** Users, tokens, workspaces and memberships. */
export interface AuthStore {
  /** Whether any user exists (none = local single-user mode). */
  hasUsers(): Promise<boolean>;
  /** Whether some user is admin of the default workspace. */
  hasAdmin(): Promise<boolean>;
  createUser(name: string, now: number): Promise<User>;
  findUser(nameOrId: string): Promise<User | null>;
  listUsers(): Promise<User[]>;
  /** Creates a workspace and its project of the same id (experiments live in projects). */
  createWorkspace(id: string, name: string, now: number): Promise<Workspace>;
  getWorkspace(id: string): Promise<Workspace | null>;
  listWorkspaces(): Promise<Workspace[]>;
  /** Adds a member or changes their role. */
  setMembership(workspaceId: string, userId: string, role: Role): Promise<void>;
  /** Removes a member; false when they were not one. */
  removeMembership(workspaceId: string, userId: string): Promise<boolean>;
  listMembers(workspaceId: string): Promise<Membership[]>;
  /** Roles of a user by workspace. */
  rolesOf(userId: string): Promise<Map<string, Role>>;
  createToken(input: { id: string; userId: string; name: string; hash: string; now: number; expiresAt: number | null }): Promise<TokenInfo>;
  /** Tokens of one user, or of everyone; newest first. */
  listTokens(userId?: string): Promise<TokenInfo[]>;
  getToken(id: string): Promise<TokenInfo | null>;
  /** Marks a token revoked (idempotent); null when there is no such token. */
  revokeToken(id: string, now: number): Promise<TokenInfo | null>;
  /** The live token with this hash and its owner's roles; null when unknown, revoked or expired at `now`. */
  findLiveToken(hash: string, now: number): Promise<TokenOwner | null>;
  /** Records a use of the token. */
  touchToken(id: string, now: number): Promise<void>;
  /** Workspace of each object that exists (keyed like the input; missing objects are absent). */
  workspacesOf(objects: Located[]): Promise<Map<Located, string>>;
  close(): Promise<void>;
}

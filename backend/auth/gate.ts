/**
 * The one place requests are authenticated and authorized. Every edge (REST, MLflow, artifacts, WebSocket sync)
 * resolves its caller with `authenticate` and asks `authorize` with its route's policy and the objects it names.
 *
 * - The local token (the data folder's, or `--token`) is the bootstrap admin: admin of every workspace, so
 *   single-user mode works as before. Without an auth store it is the only token.
 * - API tokens are looked up by hash on every request (no cache), so a revoked token fails its next request;
 *   `tokenRevoked` tells the open WebSocket connections of this node (other nodes call it on their fan-out).
 * - A caller without a membership in an object's workspace gets 404, as if the object did not exist; a member whose
 *   role is too low gets 403 naming the role needed.
 */
import { timingSafeEqual } from 'node:crypto';
import { ApiError } from '../errors';
import type { AuthStore, Located } from './port';
import { ACTIONS, type RoutePolicy } from './policy';
import { roleAtLeast, type Role } from './roles';
import { DEFAULT_WORKSPACE } from './store';
import { hashTokenSecret, looksLikeApiToken } from './tokens';

/** Who is calling. */
export type Principal =
  | { kind: 'local' }
  | { kind: 'user'; tokenId: string; userId: string; userName: string; roles: Map<string, Role> };

/**
 * An authentication or authorization failure: an ApiError (401 UNAUTHENTICATED, 403 FORBIDDEN, 404 NOT_FOUND),
 * which the MLflow edge renders as UNAUTHENTICATED, PERMISSION_DENIED and RESOURCE_DOES_NOT_EXIST.
 */
export class AuthError extends ApiError {
  constructor(status: 401 | 403 | 404, message: string, path: string) {
    super(status, status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'FORBIDDEN' : 'NOT_FOUND', message, path);
    this.name = 'AuthError';
  }
}

/** An object a request names, with the request field that named it. */
export interface NamedObject {
  object: Located;
  path: string;
}

/** What an authorization is about. */
export interface AuthTarget {
  /** Objects the request names (their workspaces decide). */
  objects?: NamedObject[];
  /** The workspace to use for objects that do not exist yet and for `request` / `project` / `default` targets. */
  workspace: string;
}

/** Options of the gate. */
export interface AuthGateOptions {
  /** The local single-user token. */
  localToken: string;
  /** Users and API tokens; without it only the local token is accepted. */
  store?: AuthStore;
  now?: () => number;
}

/** Header naming the workspace a request acts in. */
export const WORKSPACE_HEADER = 'x-runtrail-workspace';

const TOUCH_EVERY_MS = 60_000;

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const describeObject = (o: Located) => (o.kind === 'loggedModel' ? `logged model '${o.id}'` : o.kind === 'model' ? `model '${o.name}'` : `${o.kind} '${o.id}'`);

/** Authenticates callers and applies the policy. */
export class AuthGate {
  private readonly now: () => number;
  private readonly touched = new Map<string, number>();
  private readonly revokedListeners = new Set<(tokenId: string) => void>();

  constructor(private readonly options: AuthGateOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The auth store, when users and API tokens are enabled. */
  get store(): AuthStore | undefined {
    return this.options.store;
  }

  /** Resolves a bearer token (`Authorization` header value, or a bare token); throws 401 when it is not valid. */
  async authenticate(authorization: string | null | undefined): Promise<Principal> {
    const header = authorization?.trim() ?? '';
    if (!header) throw new AuthError(401, 'missing or wrong bearer token (none given: send Authorization: Bearer <token>)', 'headers.authorization');
    const secret = header.startsWith('Bearer ') ? header.slice(7).trim() : header;
    if (sameSecret(secret, this.options.localToken)) return { kind: 'local' };
    const store = this.options.store;
    if (store && looksLikeApiToken(secret)) {
      const now = this.now();
      const owner = await store.findLiveToken(hashTokenSecret(secret), now);
      if (owner) {
        const { token } = owner;
        if (now - (this.touched.get(token.id) ?? 0) >= TOUCH_EVERY_MS) {
          this.touched.set(token.id, now);
          await store.touchToken(token.id, now);
        }
        return { kind: 'user', tokenId: token.id, userId: token.userId, userName: token.userName, roles: owner.roles };
      }
    }
    throw new AuthError(401, 'missing or wrong bearer token (unknown, expired or revoked)', 'headers.authorization');
  }

  /** The workspace a request acts in: the one it names (header or query), else the caller's default. */
  requestWorkspace(principal: Principal, named: string | null | undefined): string {
    if (named) return named;
    if (principal.kind === 'local' || principal.roles.has(DEFAULT_WORKSPACE)) return DEFAULT_WORKSPACE;
    return [...principal.roles.keys()].sort()[0] ?? DEFAULT_WORKSPACE;
  }

  /** The caller's role in `workspace`, or null when they are no member. */
  roleIn(principal: Principal, workspace: string): Role | null {
    return principal.kind === 'local' ? 'admin' : principal.roles.get(workspace) ?? null;
  }

  /** Throws the AuthError that `policy` gives this caller for `target`; resolves when the request may proceed. */
  async authorize(principal: Principal, policy: RoutePolicy, target: AuthTarget): Promise<void> {
    const need = ACTIONS[policy.action];
    switch (need.kind) {
      case 'public':
      case 'token':
        return;
      case 'server-admin':
        if (this.roleIn(principal, DEFAULT_WORKSPACE) === 'admin') return;
        throw new AuthError(403, `'${policy.action}' needs an admin of the '${DEFAULT_WORKSPACE}' workspace`, 'headers.authorization');
      case 'any-workspace': {
        if (principal.kind === 'local' || [...principal.roles.values()].some((r) => roleAtLeast(r, need.role))) return;
        throw new AuthError(403, `'${policy.action}' needs the ${need.role} role in some workspace`, 'headers.authorization');
      }
      case 'role': {
        const objects = target.objects ?? [];
        const found = this.options.store && principal.kind === 'user' && objects.length > 0
          ? await this.options.store.workspacesOf(objects.map((o) => o.object))
          : new Map<Located, string>();
        const checks = objects.length > 0
          ? objects.map((o) => ({ workspace: found.get(o.object) ?? target.workspace, what: describeObject(o.object), path: o.path, exists: found.has(o.object) }))
          : [{ workspace: target.workspace, what: `workspace '${target.workspace}'`, path: `headers.${WORKSPACE_HEADER}`, exists: true }];
        for (const check of checks) {
          const role = this.roleIn(principal, check.workspace);
          if (role === null) {
            const what = check.exists ? check.what : `workspace '${check.workspace}'`;
            throw new AuthError(404, `${what} does not exist`, check.exists ? check.path : `headers.${WORKSPACE_HEADER}`);
          }
          if (!roleAtLeast(role, need.role)) {
            throw new AuthError(403, `role '${role}' in workspace '${check.workspace}' may not ${policy.action} here; it needs '${need.role}'`, check.path);
          }
        }
        return;
      }
    }
  }

  /** Of `objects`, those the caller may read (member of their workspace); everything for the local token. */
  async visible<T>(principal: Principal, items: T[], locate: (item: T) => Located): Promise<T[]> {
    if (principal.kind === 'local' || items.length === 0 || !this.options.store) return items;
    const located = items.map(locate);
    const found = await this.options.store.workspacesOf(located);
    return items.filter((_, i) => principal.roles.has(found.get(located[i]!) ?? DEFAULT_WORKSPACE));
  }

  /** Registers a listener told when a token is revoked (the sync server closes that token's sockets). */
  onTokenRevoked(listener: (tokenId: string) => void): () => void {
    this.revokedListeners.add(listener);
    return () => this.revokedListeners.delete(listener);
  }

  /** Tells this node a token was revoked (here, or on another node): its open connections are closed at once. */
  tokenRevoked(tokenId: string): void {
    this.touched.delete(tokenId);
    for (const listener of this.revokedListeners) listener(tokenId);
  }
}

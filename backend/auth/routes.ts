/**
 * The auth routes under /api/v1/auth: who am I, API tokens (create shows the secret once; list; revoke closes the
 * token's open sync sockets at once), users, workspaces and their members. Each declares its action in ADMIN_POLICY.
 */
import type { Context, Hono } from 'hono';
import { uuidv7 } from 'uuidv7';
import type { z } from 'zod';
import { validationError } from '../api/router';
import { ApiError } from '../errors';
import type { AuthGate, Principal } from './gate';
import { ADMIN_POLICY, type AdminRouteName } from './policy';
import type { AuthStore, User } from './port';
import { CreateTokenRequest, CreateUserRequest, CreateWorkspaceRequest, ListTokensQuery, SetMemberRequest } from './schema';
import { DEFAULT_WORKSPACE } from './store';
import { generateTokenSecret, hashTokenSecret } from './tokens';

/** Path prefix of the auth routes. */
export const AUTH_PREFIX = '/api/v1/auth';

/** Paths of the auth routes by name (`METHOD path`), for the policy test and the CLI. */
export const AUTH_ROUTES: Record<AdminRouteName, { method: 'get' | 'post' | 'put' | 'delete'; path: string }> = {
  whoami: { method: 'get', path: `${AUTH_PREFIX}/whoami` },
  createToken: { method: 'post', path: `${AUTH_PREFIX}/tokens` },
  listTokens: { method: 'get', path: `${AUTH_PREFIX}/tokens` },
  revokeToken: { method: 'delete', path: `${AUTH_PREFIX}/tokens/:tokenId` },
  createUser: { method: 'post', path: `${AUTH_PREFIX}/users` },
  listUsers: { method: 'get', path: `${AUTH_PREFIX}/users` },
  createWorkspace: { method: 'post', path: `${AUTH_PREFIX}/workspaces` },
  listWorkspaces: { method: 'get', path: `${AUTH_PREFIX}/workspaces` },
  listMembers: { method: 'get', path: `${AUTH_PREFIX}/workspaces/:workspaceId/members` },
  setMember: { method: 'put', path: `${AUTH_PREFIX}/workspaces/:workspaceId/members/:user` },
  removeMember: { method: 'delete', path: `${AUTH_PREFIX}/workspaces/:workspaceId/members/:user` },
};

async function bodyOf<T extends z.ZodType>(c: Context, schema: T): Promise<z.output<T>> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new ApiError(400, 'MALFORMED_JSON', 'body must be a JSON object', 'body');
  }
  const result = schema.safeParse(raw);
  if (!result.success) throw validationError(result.error, 'body');
  return result.data;
}

const isServerAdmin = (gate: AuthGate, principal: Principal) => gate.roleIn(principal, DEFAULT_WORKSPACE) === 'admin';

async function userNamed(store: AuthStore, nameOrId: string, path: string): Promise<User> {
  const user = await store.findUser(nameOrId);
  if (!user) throw new ApiError(404, 'NOT_FOUND', `user '${nameOrId}' does not exist`, path);
  return user;
}

/** Mounts the auth routes; `now` stamps tokens, users and workspaces. */
export function mountAuthRoutes(app: Hono, gate: AuthGate, options: { now(): number }): void {
  const route = (name: AdminRouteName, fn: (c: Context, principal: Principal, store: AuthStore) => Promise<Response>) => {
    const { method, path } = AUTH_ROUTES[name];
    app[method](path, async (c) => {
      const principal = await gate.authenticate(c.req.header('authorization'));
      const workspace = c.req.param('workspaceId') ?? DEFAULT_WORKSPACE;
      await gate.authorize(principal, ADMIN_POLICY[name], { workspace });
      const store = gate.store;
      if (!store) throw new ApiError(400, 'AUTH_DISABLED', 'this server has no user database; users and API tokens need `runtrail serve`', 'path');
      return fn(c, principal, store);
    });
  };

  route('whoami', async (c, principal, store) => {
    if (principal.kind === 'local') {
      const workspaces = await store.listWorkspaces();
      return c.json({ local: true, user: null, tokenId: null, roles: workspaces.map((w) => ({ workspaceId: w.id, role: 'admin' })) });
    }
    const roles = [...principal.roles].map(([workspaceId, role]) => ({ workspaceId, role })).sort((a, b) => (a.workspaceId < b.workspaceId ? -1 : 1));
    return c.json({ local: false, user: { id: principal.userId, name: principal.userName }, tokenId: principal.tokenId, roles });
  });

  route('createToken', async (c, principal, store) => {
    const body = await bodyOf(c, CreateTokenRequest);
    let user: User;
    if (body.user !== undefined) {
      user = await userNamed(store, body.user, 'body.user');
      if (principal.kind === 'user' && user.id !== principal.userId && !isServerAdmin(gate, principal)) {
        throw new ApiError(403, 'FORBIDDEN', `only an admin of the '${DEFAULT_WORKSPACE}' workspace may create tokens for other users`, 'body.user');
      }
    } else if (principal.kind === 'user') {
      user = await userNamed(store, principal.userId, 'body.user');
    } else {
      throw new ApiError(400, 'INVALID_PARAMETER_VALUE', 'body.user: the local token belongs to no user; name the user the token is for', 'body.user');
    }
    const now = options.now();
    const secret = generateTokenSecret();
    const token = await store.createToken({
      id: uuidv7(), userId: user.id, name: body.name, hash: hashTokenSecret(secret), now,
      expiresAt: body.expiresInMs === undefined ? null : now + body.expiresInMs,
    });
    return c.json({ token, secret }, 201);
  });

  route('listTokens', async (c, principal, store) => {
    const query = ListTokensQuery.safeParse(c.req.query());
    if (!query.success) throw validationError(query.error, 'query');
    const all = query.data.all === 'true';
    if (all && !isServerAdmin(gate, principal)) {
      throw new ApiError(403, 'FORBIDDEN', `only an admin of the '${DEFAULT_WORKSPACE}' workspace may list everyone's tokens`, 'query.all');
    }
    const userId = principal.kind === 'local' || all ? undefined : principal.userId;
    return c.json({ tokens: await store.listTokens(userId) });
  });

  route('revokeToken', async (c, principal, store) => {
    const id = c.req.param('tokenId')!;
    const token = await store.getToken(id);
    // Other users' tokens do not exist for a caller who may not revoke them.
    if (!token || (principal.kind === 'user' && token.userId !== principal.userId && !isServerAdmin(gate, principal))) {
      throw new ApiError(404, 'NOT_FOUND', `token '${id}' does not exist`, 'params.tokenId');
    }
    const revoked = await store.revokeToken(id, options.now());
    gate.tokenRevoked(id);
    return c.json({ token: revoked });
  });

  route('createUser', async (c, _principal, store) => {
    const body = await bodyOf(c, CreateUserRequest);
    if (await store.findUser(body.name)) throw new ApiError(409, 'ALREADY_EXISTS', `user '${body.name}' already exists`, 'body.name');
    return c.json({ user: await store.createUser(body.name, options.now()) }, 201);
  });

  route('listUsers', async (c, _principal, store) => c.json({ users: await store.listUsers() }));

  route('createWorkspace', async (c, principal, store) => {
    const body = await bodyOf(c, CreateWorkspaceRequest);
    if (await store.getWorkspace(body.id)) throw new ApiError(409, 'ALREADY_EXISTS', `workspace '${body.id}' already exists`, 'body.id');
    const workspace = await store.createWorkspace(body.id, body.name ?? body.id, options.now());
    if (principal.kind === 'user') await store.setMembership(workspace.id, principal.userId, 'admin');
    return c.json({ workspace }, 201);
  });

  route('listWorkspaces', async (c, principal, store) => {
    const workspaces = await store.listWorkspaces();
    const mine = principal.kind === 'local' || isServerAdmin(gate, principal) ? workspaces : workspaces.filter((w) => principal.roles.has(w.id));
    return c.json({ workspaces: mine.map((w) => ({ ...w, role: gate.roleIn(principal, w.id) })) });
  });

  route('listMembers', async (c, _principal, store) => c.json({ members: await store.listMembers(c.req.param('workspaceId')!) }));

  route('setMember', async (c, _principal, store) => {
    const workspaceId = c.req.param('workspaceId')!;
    const body = await bodyOf(c, SetMemberRequest);
    if (!(await store.getWorkspace(workspaceId))) throw new ApiError(404, 'NOT_FOUND', `workspace '${workspaceId}' does not exist`, 'params.workspaceId');
    const user = await userNamed(store, c.req.param('user')!, 'params.user');
    await store.setMembership(workspaceId, user.id, body.role);
    return c.json({ member: { workspaceId, userId: user.id, userName: user.name, role: body.role } });
  });

  route('removeMember', async (c, _principal, store) => {
    const workspaceId = c.req.param('workspaceId')!;
    const user = await userNamed(store, c.req.param('user')!, 'params.user');
    if (!(await store.removeMembership(workspaceId, user.id))) {
      throw new ApiError(404, 'NOT_FOUND', `user '${user.name}' is no member of workspace '${workspaceId}'`, 'params.user');
    }
    return c.json({ removed: { workspaceId, userId: user.id, userName: user.name } });
  });
}

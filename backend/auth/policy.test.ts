/** The policy table: every route the app mounts declares an action, and the roles order what they allow. */
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../test-app';
import { ACTIONS, API_POLICY, MLFLOW_POLICY } from './policy';
import { policyForRoute } from './route-policies';
import { roleAtLeast } from './roles';
import { AuthGate, AuthError, type Principal } from './gate';

const t = createTestApp();
afterAll(() => t.close());

describe('route policy', () => {
  it('is declared for every route the app mounts (a new route without one fails here)', () => {
    const mounted = t.app.routes.filter((r) => r.method !== 'ALL' && r.path !== '/api/*');
    expect(mounted.length).toBeGreaterThan(90);
    const undeclared = mounted.filter((r) => policyForRoute(r.method === 'HEAD' ? 'HEAD' : r.method, r.path) === null).map((r) => `${r.method} ${r.path}`);
    expect(undeclared).toEqual([]);
  });

  it('needs a token everywhere except health, the OpenAPI document and the page shells', () => {
    const mounted = t.app.routes.filter((r) => r.method !== 'ALL' && r.path !== '/api/*');
    const open = mounted.filter((r) => policyForRoute(r.method, r.path)!.action === 'public').map((r) => `${r.method} ${r.path}`);
    expect(open.sort()).toEqual(['GET /_pages/runtrail-pages.js', 'GET /api/v1/health', 'GET /api/v1/openapi.json', 'GET /compare', 'GET /r/:runId']);
  });

  it('asks viewers to read, editors to write and admins to delete models permanently', () => {
    expect(API_POLICY.getRun.action).toBe('read');
    expect(API_POLICY.logBatch.action).toBe('write');
    expect(API_POLICY.deleteModel.action).toBe('manage');
    expect(MLFLOW_POLICY.logBatch.action).toBe('write');
    expect(MLFLOW_POLICY.searchRuns.action).toBe('read');
    expect(ACTIONS.write).toEqual({ kind: 'role', role: 'editor' });
  });

  it('orders roles viewer < editor < admin', () => {
    expect(roleAtLeast('admin', 'editor')).toBe(true);
    expect(roleAtLeast('editor', 'editor')).toBe(true);
    expect(roleAtLeast('viewer', 'editor')).toBe(false);
    expect(roleAtLeast('editor', 'admin')).toBe(false);
  });
});

describe('AuthGate without a user database (local single-user mode)', () => {
  const gate = new AuthGate({ localToken: 'local-secret' });
  const deny = (p: Promise<unknown>) => p.then(() => null, (e: AuthError) => [e.status, e.path]);

  it('accepts the local token as admin of every workspace and refuses others with 401', async () => {
    const local = await gate.authenticate('Bearer local-secret');
    expect(local).toEqual({ kind: 'local' });
    expect(gate.roleIn(local, 'anything')).toBe('admin');
    expect(await deny(gate.authenticate('Bearer local-secreT'))).toEqual([401, 'headers.authorization']);
    expect(await deny(gate.authenticate(undefined))).toEqual([401, 'headers.authorization']);
    expect(await deny(gate.authenticate('Bearer rt_' + 'a'.repeat(43)))).toEqual([401, 'headers.authorization']);
  });

  it('answers 404 outside the caller workspaces and 403 below the role needed', async () => {
    const viewer: Principal = { kind: 'user', tokenId: 't', userId: 'u', userName: 'v', roles: new Map([['a', 'viewer']]) };
    expect(await deny(gate.authorize(viewer, API_POLICY.getRun, { workspace: 'a' }))).toBeNull();
    expect(await deny(gate.authorize(viewer, API_POLICY.logBatch, { workspace: 'a' }))).toEqual([403, expect.any(String)]);
    expect(await deny(gate.authorize(viewer, API_POLICY.getRun, { workspace: 'b' }))).toEqual([404, 'headers.x-runtrail-workspace']);
    expect(await deny(gate.authorize(viewer, { action: 'blob:read', target: 'none' }, { workspace: 'b' }))).toBeNull();
    expect(await deny(gate.authorize(viewer, { action: 'blob:write', target: 'none' }, { workspace: 'a' }))).toEqual([403, expect.any(String)]);
    expect(await deny(gate.authorize(viewer, { action: 'server:admin', target: 'none' }, { workspace: 'a' }))).toEqual([403, expect.any(String)]);
  });

  it('tells listeners about a revoked token, and forgets removed listeners', () => {
    const heard: string[] = [];
    const off = gate.onTokenRevoked((id) => heard.push(id));
    gate.tokenRevoked('t1');
    off();
    gate.tokenRevoked('t2');
    expect(heard).toEqual(['t1']);
  });
});

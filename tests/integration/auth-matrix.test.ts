/**
 * The authorization matrix over real HTTP and real WebSockets against `startServer` (SQLite store, blob folder):
 * every route of the route tables (/api/v1, MLflow, mlflow-artifacts, auth) x caller (viewer, editor, admin of
 * workspace A; a user with no membership) x target workspace (A, or B where none of them is a member) gets the
 * answer the policy table promises: allowed, 403, or 404 as if the object did not exist. Then: list answers are cut
 * to the caller's workspaces, sync sockets are read-only for viewers, revoking a token closes its open sync socket
 * and its next request is 401, and the real `mlflow` client with a viewer token can read but not log.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MLFLOW_ARTIFACTS_ROOT, mlflowRoutes, routes, type MlflowRouteName, type RouteName, type RouteSpec } from '@runtrail/core/schema';
import { createRedactor } from '@runtrail/core/capture';
import { SyncClient, createExperimentDoc, getRunMap, readRun, setRunTag, type SyncStatus } from '@runtrail/core/sync';
import { startServer, type RunningServer } from '../../backend/server';
import { openSqliteStore } from '../../backend/store/sqlite';
import { ACTIONS, ADMIN_POLICY, API_POLICY, ARTIFACTS_POLICY, MLFLOW_POLICY, type RoutePolicy } from '../../backend/auth/policy';
import { AUTH_ROUTES } from '../../backend/auth/routes';
import { REPO } from './harness';

const PYTHON = join(REPO, '.venv', 'bin', 'python');
const LOCAL = 'matrix-local-token';
const A = 'default';
const B = 'team-b';
type Role = 'viewer' | 'editor' | 'admin';
type Caller = 'viewer' | 'editor' | 'admin' | 'outsider';
const CALLERS: Caller[] = ['viewer', 'editor', 'admin', 'outsider'];
const RANK: Record<Role, number> = { viewer: 1, editor: 2, admin: 3 };
/** Each caller's roles: members of A only; the outsider of nothing. */
const ROLES: Record<Caller, Partial<Record<string, Role>>> = { viewer: { [A]: 'viewer' }, editor: { [A]: 'editor' }, admin: { [A]: 'admin' }, outsider: {} };

let server: RunningServer;
let dir: string;
const tokens = {} as Record<Caller, string>;
const spareTokenIds = {} as Record<Caller, string>;

interface Answer {
  status: number;
  // Tests read whatever fields they assert on.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

async function http(token: string | null, method: string, path: string, init: { json?: unknown; bytes?: Uint8Array; workspace?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.workspace) headers['x-runtrail-workspace'] = init.workspace;
  let body: RequestInit['body'];
  if (init.bytes) body = init.bytes as unknown as RequestInit['body'];
  else if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  }
  const res = await fetch(server.url + path, { method, headers, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

/** Like `http` with the local (bootstrap admin) token, failing on any error: fixtures and set-up. */
async function local(method: string, path: string, init: { json?: unknown; bytes?: Uint8Array } = {}): Promise<Answer> {
  const answer = await http(LOCAL, method, path, init);
  if (answer.status >= 400) throw new Error(`${method} ${path} -> ${answer.status} ${JSON.stringify(answer.json)}`);
  return answer;
}

/** The objects one matrix case points at, all in one workspace. */
interface Fixture {
  workspace: string;
  experimentId: string;
  runId: string;
  model: string;
  loggedModelId: string;
  blob: string;
}

const BLOB = new TextEncoder().encode('matrix blob');
const BLOB_SHA = createHash('sha256').update(BLOB).digest('hex');
let fixtureCount = 0;

/** Creates an experiment, a run with a metric, tag and artifact, a logged model, and a model with version 1 and alias. */
async function makeFixture(workspace: string): Promise<Fixture> {
  const n = ++fixtureCount;
  const experimentId = `e${n}-${workspace}`;
  const runId = `r${n}-${workspace}`;
  const model = `m${n}-${workspace}`;
  await local('POST', '/api/v1/experiments', { json: { id: experimentId, name: experimentId, projectId: workspace } });
  await local('POST', '/api/v1/runs', { json: { id: runId, experimentId, name: 'run' } });
  await local('POST', `/api/v1/runs/${runId}/log-batch`, { json: { metrics: [{ key: 'loss', value: 1, step: 0, timestamp: 1 }], tags: [{ key: 'k', value: 'v' }] } });
  await local('PUT', `${MLFLOW_ARTIFACTS_ROOT}/${experimentId}/${runId}/artifacts/model.txt`, { bytes: new TextEncoder().encode('weights') });
  const logged = await local('POST', '/api/2.0/mlflow/logged-models', { json: { experiment_id: experimentId, name: 'lm', source_run_id: runId, tags: [{ key: 'k', value: 'v' }] } });
  const loggedModelId = String(logged.json.model.info.model_id);
  if (workspace === A) {
    await local('POST', '/api/v1/models', { json: { name: model, tags: [{ key: 'k', value: 'v' }] } });
    await local('POST', `/api/v1/models/${model}/versions`, { json: { runId, path: 'model.txt', tags: [{ key: 'k', value: 'v' }] } });
    await local('PUT', `/api/v1/models/${model}/aliases/champion`, { json: { version: 1 } });
  } else {
    // Today's registry routes create models in the default workspace; a model of B is written through the store port.
    const store = openSqliteStore(join(dir, 'runtrail.db'));
    try {
      await store.registry.write(async (tx) => {
        await tx.putModel({ name: model, workspaceId: workspace, description: '', tags: [{ key: 'k', value: 'v' }], aliases: [{ alias: 'champion', version: 1 }], latestVersion: 1, createdAt: 1, updatedAt: 1 });
        await tx.putVersion({
          modelName: model, version: 1, runId, source: 'model.txt', artifacts: [], snapshotIds: [], cellIds: [], stage: 'None',
          description: '', tags: [{ key: 'k', value: 'v' }], createdBy: 'local', createdAt: 1, updatedAt: 1,
        });
      });
    } finally {
      await store.close();
    }
  }
  return { workspace, experimentId, runId, model, loggedModelId, blob: BLOB_SHA };
}

/** One request of the matrix. */
interface Case {
  route: string;
  policy: RoutePolicy;
  /** Whether an allowed call changes or deletes the fixture (it then gets a fresh one). */
  destructive: boolean;
  request(fx: Fixture, caller: Caller): { method: string; path: string; json?: unknown; bytes?: Uint8Array };
}

const fill = (path: string, values: Record<string, string>) => path.replace(/:(\w+)(\{[^}]*\})?/g, (_, name: string) => encodeURIComponent(values[name] ?? 'x'));

/** /api/v1 routes: path parameters from the fixture, a JSON body that names the fixture's experiment and project. */
const apiCases: Case[] = (Object.entries(routes) as [RouteName, RouteSpec][]).map(([name, spec]) => ({
  route: `v1 ${name}`,
  policy: API_POLICY[name],
  destructive: name.startsWith('delete'),
  request(fx) {
    const path = fill(spec.path, { experimentId: fx.experimentId, runId: fx.runId, modelName: fx.model, version: '1', alias: 'champion', sha256: fx.blob });
    const confirm = name === 'deleteModel' ? `?confirm=${fx.model}` : name === 'deleteModelVersion' ? `?confirm=${fx.model}/1` : '';
    const method = spec.method.toUpperCase();
    if (spec.bodyKind === 'binary') return { method, path, bytes: BLOB };
    const json = spec.body ? { experimentId: fx.experimentId, projectId: fx.workspace, name: 'matrix' } : undefined;
    return { method, path: path + confirm, json };
  },
}));

/** MLflow routes: every field MLflow uses to name an experiment, run, model or logged model points at the fixture. */
const mlflowCases: Case[] = (Object.entries(mlflowRoutes) as [MlflowRouteName, (typeof mlflowRoutes)[MlflowRouteName]][]).map(([name, spec]) => ({
  route: `mlflow ${name}`,
  policy: MLFLOW_POLICY[name],
  destructive: name.startsWith('delete') || name.startsWith('restore'),
  request(fx) {
    const path = fill(spec.path, { model_id: fx.loggedModelId, tag_key: 'k' });
    const fields: Record<string, string> = {
      experiment_id: fx.experimentId, run_id: fx.runId, name: fx.model, version: '1', alias: 'champion', experiment_name: fx.experimentId,
      key: 'k', value: 'v', metric_key: 'loss', model_id: fx.loggedModelId, stage: 'Staging',
    };
    if (spec.method === 'get') return { method: 'GET', path: `${path}?${new URLSearchParams(fields)}` };
    return { method: spec.method.toUpperCase(), path, json: { ...fields, experiment_ids: [fx.experimentId] } };
  },
}));

const artifactCases: Case[] = [
  { route: 'artifacts list', policy: ARTIFACTS_POLICY.list, destructive: false, request: (fx) => ({ method: 'GET', path: `${MLFLOW_ARTIFACTS_ROOT}?path=${fx.experimentId}/${fx.runId}/artifacts` }) },
  { route: 'artifacts download', policy: ARTIFACTS_POLICY.download, destructive: false, request: (fx) => ({ method: 'GET', path: `${MLFLOW_ARTIFACTS_ROOT}/${fx.experimentId}/${fx.runId}/artifacts/model.txt` }) },
  { route: 'artifacts upload', policy: ARTIFACTS_POLICY.upload, destructive: false, request: (fx) => ({ method: 'PUT', path: `${MLFLOW_ARTIFACTS_ROOT}/${fx.experimentId}/${fx.runId}/artifacts/up.txt`, bytes: BLOB }) },
];

let unique = 0;
/** Auth routes: the workspace in the path is the fixture's; users and tokens are fresh or the caller's own. */
const authCases: Case[] = (Object.keys(AUTH_ROUTES) as (keyof typeof AUTH_ROUTES)[]).map((name) => ({
  route: `auth ${name}`,
  policy: ADMIN_POLICY[name],
  destructive: false,
  request(fx, caller) {
    const spec = AUTH_ROUTES[name];
    const path = fill(spec.path, { workspaceId: fx.workspace, user: 'dummy', tokenId: spareTokenIds[caller] });
    const bodies: Partial<Record<typeof name, unknown>> = {
      createToken: { name: 'matrix' }, createUser: { name: `u${++unique}` }, createWorkspace: { id: `ws${++unique}` }, setMember: { role: 'viewer' },
    };
    return { method: spec.method.toUpperCase(), path, json: bodies[name] };
  },
}));

const CASES = [...apiCases, ...mlflowCases, ...artifactCases, ...authCases];

/** What the policy promises `caller` for `policy` on objects of `workspace` (restated here, not asked of the gate). */
function expected(policy: RoutePolicy, caller: Caller, workspace: string): 'allow' | 403 | 404 {
  const need = ACTIONS[policy.action];
  const roles = ROLES[caller];
  switch (need.kind) {
    case 'public':
    case 'token':
      return 'allow';
    case 'server-admin':
      return roles[A] === 'admin' ? 'allow' : 403;
    case 'any-workspace':
      return Object.values(roles).some((r) => RANK[r!] >= RANK[need.role]) ? 'allow' : 403;
    case 'role': {
      const role = roles[policy.target === 'default' ? A : workspace];
      if (!role) return 404;
      return RANK[role] >= RANK[need.role] ? 'allow' : 403;
    }
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runtrail-auth-matrix-'));
  server = await startServer({ dataDir: dir, port: 0, token: LOCAL, log: () => undefined });
  await local('POST', '/api/v1/auth/workspaces', { json: { id: B, name: 'Team B' } });
  for (const caller of [...CALLERS, 'dummy'] as const) await local('POST', '/api/v1/auth/users', { json: { name: caller } });
  for (const caller of CALLERS) {
    const role = ROLES[caller][A];
    if (role) await local('PUT', `/api/v1/auth/workspaces/${A}/members/${caller}`, { json: { role } });
    tokens[caller] = (await local('POST', '/api/v1/auth/tokens', { json: { user: caller, name: 'main' } })).json.secret;
    spareTokenIds[caller] = (await local('POST', '/api/v1/auth/tokens', { json: { user: caller, name: 'spare' } })).json.token.id;
  }
  await local('PUT', `/api/v1/blobs/${BLOB_SHA}`, { bytes: BLOB });
});

afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('authorization matrix', () => {
  it('covers every route of the route tables', () => {
    expect(apiCases).toHaveLength(Object.keys(routes).length);
    expect(mlflowCases).toHaveLength(Object.keys(mlflowRoutes).length);
    expect(CASES.length).toBeGreaterThan(95);
  });

  it('answers every route x caller x own or foreign workspace as the policy says', async () => {
    const shared: Record<string, Fixture> = { [A]: await makeFixture(A), [B]: await makeFixture(B) };
    const wrong: string[] = [];
    const tally = { allow: 0, 403: 0, 404: 0, allowedButInvalid: 0 };
    let checked = 0;
    // Destructive routes last, each allowed call on a fresh fixture, so no case sees another's deletions.
    const ordered = [...CASES.filter((c) => !c.destructive), ...CASES.filter((c) => c.destructive)];
    for (const c of ordered) {
      for (const workspace of [A, B]) {
        for (const caller of CALLERS) {
          const want = expected(c.policy, caller, workspace);
          const fx = c.destructive && want === 'allow' ? await makeFixture(workspace) : shared[workspace]!;
          const { method, path, json, bytes } = c.request(fx, caller);
          const got = await http(tokens[caller], method, path, { json, bytes, workspace });
          checked++;
          tally[want]++;
          if (want === 'allow' && got.status >= 400) tally.allowedButInvalid++;
          const ok = want === 'allow' ? ![401, 403, 404].includes(got.status) && got.status < 500 : got.status === want;
          if (!ok) wrong.push(`${c.route} ${caller}@${workspace}: want ${want}, got ${got.status} ${JSON.stringify(got.json).slice(0, 160)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBe(CASES.length * 2 * CALLERS.length);
    // Every kind of answer occurs often, and most allowed calls do what they ask (the rest fail validation, 4xx).
    expect(tally.allow).toBeGreaterThan(150);
    expect(tally[403]).toBeGreaterThan(50);
    expect(tally[404]).toBeGreaterThan(400);
    expect(tally.allowedButInvalid).toBeLessThan(tally.allow / 2);
    console.log('auth matrix:', JSON.stringify(tally));
  });

  it('answers 401 on every route but the public ones without a valid token', async () => {
    const fx = await makeFixture(A);
    const wrong: string[] = [];
    for (const c of CASES) {
      const { method, path, json, bytes } = c.request(fx, 'admin');
      for (const token of [null, 'not-a-token', `rt_${'x'.repeat(43)}`]) {
        const got = await http(token, method, path, { json, bytes });
        const want = c.policy.action === 'public' ? 'not 401' : 401;
        if (want === 401 ? got.status !== 401 : got.status === 401) wrong.push(`${c.route} with ${token}: got ${got.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("cuts list and search answers to the caller's workspaces", async () => {
    const a = await makeFixture(A);
    const b = await makeFixture(B);
    const experimentIds = async (token: string) => (await http(token, 'GET', '/api/v1/experiments?pageSize=1000')).json.experiments.map((e: { id: string }) => e.id);
    expect(await experimentIds(tokens.viewer)).toContain(a.experimentId);
    expect(await experimentIds(tokens.viewer)).not.toContain(b.experimentId);
    expect(await experimentIds(LOCAL)).toEqual(expect.arrayContaining([a.experimentId, b.experimentId]));
    const runIds = async (token: string) => (await http(token, 'POST', '/api/v1/runs/search', { json: { pageSize: 1000 } })).json.runs.map((r: { id: string }) => r.id);
    expect(await runIds(tokens.editor)).toContain(a.runId);
    expect(await runIds(tokens.editor)).not.toContain(b.runId);
    const models = (await http(tokens.viewer, 'GET', '/api/v1/models?pageSize=1000')).json.models.map((m: { name: string }) => m.name);
    expect(models).toContain(a.model);
    expect(models).not.toContain(b.model);
    const mlflowExperiments = (await http(tokens.viewer, 'POST', '/api/2.0/mlflow/experiments/search', { json: { max_results: 1000 } })).json.experiments;
    expect(mlflowExperiments.map((e: { experiment_id: string }) => e.experiment_id)).not.toContain(b.experimentId);
    const everywhere = (await http(tokens.viewer, 'POST', '/api/2.0/mlflow/runs/search', { json: { experiment_ids: [] } })).json.runs ?? [];
    expect(everywhere.map((r: { info: { run_id: string } }) => r.info.run_id)).toContain(a.runId);
    expect(everywhere.map((r: { info: { run_id: string } }) => r.info.run_id)).not.toContain(b.runId);
    const logged = (await http(tokens.viewer, 'POST', '/api/2.0/mlflow/logged-models/search', { json: {} })).json.models ?? [];
    expect(logged.map((m: { info: { model_id: string } }) => m.info.model_id)).toContain(a.loggedModelId);
    expect(logged.map((m: { info: { model_id: string } }) => m.info.model_id)).not.toContain(b.loggedModelId);
    // Naming B's experiment in an MLflow search is a 404, as for any object of a workspace the caller is not in.
    expect((await http(tokens.viewer, 'POST', '/api/2.0/mlflow/runs/search', { json: { experiment_ids: [a.experimentId, b.experimentId] } })).status).toBe(404);
  });
});

/** A sync client on `experimentId` with `token`; records close codes and statuses. */
function syncWith(experimentId: string, token: string) {
  const doc = createExperimentDoc();
  const closes: { code: number; reason: string }[] = [];
  const statuses: SyncStatus[] = [];
  const client = new SyncClient({
    doc,
    url: `${server.url.replace(/^http/, 'ws')}/api/v1/sync/${experimentId}?token=${token}`,
    createSocket: (target) => {
      const socket = new WebSocket(target);
      socket.on('close', (code, reason) => closes.push({ code, reason: reason.toString() }));
      return socket;
    },
  });
  client.onStatus((s) => statuses.push(s));
  const until = (what: string, done: () => boolean, ms = 10_000) =>
    new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const tick = setInterval(() => {
        if (done()) {
          clearInterval(tick);
          resolve();
        } else if (Date.now() - started > ms) {
          clearInterval(tick);
          reject(new Error(`${what} did not happen within ${ms} ms (statuses ${statuses.join(',')}, closes ${JSON.stringify(closes)})`));
        }
      }, 10);
    });
  return { doc, client, closes, statuses, until, dispose: () => (client.dispose(), doc.destroy()) };
}

/** The HTTP status a sync upgrade with `token` gets refused with (0 when it opens). */
function upgradeStatus(experimentId: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/api/v1/sync/${experimentId}?token=${token}`);
    socket.once('unexpected-response', (_req, res) => (resolve(res.statusCode ?? -1), socket.terminate()));
    socket.once('open', () => (resolve(0), socket.close()));
    socket.once('error', (error) => (error.message.includes('Unexpected server response') ? undefined : reject(error)));
  });
}

describe('WebSocket sync under the policy', () => {
  it('lets members of the workspace read; others get 404 before the handshake, and bad tokens 401', async () => {
    const a = await makeFixture(A);
    const b = await makeFixture(B);
    for (const caller of ['viewer', 'editor', 'admin'] as const) expect(await upgradeStatus(a.experimentId, tokens[caller])).toBe(0);
    expect(await upgradeStatus(a.experimentId, tokens.outsider)).toBe(404);
    for (const caller of CALLERS) expect(await upgradeStatus(b.experimentId, tokens[caller])).toBe(404);
    expect(await upgradeStatus(a.experimentId, 'wrong')).toBe(401);
  });

  it("closes a viewer's socket when it writes (4403) and keeps an editor's write", async () => {
    const a = await makeFixture(A);
    const viewer = syncWith(a.experimentId, tokens.viewer);
    const editor = syncWith(a.experimentId, tokens.editor);
    try {
      await viewer.until('viewer synced', () => viewer.client.status === 'synced');
      await editor.until('editor synced', () => editor.client.status === 'synced');
      setRunTag(viewer.doc, a.runId, 'by', 'viewer', createRedactor());
      await viewer.until('viewer closed', () => viewer.closes.some((c) => c.code === 4403));
      expect(viewer.closes.find((c) => c.code === 4403)!.reason).toContain('needs the editor role');
      setRunTag(editor.doc, a.runId, 'by', 'editor', createRedactor());
      let tags: { key: string; value: string }[] = [];
      await editor.until('tag visible over REST', () => {
        void http(LOCAL, 'GET', `/api/v1/runs/${a.runId}`).then((r) => (tags = r.json.tags));
        return tags.some((t) => t.key === 'by' && t.value === 'editor');
      });
      const run = readRun(getRunMap(editor.doc, a.runId)!);
      expect(run.tags).toContainEqual({ key: 'by', value: 'editor' });
    } finally {
      viewer.dispose();
      editor.dispose();
    }
  });

  it('closes the open socket of a revoked token at once; its next REST call is 401', async () => {
    const a = await makeFixture(A);
    const created = (await http(tokens.editor, 'POST', '/api/v1/auth/tokens', { json: { name: 'to-revoke' } })).json;
    const sync = syncWith(a.experimentId, created.secret);
    try {
      await sync.until('synced', () => sync.client.status === 'synced');
      expect((await http(created.secret, 'GET', `/api/v1/runs/${a.runId}`)).status).toBe(200);
      const started = Date.now();
      expect((await http(tokens.editor, 'DELETE', `/api/v1/auth/tokens/${created.token.id}`)).status).toBe(200);
      await sync.until('socket closed', () => sync.closes.some((c) => c.code === 4401), 2_000);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(sync.closes.find((c) => c.code === 4401)!.reason).toBe('token revoked');
      await sync.until('client gave up', () => sync.client.status === 'unauthorized');
      expect((await http(created.secret, 'GET', `/api/v1/runs/${a.runId}`)).status).toBe(401);
      expect(await upgradeStatus(a.experimentId, created.secret)).toBe(401);
      // Other tokens of the same user keep working.
      expect((await http(tokens.editor, 'GET', `/api/v1/runs/${a.runId}`)).status).toBe(200);
    } finally {
      sync.dispose();
    }
  });
});

describe('model versions from runs', () => {
  it("need the source run's workspace too: an editor cannot register another workspace's run (REST and MLflow)", async () => {
    const a = await makeFixture(A);
    const b = await makeFixture(B);
    const rest = (runId: string) => http(tokens.editor, 'POST', `/api/v1/models/${a.model}/versions`, { json: { runId, path: 'model.txt' } });
    expect((await rest(b.runId)).status).toBe(404);
    expect((await rest(a.runId)).status).toBe(201);
    const viaMlflow = (source: string) => http(tokens.editor, 'POST', '/api/2.0/mlflow/model-versions/create', { json: { name: a.model, source } });
    expect((await viaMlflow(`runs:/${b.runId}/model.txt`)).status).toBe(404);
    expect((await viaMlflow(`mlflow-artifacts:/${b.experimentId}/${b.runId}/artifacts/model.txt`)).status).toBe(404);
    expect((await viaMlflow(`runs:/${a.runId}/model.txt`)).status).toBe(200);
  });
});

describe('token lifetime', () => {
  it('refuses an expired token with 401, records when a token was last used, and never lists secrets', async () => {
    const a = await makeFixture(A);
    const short = (await http(tokens.viewer, 'POST', '/api/v1/auth/tokens', { json: { name: 'short', expiresInMs: 300 } })).json;
    expect((await http(short.secret, 'GET', `/api/v1/runs/${a.runId}`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const expired = await http(short.secret, 'GET', `/api/v1/runs/${a.runId}`);
    expect(expired.status).toBe(401);
    expect(expired.json.error).toMatchObject({ code: 'UNAUTHENTICATED', path: 'headers.authorization' });
    const listed = (await http(tokens.viewer, 'GET', '/api/v1/auth/tokens')).json.tokens;
    expect(listed.find((t: { name: string }) => t.name === 'short')).toMatchObject({ lastUsedAt: expect.any(Number), expiresAt: expect.any(Number) });
    expect(JSON.stringify(listed)).not.toContain(short.secret.slice(3));
    expect((await http(tokens.viewer, 'GET', '/api/v1/auth/tokens?all=true')).status).toBe(403);
  });
});

describe('the real mlflow client', () => {
  it('with a viewer token reads a run but cannot log to it', async () => {
    if (!existsSync(PYTHON)) throw new Error(`no project venv at ${PYTHON}: run npm test (or npm start) once to create it`);
    const a = await makeFixture(A);
    const script = [
      'import json, mlflow',
      'from mlflow import MlflowClient',
      'from mlflow.exceptions import MlflowException',
      'client = MlflowClient()',
      `run = client.get_run(${JSON.stringify(a.runId)})`,
      'out = {"read": run.info.run_id}',
      'try:',
      `    client.log_param(${JSON.stringify(a.runId)}, "lr", "0.1")`,
      '    out["logged"] = True',
      'except MlflowException as e:',
      '    out["error_code"] = e.error_code',
      '    out["message"] = str(e)',
      'print(json.dumps(out))',
    ].join('\n');
    const result = await new Promise<{ read: string; logged?: boolean; error_code?: string; message?: string }>((resolve, reject) => {
      const child = spawn(PYTHON, ['-c', script], {
        env: {
          ...process.env, MLFLOW_TRACKING_URI: server.url, MLFLOW_TRACKING_TOKEN: tokens.viewer, MLFLOW_DISABLE_TELEMETRY: 'true',
          DO_NOT_TRACK: 'true', GIT_PYTHON_REFRESH: 'quiet', MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0', PYTHONWARNINGS: 'ignore',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.once('exit', (code) => {
        const line = out.trim().split('\n').findLast((l) => l.startsWith('{'));
        if (code !== 0 || !line) return reject(new Error(`mlflow script exited ${code}: ${err.slice(-3000)}`));
        resolve(JSON.parse(line));
      });
    });
    expect(result.read).toBe(a.runId);
    expect(result.logged).toBeUndefined();
    expect(result.error_code).toBe('PERMISSION_DENIED');
    expect(result.message).toContain("needs 'editor'");
    const run = (await http(LOCAL, 'GET', `/api/v1/runs/${a.runId}`)).json;
    expect(run.params.map((p: { key: string }) => p.key)).not.toContain('lr');
  });
});

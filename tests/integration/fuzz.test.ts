/**
 * Fuzzes every mutating route listed in the OpenAPI document of a real backend process with malformed
 * bodies: the answers are 4xx JSON errors (never 5xx), 401 without the token, and the server stays up.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody, MlflowErrorBody, MlflowRequests, mlflowRoutes, routes, type RouteSpec } from '@runtrail/core/schema';
import { AUTH_ROUTES, authSchema } from '../../backend/index';
import { startBackend, tempDataDir, type BackendProcess } from './harness';

let backend: BackendProcess;
let data: ReturnType<typeof tempDataDir>;

const RUN = 'fuzz-run';
const EXPERIMENT = 'fuzz-exp';
const MODEL = 'fuzz-model';
const ARTIFACT = 'hello';
const ARTIFACT_SHA = '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';

/** A valid example body per operation, mutated by the fuzzer. */
const examples: Record<string, unknown> = {
  createExperiment: { id: 'e-new', name: 'n', kind: 'named' },
  createRun: { id: 'r-new', experimentId: EXPERIMENT, name: 'n', tags: [{ key: 'a', value: 'b' }] },
  appendCells: {
    executions: [{ id: 'c1', cellId: 'x', executionCount: 1, source: 'x=1', sourceHash: 'abcdef12', startedAt: 1, durationMs: 1, status: 'ok' }],
  },
  logBatch: { params: [{ key: 'lr', value: 0.1 }], metrics: [{ key: 'loss', value: 1, step: 0, timestamp: 1 }], tags: [{ key: 't', value: 'v' }] },
  finishRun: { status: 'finished', endTime: 5 },
  attachSnapshots: { snapshots: [{ id: 's1', name: 'df', kind: 'pandas', fingerprint: 'f'.repeat(32), shape: [3, 2], capturedAt: 1 }] },
  attachArtifacts: { artifacts: [{ path: 'a.txt', size: 1, sha256: 'a'.repeat(64), blob: { sha256: 'a'.repeat(64), size: 1 } }] },
  searchRuns: { filter: [{ field: 'metrics.loss', op: '<', value: 1 }], orderBy: [{ field: 'params.lr' }], pageSize: 5 },
  createModel: { name: 'm-new', description: 'd', tags: [{ key: 'a', value: 'b' }] },
  updateModel: { description: 'd', setTags: [{ key: 'a', value: 'b' }], deleteTags: ['c'] },
  createModelVersion: { runId: RUN, path: 'model', description: 'd', tags: [{ key: 'a', value: 'b' }] },
  updateModelVersion: { description: 'd', setTags: [{ key: 'a', value: 'b' }], deleteTags: ['c'] },
  transitionModelVersionStage: { stage: 'Staging', archiveExisting: false },
  setModelAlias: { version: 1 },
};

/** The auth routes that take a JSON body: their schema and a valid example body, mutated by the fuzzer. */
const authBodies: Record<string, { schema: { safeParse(v: unknown): { success: boolean } }; example: unknown }> = {
  createToken: { schema: authSchema.CreateTokenRequest, example: { name: 'ci', expiresInMs: 86_400_000 } },
  createUser: { schema: authSchema.CreateUserRequest, example: { name: 'fuzz-user' } },
  createWorkspace: { schema: authSchema.CreateWorkspaceRequest, example: { id: 'fuzz-ws', name: 'Fuzz' } },
  setMember: { schema: authSchema.SetMemberRequest, example: { role: 'editor' } },
};

/** Valid MLflow request bodies, mutated by the fuzzer (MLflow routes answer in MLflow's error shape). */
const mlflowExamples: Record<string, unknown> = {
  createExperiment: { name: 'fz', tags: [{ key: 'a', value: 'b' }] },
  searchExperiments: { max_results: 5, filter: "name LIKE 'f%'", order_by: ['name ASC'] },
  updateExperiment: { experiment_id: EXPERIMENT, new_name: 'fuzz-renamed' },
  deleteExperiment: { experiment_id: 'nope' },
  restoreExperiment: { experiment_id: EXPERIMENT },
  setExperimentTag: { experiment_id: EXPERIMENT, key: 'k', value: 'v' },
  createRun: { experiment_id: EXPERIMENT, run_name: 'r', start_time: 1, tags: [{ key: 'a', value: 'b' }] },
  updateRun: { run_id: RUN, status: 'RUNNING', run_name: 'x' },
  deleteRun: { run_id: 'nope' },
  restoreRun: { run_id: RUN },
  searchRuns: { experiment_ids: [EXPERIMENT], filter: 'metrics.loss < 1', order_by: ['params.lr DESC'], max_results: 5 },
  logBatch: { run_id: RUN, metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }], params: [{ key: 'p', value: '1' }], tags: [{ key: 't', value: 'v' }] },
  logMetric: { run_id: RUN, key: 'm2', value: 1.5, timestamp: 1, step: 3 },
  logParam: { run_id: RUN, key: 'p2', value: 'x' },
  setTag: { run_id: RUN, key: 't2', value: 'v' },
  deleteTag: { run_id: RUN, key: 'nope' },
  logInputs: { run_id: RUN, datasets: [{ tags: [], dataset: { name: 'd', digest: 'abcdef12', source_type: 'code', source: '{}' } }] },
  createRegisteredModel: { name: 'fz-model', tags: [{ key: 'a', value: 'b' }], description: 'd' },
  updateRegisteredModel: { name: MODEL, description: 'd' },
  deleteRegisteredModel: { name: 'nope' },
  setRegisteredModelTag: { name: MODEL, key: 'k', value: 'v' },
  deleteRegisteredModelTag: { name: MODEL, key: 'k' },
  getLatestVersions: { name: MODEL, stages: ['None'] },
  setRegisteredModelAlias: { name: MODEL, alias: 'champion', version: '1' },
  deleteRegisteredModelAlias: { name: MODEL, alias: 'nope' },
  createModelVersion: { name: MODEL, source: `runs:/${RUN}/model`, run_id: RUN, tags: [] },
  updateModelVersion: { name: MODEL, version: '1', description: 'd' },
  deleteModelVersion: { name: MODEL, version: '99' },
  transitionModelVersionStage: { name: MODEL, version: '1', stage: 'Staging', archive_existing_versions: false },
  setModelVersionTag: { name: MODEL, version: '1', key: 'k', value: 'v' },
  deleteModelVersionTag: { name: MODEL, version: '1', key: 'k' },
  searchLoggedModels: { experiment_ids: [EXPERIMENT], filter: "name = 'model'" },
  createLoggedModel: { experiment_id: EXPERIMENT, name: 'fz-model', source_run_id: RUN, params: [{ key: 'p', value: 'v' }], tags: [] },
  logOutputs: { run_id: RUN, models: [{ model_id: 'm-nope', step: 0 }] },
};

const garbage = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double(),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: -1e12, max: 1e12 }),
  fc.constant('x'.repeat(7000)),
  fc.array(fc.jsonValue(), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue(), { maxKeys: 4 }),
);

/** Replaces one randomly chosen leaf (or node) of a JSON value with garbage. */
function mutate(value: unknown, path: number[], replacement: unknown): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object') return replacement;
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  if (entries.length === 0) return replacement;
  const [key, child] = entries[path[0]! % entries.length]!;
  const copy = (Array.isArray(value) ? [...value] : { ...value }) as Record<string | number, unknown>;
  copy[key] = mutate(child, path.slice(1), replacement);
  return copy;
}

const rawBodies = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constant('{"params": ['),
  fc.constant('{'.repeat(5000)),
  fc.constant('[' + '['.repeat(10_000) + ']'.repeat(10_001)),
  fc.constant('\u0000\u0001'),
  fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
);

function fill(path: string, valid: boolean): string {
  return path
    .replace(':runId', valid ? RUN : 'no-such-run')
    .replace(':experimentId', valid ? EXPERIMENT : 'nope')
    .replace(':sha256', 'b'.repeat(64))
    .replace(':modelName', valid ? MODEL : 'no-such-model')
    .replace(':version', valid ? '1' : '99')
    .replace(':alias', 'champion')
    .replace(':workspaceId', valid ? 'default' : 'no-such-workspace')
    .replace(':user', valid ? 'fuzz-user' : 'no-such-user');
}

async function send(method: string, path: string, body: string | Uint8Array, token: string | null) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(backend.url + path, { method: method.toUpperCase(), headers, body });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', text };
}

function expectJsonError(res: { status: number; type: string; text: string }, where: string, body: { safeParse(v: unknown): { success: boolean } } = ErrorBody) {
  expect(res.status, `${where}: ${res.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(res.status, where).toBeLessThan(500);
  expect(res.type, where).toContain('application/json');
  expect(body.safeParse(JSON.parse(res.text)).success, where).toBe(true);
}

beforeAll(async () => {
  data = tempDataDir();
  backend = await startBackend(data.dir);
  const headers = { authorization: `Bearer ${backend.token}`, 'content-type': 'application/json' };
  await fetch(`${backend.url}/api/v1/experiments`, { method: 'POST', headers, body: JSON.stringify({ id: EXPERIMENT, name: 'fuzz' }) });
  await fetch(`${backend.url}/api/v1/runs`, { method: 'POST', headers, body: JSON.stringify({ id: RUN, experimentId: EXPERIMENT }) });
  // A model with one version (from an artifact of the run) for the registry routes.
  await fetch(`${backend.url}/api/v1/blobs/${ARTIFACT_SHA}`, { method: 'PUT', headers: { authorization: headers.authorization }, body: ARTIFACT });
  const artifact = { path: 'model/MLmodel', size: ARTIFACT.length, sha256: ARTIFACT_SHA, blob: { sha256: ARTIFACT_SHA, size: ARTIFACT.length } };
  await fetch(`${backend.url}/api/v1/runs/${RUN}/artifacts`, { method: 'POST', headers, body: JSON.stringify({ artifacts: [artifact] }) });
  await fetch(`${backend.url}/api/v1/models`, { method: 'POST', headers, body: JSON.stringify({ name: MODEL }) });
  const version = await fetch(`${backend.url}/api/v1/models/${MODEL}/versions`, { method: 'POST', headers, body: JSON.stringify({ runId: RUN, path: 'model' }) });
  expect(version.status).toBe(201);
});

afterAll(async () => {
  await backend?.stop();
  data?.remove();
});

describe('fuzzing the mutating routes of the OpenAPI document', () => {
  it('lists the mutating routes of the route table', async () => {
    const doc = (await (await fetch(`${backend.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, { operationId: string }>> };
    const listed = Object.values(doc.paths).flatMap((ops) =>
      Object.entries(ops).filter(([m]) => m === 'post' || m === 'put').map(([, op]) => op.operationId),
    );
    const mutating = Object.entries(routes).filter(([, s]) => s.method === 'post' || s.method === 'put').map(([n]) => n);
    const mlflow = Object.entries(mlflowRoutes).filter(([, s]) => s.method === 'post').map(([n]) => `mlflow.${n}`);
    const auth = Object.entries(AUTH_ROUTES).filter(([, s]) => s.method === 'post' || s.method === 'put').map(([n]) => `auth.${n}`);
    expect(new Set(listed)).toEqual(new Set([...mutating, ...mlflow, ...auth, 'mlflow.uploadArtifact']));
    expect(new Set(Object.keys(authBodies))).toEqual(new Set(auth.map((n) => n.slice('auth.'.length))));
  });

  for (const [name, { schema, example }] of Object.entries(authBodies)) {
    const route = AUTH_ROUTES[name as keyof typeof AUTH_ROUTES];

    it(`auth ${name}: without the token, 401 whatever the body`, async () => {
      await fc.assert(
        fc.asyncProperty(rawBodies, async (body) => {
          const res = await send(route.method, fill(route.path, true), body, null);
          expect(res.status).toBe(401);
          expectJsonError(res, name);
        }),
        { numRuns: 10 },
      );
    });

    it(`auth ${name}: malformed JSON and one broken field get 4xx JSON errors naming the body`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(rawBodies, fc.tuple(fc.array(fc.nat(5), { maxLength: 3 }), garbage).map(([path, g]) => JSON.stringify(mutate(example, path, g)))), fc.boolean(), async (body, validPath) => {
          const res = await send(route.method, fill(route.path, validPath), body, backend.token);
          let value: unknown;
          try {
            value = JSON.parse(body);
          } catch {
            expectJsonError(res, name);
            return;
          }
          if (!schema.safeParse(value).success) {
            expectJsonError(res, name);
            if (validPath) expect(JSON.parse(res.text).error.path, `${name} ${res.text}`).toMatch(/^body/);
          } else expect(res.status, `${name} ${res.text}`).toBeLessThan(500);
        }),
        { numRuns: 40 },
      );
    });
  }

  for (const [name, spec] of Object.entries(routes) as [string, RouteSpec][]) {
    if (spec.method !== 'post' && spec.method !== 'put') continue;

    it(`${name}: without the token, 401 whatever the body`, async () => {
      await fc.assert(
        fc.asyncProperty(rawBodies, async (body) => {
          const res = await send(spec.method, fill(spec.path, true), body, null);
          expect(res.status).toBe(401);
          expectJsonError(res, name);
        }),
        { numRuns: 15 },
      );
    });

    if (spec.bodyKind === 'binary') {
      it(`${name}: bytes that do not hash to the address get a 422`, async () => {
        await fc.assert(
          fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), async (bytes) => {
            const res = await send(spec.method, fill(spec.path, true), bytes, backend.token);
            expect(res.status).toBe(422);
            expectJsonError(res, name);
          }),
          { numRuns: 20 },
        );
      });
      continue;
    }

    it(`${name}: malformed JSON and wrong shapes get 4xx JSON errors`, async () => {
      await fc.assert(
        fc.asyncProperty(rawBodies, fc.boolean(), async (body, validPath) => {
          const res = await send(spec.method, fill(spec.path, validPath), body, backend.token);
          const parsed = (() => {
            try {
              return { ok: true, value: JSON.parse(body) as unknown };
            } catch {
              return { ok: false, value: undefined };
            }
          })();
          if (!parsed.ok || !spec.body!.safeParse(parsed.value).success) expectJsonError(res, name);
          else expect(res.status, name).toBeLessThan(500);
        }),
        { numRuns: 40 },
      );
    });

    it(`${name}: a valid body with one field broken gets a 4xx naming a body field`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.nat(20), { maxLength: 5 }), garbage, async (path, replacement) => {
          const body = mutate(examples[name], path, replacement);
          const res = await send(spec.method, fill(spec.path, true), JSON.stringify(body), backend.token);
          if (spec.body!.safeParse(body).success) {
            expect(res.status, `${name} ${res.text}`).toBeLessThan(500);
          } else {
            expectJsonError(res, name);
            expect(JSON.parse(res.text).error.path).toMatch(/^body/);
          }
        }),
        { numRuns: 60 },
      );
    });
  }

  for (const [name, spec] of Object.entries(mlflowRoutes)) {
    if (spec.method === 'get') continue;
    const schema = MlflowRequests[name as keyof typeof MlflowRequests];

    it(`MLflow ${name}: without the token, 401 in MLflow's shape`, async () => {
      await fc.assert(
        fc.asyncProperty(rawBodies, async (body) => {
          const res = await send(spec.method, spec.path, body, null);
          expect(res.status).toBe(401);
          expectJsonError(res, name, MlflowErrorBody);
        }),
        { numRuns: 5 },
      );
    });

    it(`MLflow ${name}: malformed JSON, wrong shapes and broken fields get 4xx MLflow errors`, async () => {
      await fc.assert(
        fc.asyncProperty(rawBodies, async (body) => {
          const res = await send(spec.method, spec.path, body, backend.token);
          let value: unknown;
          try {
            value = body === '' ? {} : JSON.parse(body);
          } catch {
            return expectJsonError(res, name, MlflowErrorBody);
          }
          if (!schema.safeParse(value).success) expectJsonError(res, name, MlflowErrorBody);
          else expect(res.status, `${name} ${res.text}`).toBeLessThan(500);
        }),
        { numRuns: 20 },
      );
      await fc.assert(
        fc.asyncProperty(fc.array(fc.nat(20), { maxLength: 4 }), garbage, async (path, replacement) => {
          const body = mutate(mlflowExamples[name], path, replacement);
          const res = await send(spec.method, spec.path, JSON.stringify(body), backend.token);
          if (schema.safeParse(body).success) expect(res.status, `${name} ${res.text}`).toBeLessThan(500);
          else expectJsonError(res, name, MlflowErrorBody);
        }),
        { numRuns: 30 },
      );
    });
  }

  it('MLflow artifact uploads: paths outside a run are 4xx MLflow errors, never 5xx', async () => {
    for (const path of ['x', 'a/b/c', `${EXPERIMENT}/${RUN}/artifacts`, `${EXPERIMENT}/${RUN}/artifacts/%2e%2e/x`, `nope/${RUN}/artifacts/f`]) {
      const res = await send('put', `/api/2.0/mlflow-artifacts/artifacts/${path}`, 'bytes', backend.token);
      expectJsonError(res, path, MlflowErrorBody);
    }
  });

  it('stays up and healthy after all of it', async () => {
    const res = await fetch(`${backend.url}/api/v1/health`);
    expect(res.status).toBe(200);
    expect(backend.process.exitCode).toBeNull();
    expect(backend.stderr()).not.toMatch(/error:/);
  });
});

/**
 * Fuzzes every mutating route listed in the OpenAPI document of a real backend process with malformed
 * bodies: the answers are 4xx JSON errors (never 5xx), 401 without the token, and the server stays up.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody, routes, type RouteSpec } from '@runtrail/core/schema';
import { startBackend, tempDataDir, type BackendProcess } from './harness';

let backend: BackendProcess;
let data: ReturnType<typeof tempDataDir>;

const RUN = 'fuzz-run';
const EXPERIMENT = 'fuzz-exp';

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
    .replace(':sha256', 'b'.repeat(64));
}

async function send(method: string, path: string, body: string | Uint8Array, token: string | null) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(backend.url + path, { method: method.toUpperCase(), headers, body });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', text };
}

function expectJsonError(res: { status: number; type: string; text: string }, where: string) {
  expect(res.status, `${where}: ${res.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(res.status, where).toBeLessThan(500);
  expect(res.type, where).toContain('application/json');
  expect(ErrorBody.safeParse(JSON.parse(res.text)).success, where).toBe(true);
}

beforeAll(async () => {
  data = tempDataDir();
  backend = await startBackend(data.dir);
  const headers = { authorization: `Bearer ${backend.token}`, 'content-type': 'application/json' };
  await fetch(`${backend.url}/api/v1/experiments`, { method: 'POST', headers, body: JSON.stringify({ id: EXPERIMENT, name: 'fuzz' }) });
  await fetch(`${backend.url}/api/v1/runs`, { method: 'POST', headers, body: JSON.stringify({ id: RUN, experimentId: EXPERIMENT }) });
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
    expect(new Set(listed)).toEqual(new Set(mutating));
  });

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

  it('stays up and healthy after all of it', async () => {
    const res = await fetch(`${backend.url}/api/v1/health`);
    expect(res.status).toBe(200);
    expect(backend.process.exitCode).toBeNull();
    expect(backend.stderr()).not.toMatch(/error:/);
  });
});

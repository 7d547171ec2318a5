import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { routes } from '@runtrail/core/schema';
import { createTestApp } from '../test-app';

let t: ReturnType<typeof createTestApp>;
beforeEach(async () => {
  t = createTestApp();
  await t.call('POST', '/api/v1/experiments', { id: 'exp-1', name: 'e' });
  await t.call('POST', '/api/v1/runs', { id: 'run-1', experimentId: 'exp-1' });
});
afterEach(async () => {
  expect(t.errors).toEqual([]);
  await t.close();
});

const metric = (i: number) => ({ key: 'loss', value: i, step: i, timestamp: 1 });

describe('bad input gets a 4xx that names the field and the rule', () => {
  it.each([
    ['malformed JSON', '{"params": [', 400, 'MALFORMED_JSON', 'body'],
    ['a JSON array instead of an object', '[]', 400, 'INVALID_PARAMETER_VALUE', 'body'],
    ['a wrong type', { metrics: [{ key: 'loss', value: 'high', step: 0, timestamp: 1 }] }, 400, 'INVALID_PARAMETER_VALUE', 'body.metrics.0.value'],
    ['an unknown field', { params: [], colour: 'red' }, 400, 'INVALID_PARAMETER_VALUE', 'body'],
    ['1001 metrics', { metrics: Array.from({ length: 1001 }, (_, i) => metric(i)) }, 400, 'INVALID_PARAMETER_VALUE', 'body.metrics'],
    ['101 params', { params: Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: i })) }, 400, 'INVALID_PARAMETER_VALUE', 'body.params'],
    ['101 tags', { tags: Array.from({ length: 101 }, (_, i) => ({ key: `t${i}`, value: 'v' })) }, 400, 'INVALID_PARAMETER_VALUE', 'body.tags'],
    ['a 251-character key', { params: [{ key: 'k'.repeat(251), value: 1 }] }, 400, 'INVALID_PARAMETER_VALUE', 'body.params.0.key'],
    ['a 6001-character param value', { params: [{ key: 'k', value: 'v'.repeat(6001) }] }, 400, 'INVALID_PARAMETER_VALUE', 'body.params.0.value'],
    ['a negative step', { metrics: [{ ...metric(0), step: -1 }] }, 400, 'INVALID_PARAMETER_VALUE', 'body.metrics.0.step'],
  ])('log-batch with %s', async (_name, body, status, code, path) => {
    const res = await t.call('POST', '/api/v1/runs/run-1/log-batch', body);
    expect(res.status).toBe(status);
    expect(res.json.error).toMatchObject({ code, path });
    expect(res.json.error.message.length).toBeGreaterThan(5);
  });

  it('refuses a body over 1 MB with 413', async () => {
    const big = JSON.stringify({ params: [{ key: 'k', value: 'x'.repeat(1024 * 1024) }] });
    const res = await t.call('POST', '/api/v1/runs/run-1/log-batch', big);
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe('BODY_TOO_LARGE');
  });

  it('refuses a non-JSON content type with 415', async () => {
    const res = await t.call('POST', '/api/v1/runs/run-1/log-batch', 'params=1', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
  });

  it('answers 404 naming the unknown id', async () => {
    const run = await t.call('POST', '/api/v1/runs/nope/log-batch', { metrics: [metric(0)] });
    expect(run.status).toBe(404);
    expect(run.json.error).toMatchObject({ code: 'NOT_FOUND', path: 'params.runId' });
    const exp = await t.call('POST', '/api/v1/runs', { id: 'r2', experimentId: 'missing' });
    expect(exp.json.error).toMatchObject({ code: 'NOT_FOUND', path: 'body.experimentId' });
    const route = await t.call('GET', '/api/v1/nothing-here');
    expect(route.status).toBe(404);
    expect(route.json.error.code).toBe('ROUTE_NOT_FOUND');
  });

  it('rejects a bad id in the path', async () => {
    const res = await t.call('GET', '/api/v1/runs/..%2Fetc');
    expect(res.status).toBe(400);
    expect(res.json.error.path).toBe('params.runId');
  });
});

describe('auth', () => {
  it('requires the bearer token on every route but health and openapi', async () => {
    for (const [name, spec] of Object.entries(routes)) {
      const path = spec.path.replace(':runId', 'run-1').replace(':experimentId', 'exp-1').replace(':sha256', 'a'.repeat(64));
      const res = await t.app.request(path, { method: spec.method.toUpperCase() });
      expect(res.status, name).toBe(spec.auth ? 401 : 200);
      const wrong = await t.app.request(path, { method: spec.method.toUpperCase(), headers: { authorization: 'Bearer wrong' } });
      expect(wrong.status, name).toBe(spec.auth ? 401 : 200);
    }
    expect((await t.app.request('/api/v1/openapi.json')).status).toBe(200);
  });
});

describe('OpenAPI document', () => {
  it('lists every route the app serves, with its method', async () => {
    const doc = (await t.call('GET', '/api/v1/openapi.json')).json;
    const served = t.app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}')}`);
    const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
    expect(new Set(served)).toEqual(new Set(documented));
    expect(doc.paths['/api/v1/runs/{runId}/log-batch'].post.requestBody.content['application/json'].schema.properties.metrics.maxItems).toBe(1000);
  });
});

describe('CORS', () => {
  it('answers preflight requests from notebook frontends without the token, and marks responses', async () => {
    const preflight = await t.app.request('/api/v1/runs/search', {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:8888', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    const res = await t.call('GET', '/api/v1/experiments', undefined, { origin: 'http://127.0.0.1:8888' });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });
});

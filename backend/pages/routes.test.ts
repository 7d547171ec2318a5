/** The shareable pages in-process: HTML shell, its CSP and nonce, the script, bad addresses, the OpenAPI listing. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../test-app';
import { PAGES_SCRIPT_FILE } from './assets';
import { mountPages, parseCompareRuns } from './routes';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let t: ReturnType<typeof createTestApp>;

beforeAll(() => {
  // The page script is a build output; build just that bundle when a fresh clone has not built yet.
  if (!existsSync(join(ROOT, 'backend', 'dist', 'pages', PAGES_SCRIPT_FILE))) {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), 'pages'], { cwd: ROOT, stdio: 'inherit' });
  }
  t = createTestApp();
});
afterAll(() => t.close());

const nonceOf = (csp: string) => /script-src 'nonce-([0-9a-f]{32})'/.exec(csp)?.[1];

describe('GET /r/:runId', () => {
  it('serves the HTML shell without the token: the run id and the nonce-tagged script, no run data', async () => {
    const res = await t.app.request('/r/run-42');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    const nonce = nonceOf(res.headers.get('content-security-policy') ?? '');
    expect(nonce).toBeDefined();
    expect(html).toContain(`<script nonce="${nonce}" src="../_pages/runtrail-pages.js"></script>`);
    expect(html).toContain('data-view="run"');
    expect(html).toContain('data-run-ids="[&#34;run-42&#34;]"');
    expect(html).toContain('data-base=".."');
    // Every <script> and <style> carries the nonce: nothing inline runs without it.
    for (const tag of html.match(/<(script|style)\b[^>]*>/g) ?? []) expect(tag).toContain(`nonce="${nonce}"`);
  });

  it('sends a strict CSP, no referrer, no caching, and a fresh nonce per response', async () => {
    const [a, b] = await Promise.all([t.app.request('/r/run-1'), t.app.request('/r/run-1')]);
    const csp = a.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(a.headers.get('referrer-policy')).toBe('no-referrer');
    expect(a.headers.get('cache-control')).toBe('no-store');
    expect(a.headers.get('x-content-type-options')).toBe('nosniff');
    expect(nonceOf(csp)).not.toBe(nonceOf(b.headers.get('content-security-policy')!));
  });

  it('answers 404 with a readable page for what is not a run id, and for a bad path', async () => {
    const bad = await t.app.request('/r/not%20a%20run%3Cscript%3E');
    expect(bad.status).toBe(404);
    expect(bad.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await bad.text();
    expect(html).toContain('is not a run id');
    expect(html).not.toContain('<script>');
    expect((await t.app.request('/r/')).status).toBe(404);
    expect((await t.app.request('/r/run-1/extra')).status).toBe(404);
    expect((await t.app.request('/runs/run-1')).status).toBe(404);
  });
});

describe('GET /compare', () => {
  it('serves the shell for 2..N runs', async () => {
    const res = await t.app.request('/compare?runs=run-a,run-b,run-c');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('data-view="compare"');
    expect(html).toContain('data-run-ids="[&#34;run-a&#34;,&#34;run-b&#34;,&#34;run-c&#34;]"');
    expect(html).toContain('src="./_pages/runtrail-pages.js"');
  });

  it('answers 400 naming the `runs` parameter when the list is missing, short, repeated or malformed', async () => {
    for (const [query, message] of [
      ['', 'query parameter &#34;runs&#34; is missing'],
      ['?runs=run-a', 'at least 2 run ids'],
      ['?runs=run-a,run-a', 'lists run-a twice'],
      ['?runs=run-a,bad%20id', 'runs[1] &#34;bad id&#34; is not a run id'],
    ] as const) {
      const res = await t.app.request(`/compare${query}`);
      expect(res.status, query).toBe(400);
      expect(await res.text(), query).toContain(message);
    }
    expect(parseCompareRuns(Array.from({ length: 21 }, (_, i) => `r${i}`).join(','))).toEqual({ ok: false, error: 'runs allows at most 20 run ids, got 21' });
  });
});

describe('the pages script', () => {
  it('is served as JavaScript from the build output, without the token', async () => {
    const res = await t.app.request('/_pages/runtrail-pages.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await res.text()).length).toBeGreaterThan(10_000);
  });

  it('is a clear 404 (not a 5xx) when the bundle was never built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'runtrail-pages-'));
    try {
      const app = new Hono();
      mountPages(app, { pagesDirs: [empty] });
      const res = await app.request('/_pages/runtrail-pages.js');
      expect(res.status).toBe(404);
      expect(await res.text()).toContain('npm run build');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('OpenAPI', () => {
  it('lists the pages, without the bearer requirement', async () => {
    const doc = (await t.call('GET', '/api/v1/openapi.json')).json;
    expect(doc.paths['/r/{runId}'].get.security).toEqual([]);
    expect(doc.paths['/compare'].get.parameters[0].name).toBe('runs');
    expect(doc.paths['/_pages/runtrail-pages.js'].get.operationId).toBe('pages.script');
  });
});

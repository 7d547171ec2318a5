/**
 * The shareable pages: `GET /r/:runId` (one run) and `GET /compare?runs=a,b[,c...]` (2..N runs), plus the
 * script they load. The pages are served without the token on purpose: they contain no run data, only the
 * ids already in the address; the script asks for the token and reads the runs through `/api/v1` with it
 * (docs/decisions, "shareable pages").
 */
import type { Hono } from 'hono';
import { EntityId } from '@runtrail/core/schema';
import { defaultPagesDirs, pagesScriptLoader } from './assets';
import { PAGES_SCRIPT_PATH, createPageNonce, pageHeaders, pageHtml, problemHtml } from './shell';

/** Most runs one compare page shows. */
export const MAX_COMPARE_RUNS = 20;

/** Options of the pages. */
export interface PagesOptions {
  /** Folders searched for the pages bundle (default: beside the CLI bundle, then backend/dist/pages). */
  pagesDirs?: readonly string[];
}

/** The run ids of a compare address, or what is wrong with it (naming the `runs` query parameter). */
export function parseCompareRuns(value: string | undefined): { ok: true; runIds: string[] } | { ok: false; error: string } {
  if (value === undefined || value.trim() === '') {
    return { ok: false, error: 'query parameter "runs" is missing: use /compare?runs=RUN_A,RUN_B[,...]' };
  }
  const runIds = value.split(',').map((id) => id.trim());
  const bad = runIds.findIndex((id) => !EntityId.safeParse(id).success);
  if (bad >= 0) {
    return { ok: false, error: `runs[${bad}] ${JSON.stringify(runIds[bad]!.slice(0, 80))} is not a run id (1-64 letters, digits, "_" or "-")` };
  }
  const duplicate = runIds.find((id, i) => runIds.indexOf(id) !== i);
  if (duplicate) return { ok: false, error: `runs lists ${duplicate} twice` };
  if (runIds.length < 2) return { ok: false, error: `runs needs at least 2 run ids, got ${runIds.length}` };
  if (runIds.length > MAX_COMPARE_RUNS) return { ok: false, error: `runs allows at most ${MAX_COMPARE_RUNS} run ids, got ${runIds.length}` };
  return { ok: true, runIds };
}

/** Adds the page routes to `app`. */
export function mountPages(app: Hono, options: PagesOptions = {}): void {
  const loadScript = pagesScriptLoader(options.pagesDirs ?? defaultPagesDirs());

  app.get('/r/:runId', (c) => {
    const runId = c.req.param('runId');
    const nonce = createPageNonce();
    if (!EntityId.safeParse(runId).success) {
      const detail = `"${runId.slice(0, 80)}" is not a run id (1-64 letters, digits, "_" or "-").`;
      return c.body(problemHtml(nonce, 'Not a run address', detail), 404, pageHeaders(nonce));
    }
    const html = pageHtml({ view: 'run', runIds: [runId], base: '..', nonce, title: `Run ${runId} · runtrail` });
    return c.body(html, 200, pageHeaders(nonce));
  });

  app.get('/compare', (c) => {
    const nonce = createPageNonce();
    const parsed = parseCompareRuns(c.req.query('runs'));
    if (!parsed.ok) return c.body(problemHtml(nonce, 'Cannot compare these runs', parsed.error), 400, pageHeaders(nonce));
    const title = `Compare ${parsed.runIds.join(' ↔ ')} · runtrail`;
    return c.body(pageHtml({ view: 'compare', runIds: parsed.runIds, base: '.', nonce, title }), 200, pageHeaders(nonce));
  });

  app.get(PAGES_SCRIPT_PATH, async (c) => {
    const script = await loadScript();
    if (script === null) {
      return c.text('the pages bundle is not built: run `npm run build` (bundle "pages")', 404, {
        'content-type': 'text/plain; charset=utf-8',
      });
    }
    return c.body(script, 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    });
  });
}

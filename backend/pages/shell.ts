/**
 * The HTML shell of the shareable pages (`/r/:runId`, `/compare`). It holds no run data: the bundled script
 * asks for the token, fetches the run(s) through the REST API and renders packages/ui's components. The only
 * script that runs is the bundle, loaded with a fresh per-response nonce; the only inline style carries it too.
 */

/** Which page a shell is for and what its script needs to know. */
export interface PageShell {
  view: 'run' | 'compare';
  runIds: string[];
  /** The API's base URL relative to the page (`..` from `/r/:id`, `.` from `/compare`). */
  base: string;
  /** A fresh random value per response. */
  nonce: string;
  title: string;
}

/** URL path of the pages bundle, below the server root. */
export const PAGES_SCRIPT_PATH = '/_pages/runtrail-pages.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The Content-Security-Policy of a page: scripts only with the nonce, styles from the server or with the
 * nonce, requests only to this server, no framing, no form posts, no <base> rewriting.
 */
export function pageContentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Response headers of every page: the CSP, no sniffing, no referrer (run ids stay here), no caching. */
export function pageHeaders(nonce: string): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': pageContentSecurityPolicy(nonce),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
}

/** A nonce: 128 random bits, hex. */
export function createPageNonce(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

// Before the script runs (or when it cannot), the page is readable in both color schemes.
const BASE_STYLE = `
  :root { color-scheme: light dark; }
  body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  noscript p, #rt-page-loading { margin: 24px; }`;

/** The full page. */
export function pageHtml(shell: PageShell): string {
  const { view, runIds, base, nonce, title } = shell;
  const script = `${base.replace(/\/$/, '')}${PAGES_SCRIPT_PATH}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style nonce="${nonce}">${BASE_STYLE}</style>
</head>
<body data-view="${view}" data-run-ids="${escapeHtml(JSON.stringify(runIds))}" data-base="${escapeHtml(base)}">
<p id="rt-page-loading" role="status">Loading…</p>
<noscript><p>This runtrail page needs JavaScript.</p></noscript>
<script nonce="${nonce}" src="${escapeHtml(script)}"></script>
</body>
</html>`;
}

/** A page that only explains what was wrong with the address (bad run id, bad compare list). */
export function problemHtml(nonce: string, heading: string, detail: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(heading)} · runtrail</title>
<style nonce="${nonce}">${BASE_STYLE} main { margin: 24px; }</style>
</head>
<body>
<main>
<h1>${escapeHtml(heading)}</h1>
<p role="alert">${escapeHtml(detail)}</p>
</main>
</body>
</html>`;
}

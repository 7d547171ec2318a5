/** Shareable links of the server: the browser page of a run (used by both extensions). */

/**
 * The URL of a run's page on the server, `<server>/r/<run-id>`. A server behind a path prefix keeps it
 * (`https://host/team/` → `https://host/team/r/<id>`); the id is percent-encoded. Throws on a URL that is not
 * http(s), naming it, since the command would otherwise open something else than a page of the server.
 */
export function runPageUrl(serverUrl: string, runId: string): string {
  let base: URL;
  try {
    base = new URL(serverUrl);
  } catch {
    throw new Error(`the server URL is not a URL: "${serverUrl}"`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error(`the server URL must be http:// or https://, not "${serverUrl}"`);
  if (runId.trim() === '') throw new Error('a run id is needed to open its page');
  base.search = '';
  base.hash = '';
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  return new URL(`r/${encodeURIComponent(runId)}`, base).toString();
}

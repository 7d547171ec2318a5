/**
 * The HTML of the run and compare webviews. Scripts run only with the page's nonce (CSP), styles only from
 * the extension or with the nonce; colours come from the `--vscode-*` variables VS Code sets in every
 * webview, which packages/ui's components read.
 */
import type { PanelSubject } from './subject';

/** What the page needs from the host. */
export interface WebviewPage {
  /** `webview.cspSource`: the origin extension resources are served from. */
  cspSource: string;
  /** A fresh random value per page. */
  nonce: string;
  /** URI of the bundled webview script (dist/webview.js), as the webview sees it. */
  scriptUri: string;
  subject: PanelSubject;
  title: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The Content-Security-Policy of a page: nothing loads or runs unless it is ours. */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

/** A nonce: 32 characters from a CSPRNG (the caller passes `crypto.getRandomValues`). */
export function createNonce(random: (bytes: Uint8Array) => Uint8Array): string {
  return [...random(new Uint8Array(24))].map((b) => b.toString(16).padStart(2, '0')).join('').slice(0, 32);
}

/** The full page. */
export function webviewHtml(page: WebviewPage): string {
  const { cspSource, nonce, scriptUri, subject, title } = page;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style nonce="${nonce}">
  body { padding: 0; color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
  #error { margin: 8px 12px; padding: 6px 8px; border: 1px solid var(--vscode-inputValidation-errorBorder);
    background: var(--vscode-inputValidation-errorBackground); color: var(--vscode-errorForeground); white-space: pre-wrap; }
</style>
</head>
<body data-view="${subject.view}" data-run-ids="${escapeHtml(JSON.stringify(subject.runIds))}">
<div id="error" role="alert" hidden></div>
<script nonce="${nonce}" src="${escapeHtml(scriptUri)}"></script>
</body>
</html>`;
}

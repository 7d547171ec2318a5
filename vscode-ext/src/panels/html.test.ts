import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, createNonce, webviewHtml } from './html';
import { compareSubject } from './subject';

const page = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  nonce: 'abc123',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
  subject: compareSubject(['a', 'b']),
  title: 'Compare <a> & "b"',
};

describe('webviewHtml', () => {
  it('allows scripts only with the nonce and nothing by default', () => {
    const csp = contentSecurityPolicy(page.cspSource, page.nonce);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'nonce-abc123'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
  });

  it('loads the bundle with the nonce and carries the subject for restore', () => {
    const html = webviewHtml(page);
    expect(html).toContain(`<script nonce="abc123" src="${page.scriptUri}"></script>`);
    expect(html).toContain('data-view="compare"');
    expect(html).toContain('data-run-ids="[&#34;a&#34;,&#34;b&#34;]"');
    expect(html).not.toContain('<a>');
    expect(html).toContain('Compare &#60;a&#62; &#38; &#34;b&#34;');
    expect(html.match(/<script/g)).toHaveLength(1);
  });

  it('makes nonces of 32 hex characters from the random source', () => {
    const nonce = createNonce((bytes) => bytes.fill(171));
    expect(nonce).toBe('ab'.repeat(16));
    expect(createNonce((b) => crypto.getRandomValues(b))).toMatch(/^[0-9a-f]{32}$/);
  });
});

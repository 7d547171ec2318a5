// STYLE.md item 2: the vscode API is imported only in src/platform/ and in extension.ts (which registers the
// contributions), so everything else runs and tests without VS Code.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('.', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('module boundaries', () => {
  it('imports vscode only in platform/ and extension.ts', () => {
    const offenders = sources(SRC)
      .map((file) => relative(SRC, file))
      .filter((file) => !file.startsWith('platform/') && file !== 'extension.ts')
      .filter((file) => /from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)|import\(\s*['"]vscode['"]\s*\)/.test(readFileSync(join(SRC, file), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('keeps Node built-ins out of the webview script', () => {
    const webview = sources(join(SRC, 'webview')).filter((f) => /from\s+['"](node:|fs|path)/.test(readFileSync(f, 'utf8')));
    expect(webview).toEqual([]);
  });
});

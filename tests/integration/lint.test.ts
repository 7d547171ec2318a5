// Guards the two architecture checks of `npm run lint`: core stays platform-free (eslint) and the TypeScript
// sources have no import cycle (madge). Each test proves its check fails on a deliberate violation.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const madgeCli = join(root, 'node_modules', 'madge', 'bin', 'cli.js');

/** Runs madge with the flags of the lint script in package.json. */
function madgeCircular(dir: string) {
  return spawnSync(
    process.execPath,
    [madgeCli, '--circular', '--no-spinner', '--no-color', '--extensions', 'ts', '--ts-config', 'tsconfig.base.json', dir],
    { cwd: root, encoding: 'utf8' },
  );
}

describe('lint: core is platform-free', () => {
  it('reports a node:fs import in a file under core/', async () => {
    const probe = join(root, 'core', '__lint_probe__.ts');
    writeFileSync(probe, "import { readFileSync } from 'node:fs';\n\nexport const read = readFileSync;\n");
    try {
      const [result] = await new ESLint({ cwd: root }).lintFiles([probe]);
      const restricted = result!.messages.filter((m) => m.ruleId === 'no-restricted-imports');
      expect(restricted).toHaveLength(1);
      expect(restricted[0]!.line).toBe(1);
      expect(restricted[0]!.message).toMatch(/'node:fs'.*core is platform-free/);
    } finally {
      rmSync(probe, { force: true });
    }
  });

  it('forbids platform and server modules in core/ but not in backend/', async () => {
    const source = [
      "import { join } from 'path';",
      "import type { ExtensionContext } from 'vscode';",
      "import type { JupyterFrontEnd } from '@jupyterlab/application';",
      "import Database from 'better-sqlite3';",
      "import { Hono } from 'hono';",
      "import { z } from 'zod';",
      'export type T = [ExtensionContext, JupyterFrontEnd];',
      'export { join, Database, Hono, z };',
      '',
    ].join('\n');
    const eslint = new ESLint({ cwd: root });
    // lintText with a path applies that path's config without creating the file.
    const [inCore] = await eslint.lintText(source, { filePath: join(root, 'core', 'virtual.ts') });
    const [inBackend] = await eslint.lintText(source, { filePath: join(root, 'backend', 'virtual.ts') });
    const restrictedLines = (r: ESLint.LintResult) =>
      r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.line);
    expect(restrictedLines(inCore!)).toEqual([1, 2, 3, 4, 5]);
    expect(restrictedLines(inBackend!)).toEqual([]);
  });
});

describe('lint: no import cycles', () => {
  it('madge exits non-zero and names the cycle when two files import each other', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runtrail-madge-'));
    try {
      writeFileSync(join(dir, 'alpha.ts'), "import { beta } from './beta';\nexport const alpha = () => beta();\n");
      writeFileSync(join(dir, 'beta.ts'), "import { alpha } from './alpha';\nexport const beta = () => alpha();\n");
      const cyclic = madgeCircular(dir);
      expect(cyclic.status, cyclic.stderr).toBe(1);
      expect(cyclic.stdout).toMatch(/alpha\.ts > beta\.ts/);

      writeFileSync(join(dir, 'beta.ts'), 'export const beta = () => 1;\n');
      const acyclic = madgeCircular(dir);
      expect(acyclic.status, acyclic.stdout + acyclic.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

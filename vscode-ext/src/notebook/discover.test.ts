import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverJupyterToken, jupyterRuntimeDirs, sameServer } from './discover';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'runtrail-jupyter-runtime-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function serverFile(name: string, url: string, token: string, ageSeconds = 0): void {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ url, token, port: Number(new URL(url).port), root_dir: '/nb' }));
  const when = Date.now() / 1000 - ageSeconds;
  utimesSync(file, when, when);
}

describe('Jupyter token discovery', () => {
  it('finds the token of the server at the configured URL, whatever loopback name either side uses', async () => {
    serverFile('jpserver-100.json', 'http://127.0.0.1:8888/', 'tok-8888');
    serverFile('jpserver-101.json', 'http://localhost:9999/', 'tok-9999');
    writeFileSync(join(dir, 'jpserver-102-open.html'), '<html>');
    writeFileSync(join(dir, 'jpserver-103.json'), '{ not json');
    expect(await discoverJupyterToken('http://localhost:8888', [dir])).toBe('tok-8888');
    expect(await discoverJupyterToken('http://127.0.0.1:9999', [dir])).toBe('tok-9999');
    expect(await discoverJupyterToken('http://127.0.0.1:7777', [dir])).toBeUndefined();
    expect(await discoverJupyterToken('http://127.0.0.1:8888', [join(dir, 'missing')])).toBeUndefined();
  });

  it('prefers the newest file when a stale one names the same port', async () => {
    serverFile('jpserver-1.json', 'http://127.0.0.1:8888/', 'old', 3600);
    serverFile('jpserver-2.json', 'http://127.0.0.1:8888/', 'new');
    expect(await discoverJupyterToken('http://127.0.0.1:8888', [dir])).toBe('new');
  });

  it('compares protocol, port and base path', () => {
    expect(sameServer('http://127.0.0.1:8888/', 'http://localhost:8888')).toBe(true);
    expect(sameServer('http://127.0.0.1:8888/', 'https://127.0.0.1:8888')).toBe(false);
    expect(sameServer('http://h:8888/user/a/', 'http://h:8888/user/b')).toBe(false);
    expect(sameServer('http://example.org/', 'http://example.org:80')).toBe(true);
    expect(sameServer('not a url', 'http://h')).toBe(false);
  });

  it('looks in $JUPYTER_RUNTIME_DIR, else the platform default', () => {
    expect(jupyterRuntimeDirs({ JUPYTER_RUNTIME_DIR: '/r' }, 'linux', '/home/u')).toEqual(['/r']);
    expect(jupyterRuntimeDirs({}, 'linux', '/home/u')).toEqual(['/home/u/.local/share/jupyter/runtime']);
    expect(jupyterRuntimeDirs({ XDG_DATA_HOME: '/x' }, 'linux', '/home/u')).toEqual(['/x/jupyter/runtime']);
    expect(jupyterRuntimeDirs({}, 'darwin', '/Users/u')).toEqual(['/Users/u/Library/Jupyter/runtime']);
  });
});

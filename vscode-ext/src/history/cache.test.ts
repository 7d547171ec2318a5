import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileDocCache, serverCacheDir } from './cache';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runtrail-cache-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('fileDocCache', () => {
  it('saves, lists, loads and removes doc states', async () => {
    const cache = fileDocCache(join(dir, 'a'));
    expect(await cache.list()).toEqual([]);
    expect(await cache.savedAt()).toBeNull();
    expect(await cache.load('e1')).toBeNull();
    await cache.save('e1', new Uint8Array([1, 2, 3]));
    await cache.save('e1', new Uint8Array([4]));
    expect(await cache.list()).toEqual(['e1']);
    expect([...(await cache.load('e1'))!]).toEqual([4]);
    expect(await cache.savedAt()).toBeGreaterThan(0);
    expect(readdirSync(join(dir, 'a'))).toEqual(['e1.ydoc']);
    await cache.remove('e1');
    await cache.remove('e1');
    expect(await cache.list()).toEqual([]);
  });

  it('refuses ids that could leave its folder', async () => {
    const cache = fileDocCache(dir);
    for (const id of ['../x', 'a/b', '.hidden', '']) await expect(cache.save(id, new Uint8Array())).rejects.toThrow(/not a cacheable/);
  });
});

describe('serverCacheDir', () => {
  it('separates servers and ignores a trailing slash', () => {
    expect(serverCacheDir('/r', 'http://a:1')).toBe(serverCacheDir('/r', 'http://a:1/'));
    expect(serverCacheDir('/r', 'http://a:1')).not.toBe(serverCacheDir('/r', 'http://a:2'));
  });
});

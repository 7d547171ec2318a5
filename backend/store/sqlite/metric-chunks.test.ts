import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from './index';
import { packPoints, unpackPoints } from './metric-chunks';
import { sqliteAtVersion } from './test-schema';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('packed metric chunks', () => {
  it('round-trip steps, values and timestamps exactly, NaN and infinities included', () => {
    const points = [
      { step: 0, value: 0.1, timestamp: 1_700_000_000_123 },
      { step: 2 ** 53 - 1, value: Number.NaN, timestamp: 0 },
      { step: 7, value: -Infinity, timestamp: 5 },
      { step: 8, value: -0, timestamp: 9 },
    ];
    const back = unpackPoints(packPoints(points));
    expect(back).toEqual(points);
    expect(Object.is(back[3]!.value, -0)).toBe(true);
  });
});

describe('SQLite migration 5 (metric rows -> series and chunks)', () => {
  it('moves every stored point, keeps NaN as null, and later writes still keep the first point of a step', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runtrail-chunks-mig-'));
    dirs.push(dir);
    const file = join(dir, 'runtrail.db');
    const old = sqliteAtVersion(file, 4);
    const insert = old.prepare('INSERT INTO metrics (run_id, key, step, value, is_nan, timestamp) VALUES (?, ?, ?, ?, ?, ?)');
    // Rows in an order unlike the steps', as a table filled by several writes holds them.
    for (const step of [3, 0, 2, 1]) insert.run('r1', 'loss', step, step / 10, 0, 1000 + step);
    insert.run('r1', 'acc', 0, null, 1, 5);
    insert.run('r1', 'acc', 1, Infinity, 0, 6);
    insert.run('r2', 'loss', 12_000_000_000_000, 1.5, 0, 7);
    old.close();

    const store = openSqliteStore(file);
    try {
      expect(await store.metricHistory('r1', 'loss')).toEqual([0, 1, 2, 3].map((s) => ({ step: s, value: s / 10, timestamp: 1000 + s })));
      expect(await store.metricHistory('r1', 'acc')).toEqual([{ step: 0, value: null, timestamp: 5 }, { step: 1, value: Infinity, timestamp: 6 }]);
      expect(await store.metricHistory('r2', 'loss')).toEqual([{ step: 12_000_000_000_000, value: 1.5, timestamp: 7 }]);
      const inserted = await store.transact((tx) =>
        tx.insertMetrics('r1', [{ key: 'loss', step: 2, value: 99, timestamp: 1 }, { key: 'loss', step: 4, value: 0.4, timestamp: 1004 }]),
      );
      expect(inserted.map((m) => m.step)).toEqual([4]);
      expect((await store.metricHistory('r1', 'loss')).map((h) => h.value)).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
    } finally {
      await store.close();
    }
  });
});

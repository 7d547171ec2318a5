/**
 * Two backend nodes on one PostgreSQL database (two stores, two pools): their write transactions still run one
 * at a time, and each sees what the other committed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../port';
import { openPostgresStore } from './index';
import { startTestPostgres, type TestPostgres } from './test-server';

let server: TestPostgres;
let nodes: Store[] = [];
beforeAll(async () => {
  server = await startTestPostgres();
  const url = await server.createDatabase();
  nodes = [await openPostgresStore(url), await openPostgresStore(url)];
});
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  await server?.stop();
});

describe('PostgreSQL store shared by two nodes', () => {
  it('serializes write transactions across nodes', async () => {
    const [a, b] = nodes as [Store, Store];
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const aStarted = new Promise<void>((resolve) => (started = resolve));
    const first = a.transact(async (tx) => {
      events.push('a start');
      started();
      await gate;
      await tx.insertMetrics('r1', [{ key: 'loss', step: 0, value: 1, timestamp: 1 }]);
      events.push('a end');
    });
    await aStarted;
    const second = b.transact(async (tx) => {
      events.push('b start');
      // B runs after A committed, so A's point is already there and B's is ignored.
      events.push(`b inserted ${(await tx.insertMetrics('r1', [{ key: 'loss', step: 0, value: 2, timestamp: 2 }])).length}`);
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(events).toEqual(['a start']);
    release();
    await Promise.all([first, second]);
    expect(events).toEqual(['a start', 'a end', 'b start', 'b inserted 0']);
    expect(await b.metricHistory('r1', 'loss')).toEqual([{ step: 0, value: 1, timestamp: 1 }]);
  });
});

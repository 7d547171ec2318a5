import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Outbox, memoryOutboxStorage, type DeliveryResult, type OutboxItem } from './outbox';

let counter = 0;
const ids = () => `item-${counter++}`;

describe('Outbox', () => {
  it('keeps items across a reload of the storage and delivers each lane in order', async () => {
    const storage = memoryOutboxStorage<string>();
    const first = new Outbox(storage, ids);
    await first.add('run-a', 'a1');
    await first.add('run-b', 'b1');
    await first.add('run-a', 'a2');
    const reloaded = new Outbox(storage, ids);
    const seen: string[] = [];
    const report = await reloaded.flush(async (item) => {
      seen.push(item.payload);
      return { kind: 'done' };
    });
    expect(report.delivered).toBe(3);
    expect(seen.filter((s) => s.startsWith('a'))).toEqual(['a1', 'a2']);
    expect(storage.items.size).toBe(0);
  });

  it('stops a lane at an item to retry but lets other lanes through', async () => {
    const outbox = new Outbox(memoryOutboxStorage<string>(), ids);
    await outbox.add('a', 'a1');
    await outbox.add('a', 'a2');
    await outbox.add('b', 'b1');
    const seen: string[] = [];
    await outbox.flush(async (item) => {
      seen.push(item.payload);
      return item.payload === 'a1' ? { kind: 'retry', reason: 'backend down' } : { kind: 'done' };
    });
    expect(seen).toEqual(['a1', 'b1']);
    expect((await outbox.pending()).map((i) => i.payload)).toEqual(['a1', 'a2']);
    expect((await outbox.pending())[0]!.attempts).toBe(1);
  });

  it('property: with random failures and reloads, every item is delivered, each lane in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('x', 'y', 'z'), fc.nat(1000)), { minLength: 1, maxLength: 30 }),
        fc.array(fc.oneof(fc.constant<'done'>('done'), fc.constant<'retry'>('retry'), fc.constant<'throw'>('throw')), { minLength: 1, maxLength: 50 }),
        async (writes, outcomes) => {
          const storage = memoryOutboxStorage<number>();
          let outbox = new Outbox(storage, ids);
          for (const [lane, value] of writes) await outbox.add(lane, value);
          const delivered: OutboxItem<number>[] = [];
          let turn = 0;
          const deliver = async (item: OutboxItem<number>): Promise<DeliveryResult> => {
            const outcome = turn < outcomes.length ? outcomes[turn++]! : 'done';
            if (outcome === 'throw') throw new Error('network');
            if (outcome === 'retry') return { kind: 'retry', reason: 'later' };
            delivered.push(item);
            return { kind: 'done' };
          };
          for (let round = 0; round < outcomes.length + writes.length + 2 && outbox.size + (await outbox.pending()).length > 0; round++) {
            await outbox.flush(deliver);
            outbox = new Outbox(storage, ids); // a page reload between flushes
          }
          expect(await outbox.pending()).toEqual([]);
          expect(delivered).toHaveLength(writes.length);
          for (const lane of ['x', 'y', 'z']) {
            const expected = writes.filter(([l]) => l === lane).map(([, v]) => v);
            expect(delivered.filter((d) => d.lane === lane).map((d) => d.payload)).toEqual(expected);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('reports the pending count to listeners', async () => {
    const outbox = new Outbox(memoryOutboxStorage<number>(), ids);
    const counts: number[] = [];
    const stop = outbox.onChange((n) => counts.push(n));
    await outbox.add('a', 1);
    await outbox.flush(async () => ({ kind: 'drop', reason: 'rejected' }));
    stop();
    await outbox.add('a', 2);
    expect(counts).toEqual([0, 1, 0]);
  });
});

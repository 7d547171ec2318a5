import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  SyncProtocolError,
  applySyncMessage,
  decodeMessage,
  encodeError,
  encodeSynced,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeUpdate,
  isWellFormedUpdate,
} from './protocol';

function docWithText(text: string): Y.Doc {
  const doc = new Y.Doc();
  doc.getText('t').insert(0, text);
  return doc;
}

describe('sync protocol', () => {
  it('round-trips every message type', () => {
    const doc = docWithText('hello');
    const step1 = decodeMessage(encodeSyncStep1(doc));
    expect(step1).toMatchObject({ type: 'sync', step: 'step1', stateVector: Y.encodeStateVector(doc) });
    const step2 = decodeMessage(encodeSyncStep2(doc));
    expect(step2).toMatchObject({ type: 'sync', step: 'step2', update: Y.encodeStateAsUpdate(doc) });
    const update = decodeMessage(encodeUpdate(new Uint8Array([0, 0])));
    expect(update).toMatchObject({ type: 'sync', step: 'update', update: new Uint8Array([0, 0]) });
    expect(decodeMessage(encodeSynced())).toEqual({ type: 'synced' });
    const error = { code: 'bad-message', message: 'nope' } as const;
    expect(decodeMessage(encodeError(error))).toEqual({ type: 'error', error });
  });

  it('applies step 1 by answering with step 2, and step 2 by updating the doc', () => {
    const server = docWithText('server');
    const client = new Y.Doc();
    const step1 = decodeMessage(encodeSyncStep1(client));
    if (step1.type !== 'sync') throw new Error('expected sync');
    const reply = applySyncMessage(server, step1, 'origin');
    expect(reply).not.toBeNull();
    const step2 = decodeMessage(reply!);
    expect(step2).toMatchObject({ type: 'sync', step: 'step2' });
    const origins: unknown[] = [];
    client.on('update', (_u: Uint8Array, origin: unknown) => origins.push(origin));
    if (step2.type !== 'sync') throw new Error('expected sync');
    expect(applySyncMessage(client, step2, 'remote')).toBeNull();
    expect(client.getText('t').toString()).toBe('server');
    expect(origins).toEqual(['remote']);
  });

  it.each([
    ['empty', []],
    ['unknown type', [7]],
    ['awareness (not supported yet)', [1, 0]],
    ['unknown sync step', [0, 9, 0]],
    ['truncated payload', [0, 2, 5, 1, 2]],
    ['trailing bytes', [0, 2, 0, 42]],
    ['error that is not JSON', [2, 3, 0x61, 0x62, 0x63]],
    ['error that misses the schema', [2, 2, 0x7b, 0x7d]],
    ['synced with a payload', [3, 1]],
  ])('rejects %s', (_name, bytes) => {
    expect(() => decodeMessage(new Uint8Array(bytes))).toThrow(SyncProtocolError);
  });

  it('never reads past a subarray into its buffer', () => {
    const backing = new Uint8Array([0, 2, 4, 1, 2, 3, 4]);
    expect(() => decodeMessage(backing.subarray(0, 5))).toThrow(SyncProtocolError);
  });

  it('decodes any bytes into a message or a SyncProtocolError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeMessage(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(SyncProtocolError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('tells well-formed updates from garbage', () => {
    expect(isWellFormedUpdate(Y.encodeStateAsUpdate(docWithText('x')))).toBe(true);
    expect(isWellFormedUpdate(new Uint8Array([0xff, 0xff, 0xff, 0x01, 0x02]))).toBe(false);
  });
});

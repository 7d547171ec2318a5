import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { SyncClient, type SyncStatus, type WebSocketLike } from './client';
import { createRun, getRunMap, noteText, writeTags } from './doc';
import { decodeMessage, encodeError, encodeSynced, encodeSyncStep1, encodeSyncStep2, encodeUpdate } from './protocol';

// Type-level check (tsc -b core): the browser's WebSocket fits the interface the client asks for.
const browserSocket: (url: string) => WebSocketLike = (url) => new WebSocket(url);

type ClientEvent = { kind: 'open' } | { kind: 'message'; data: ArrayBuffer } | { kind: 'close'; code: number };

/** One in-memory connection: ordered queues in each direction, delivered one event at a time by the test. */
class Link {
  toClient: ClientEvent[] = [{ kind: 'open' }];
  toServer: Uint8Array[] = [];
  accepted = false;
  closed = false;
  constructor(readonly socket: MemorySocket) {}
}

class MemorySocket implements WebSocketLike {
  binaryType = 'blob';
  onopen: WebSocketLike['onopen'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;
  readonly link: Link;
  constructor(private readonly relay: Relay) {
    this.link = new Link(this);
    relay.links.push(this.link);
  }
  send(data: Uint8Array): void {
    if (!this.link.accepted || this.link.closed) throw new Error('socket is not open');
    this.link.toServer.push(data.slice());
  }
  close(code = 1000): void {
    this.relay.drop(this.link, code);
  }
}

/** A tiny sync server: one doc, the protocol's handshake, fan-out to every other link. */
class Relay {
  readonly doc = new Y.Doc();
  links: Link[] = [];
  rejectWith: number | null = null;

  constructor(seed?: Uint8Array) {
    if (seed) Y.applyUpdate(this.doc, seed);
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      for (const link of this.links) if (link !== origin) this.push(link, encodeUpdate(update));
    });
  }

  private push(link: Link, frame: Uint8Array): void {
    if (link.accepted && !link.closed) link.toClient.push({ kind: 'message', data: frame.slice().buffer });
  }

  drop(link: Link, code: number): void {
    if (link.closed) return;
    link.closed = true;
    link.toServer = [];
    link.toClient = [{ kind: 'close', code }]; // An abrupt cut loses what was in flight.
  }

  private receive(link: Link, frame: Uint8Array): void {
    const message = decodeMessage(frame);
    if (message.type !== 'sync') return;
    if (message.step === 'step1') return this.push(link, encodeSyncStep2(this.doc, message.stateVector));
    Y.applyUpdate(this.doc, message.update, link);
    if (message.step === 'step2') this.push(link, encodeSynced());
  }

  /** Every event that could happen next (the head of each non-empty queue). */
  deliverable(): (() => void)[] {
    const out: (() => void)[] = [];
    for (const link of this.links) {
      if (link.toServer.length > 0) out.push(() => this.receive(link, link.toServer.shift()!));
      if (link.toClient.length > 0) out.push(() => this.deliverToClient(link));
    }
    return out;
  }

  private deliverToClient(link: Link): void {
    const event = link.toClient.shift()!;
    const { socket } = link;
    if (event.kind === 'close') {
      this.links = this.links.filter((l) => l !== link);
      socket.onclose?.({ code: event.code, reason: '' });
    } else if (event.kind === 'open') {
      link.accepted = true;
      if (this.rejectWith !== null) {
        // What a server does when a token is revoked mid-session: say why, then close.
        this.push(link, encodeError({ code: 'unauthorized', message: 'token revoked' }));
        link.toClient.push({ kind: 'close', code: this.rejectWith });
        link.closed = true;
      } else {
        this.push(link, encodeSyncStep1(this.doc));
      }
      socket.onopen?.({});
    } else {
      socket.onmessage?.({ data: event.data });
    }
  }

  disconnectAll(client: SyncClient): void {
    for (const link of this.links) if (socketsOf.get(client)?.has(link.socket)) this.drop(link, 1006);
  }
}

const socketsOf = new WeakMap<SyncClient, Set<MemorySocket>>();

/** Manual timers: retries happen when the test says so. */
class Timers {
  pending: { fn: () => void; ms: number; cancelled: boolean }[] = [];
  delays: number[] = [];
  set = (fn: () => void, ms: number) => {
    const timer = { fn, ms, cancelled: false };
    this.pending.push(timer);
    this.delays.push(ms);
    return () => void (timer.cancelled = true);
  };
  fireAll(): void {
    const due = this.pending.filter((t) => !t.cancelled);
    this.pending = [];
    for (const t of due) t.fn();
  }
  get active(): number {
    return this.pending.filter((t) => !t.cancelled).length;
  }
}

function connectClient(relay: Relay, timers: Timers, doc = new Y.Doc()): { client: SyncClient; doc: Y.Doc } {
  const sockets = new Set<MemorySocket>();
  const client = new SyncClient({
    doc,
    url: 'memory://sync/exp',
    createSocket: () => {
      const socket = new MemorySocket(relay);
      sockets.add(socket);
      return socket;
    },
    setTimer: timers.set,
  });
  socketsOf.set(client, sockets);
  return { client, doc };
}

function settle(relay: Relay, timers: Timers): void {
  for (let round = 0; round < 1000; round++) {
    const next = relay.deliverable()[0];
    if (next) next();
    else if (timers.active > 0) timers.fireAll();
    else return;
  }
  throw new Error('did not settle');
}

function updateListeners(doc: Y.Doc): number {
  return (doc as unknown as { _observers: Map<string, Set<unknown>> })._observers.get('update')?.size ?? 0;
}

const RUN_ID = 'run1';

function seedState(): Uint8Array {
  const doc = new Y.Doc();
  createRun(doc, {
    id: RUN_ID,
    experimentId: 'exp',
    name: 'seed',
    startTime: 1,
    source: { kind: 'api' },
    parentRunId: null,
    environment: null,
  });
  return Y.encodeStateAsUpdate(doc);
}

describe('SyncClient', () => {
  it('accepts the browser WebSocket', () => {
    expect(typeof browserSocket).toBe('function');
  });

  it('goes connecting -> connected -> synced and pulls the server state', () => {
    const relay = new Relay(seedState());
    const timers = new Timers();
    const doc = new Y.Doc();
    const seen: SyncStatus[] = [];
    const { client } = connectClient(relay, timers, doc);
    client.onStatus((s) => seen.push(s));
    settle(relay, timers);
    expect(seen).toEqual(['connected', 'synced']);
    expect(getRunMap(doc, RUN_ID)).toBeDefined();
    client.dispose();
  });

  it('sends edits made offline once it reconnects', () => {
    const relay = new Relay(seedState());
    const timers = new Timers();
    const { client, doc } = connectClient(relay, timers);
    settle(relay, timers);
    relay.disconnectAll(client);
    relay.deliverable().forEach((deliver) => deliver());
    expect(client.status).toBe('offline');
    noteText(getRunMap(doc, RUN_ID)!).insert(0, 'written offline');
    settle(relay, timers);
    expect(client.status).toBe('synced');
    expect(noteText(getRunMap(relay.doc, RUN_ID)!).toString()).toBe('written offline');
    client.dispose();
  });

  it('disposes idempotently and leaves no listener behind', () => {
    const relay = new Relay(seedState());
    const timers = new Timers();
    const doc = new Y.Doc();
    const before = updateListeners(doc);
    const { client } = connectClient(relay, timers, doc);
    expect(updateListeners(doc)).toBe(before + 1);
    settle(relay, timers);
    let calls = 0;
    client.onStatus(() => calls++);
    client.dispose();
    client.dispose();
    expect(updateListeners(doc)).toBe(before);
    expect(client.status).toBe('offline');
    expect(calls).toBe(1); // The final 'offline'; nothing after.
    writeTags(getRunMap(doc, RUN_ID)!, [{ key: 'after', value: 'dispose' }]);
    settle(relay, timers);
    expect(getRunMap(relay.doc, RUN_ID)!.get('tags')).toBeInstanceOf(Y.Map);
    expect((getRunMap(relay.doc, RUN_ID)!.get('tags') as Y.Map<string>).has('after')).toBe(false);
    client.reconnect();
    expect(relay.links).toHaveLength(0);
  });

  it('cancels a pending retry on dispose', () => {
    const timers = new Timers();
    const client = new SyncClient({
      doc: new Y.Doc(),
      url: () => 'memory://down',
      createSocket: () => {
        throw new Error('network down');
      },
      setTimer: timers.set,
    });
    expect(client.status).toBe('offline');
    expect(timers.active).toBe(1);
    client.dispose();
    client.dispose();
    expect(timers.active).toBe(0);
  });

  it('backs off exponentially up to the cap', () => {
    const timers = new Timers();
    const client = new SyncClient({
      doc: new Y.Doc(),
      url: 'memory://down',
      createSocket: () => {
        throw new Error('network down');
      },
      initialDelayMs: 100,
      maxDelayMs: 1000,
      setTimer: timers.set,
    });
    for (let i = 0; i < 10; i++) timers.fireAll();
    const ceilings = [100, 200, 400, 800, 1000, 1000, 1000, 1000, 1000, 1000, 1000];
    timers.delays.forEach((delay, i) => {
      expect(delay).toBeGreaterThanOrEqual(ceilings[i]! / 2);
      expect(delay).toBeLessThanOrEqual(ceilings[i]!);
    });
    client.dispose();
  });

  it('stops retrying when the server refuses the token, until reconnect()', () => {
    const relay = new Relay();
    relay.rejectWith = 4401;
    const timers = new Timers();
    const { client } = connectClient(relay, timers);
    settle(relay, timers);
    expect(client.status).toBe('unauthorized');
    expect(timers.active).toBe(0);
    relay.rejectWith = null;
    client.reconnect();
    settle(relay, timers);
    expect(client.status).toBe('synced');
    client.dispose();
  });
});

type Op =
  | { kind: 'tag'; client: number; key: string; value: string }
  | { kind: 'note'; client: number; at: number; text: string }
  | { kind: 'unnote'; client: number; at: number; length: number }
  | { kind: 'deliver'; pick: number }
  | { kind: 'disconnect'; client: number }
  | { kind: 'timers' };

const clientIndex = fc.nat(2);
const position = fc.double({ min: 0, max: 1, noNaN: true });
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('tag'), client: clientIndex, key: fc.constantFrom('a', 'b', 'c'), value: fc.string({ maxLength: 3 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('note'), client: clientIndex, at: position, text: fc.string({ minLength: 1, maxLength: 3 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('unnote'), client: clientIndex, at: position, length: fc.integer({ min: 1, max: 3 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('deliver'), pick: fc.nat() }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant('disconnect'), client: clientIndex }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('timers') }), weight: 1 },
);

describe('SyncClient convergence (property)', () => {
  it('random concurrent edits with random disconnects converge to the same doc', () => {
    const seed = seedState();
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 3 }), fc.array(op, { maxLength: 80 }), (count, ops) => {
        const relay = new Relay(seed);
        const timers = new Timers();
        const peers = Array.from({ length: count }, () => {
          const doc = new Y.Doc();
          Y.applyUpdate(doc, seed);
          return connectClient(relay, timers, doc);
        });
        for (const o of ops) {
          if (o.kind === 'deliver') {
            const options = relay.deliverable();
            if (options.length > 0) options[o.pick % options.length]!();
          } else if (o.kind === 'timers') {
            timers.fireAll();
          } else {
            const peer = peers[o.client % count]!;
            if (o.kind === 'disconnect') {
              relay.disconnectAll(peer.client);
              continue;
            }
            const run = getRunMap(peer.doc, RUN_ID)!;
            const note = noteText(run);
            if (o.kind === 'tag') peer.doc.transact(() => writeTags(run, [{ key: o.key, value: o.value }]));
            else if (o.kind === 'note') note.insert(Math.floor(o.at * note.length), o.text);
            else {
              const at = Math.floor(o.at * note.length);
              note.delete(at, Math.min(o.length, note.length - at));
            }
          }
        }
        settle(relay, timers);
        const expected = relay.doc.getMap('runs').toJSON();
        for (const peer of peers) {
          expect(peer.client.status).toBe('synced');
          expect(peer.doc.getMap('runs').toJSON()).toEqual(expected);
          peer.client.dispose();
        }
      }),
      { numRuns: 300 },
    );
  });
});

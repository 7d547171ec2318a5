import { describe, expect, it } from 'vitest';
import { deriveConnectionState, type Observations } from './state';

const serverUrl = 'http://h:1';
const base: Observations = { serverUrl, list: null, syncs: [], cachedAt: 5 };
const state = (o: Partial<Observations>) => deriveConnectionState({ ...base, ...o });

describe('deriveConnectionState', () => {
  it('is unconfigured without a server and connecting before any answer', () => {
    expect(state({ serverUrl: null })).toEqual({ kind: 'unconfigured' });
    expect(state({ syncs: [{ status: 'connecting', failed: false }] })).toEqual({ kind: 'connecting', serverUrl });
  });

  it('puts a refused token first', () => {
    expect(state({ list: { ok: false, unauthorized: true, reason: '401' }, syncs: [{ status: 'synced', failed: false }] }).kind).toBe('unauthorized');
    expect(state({ list: { ok: true }, syncs: [{ status: 'unauthorized', failed: true }] }).kind).toBe('unauthorized');
  });

  it('is online once a socket synced, live when all did', () => {
    expect(state({ list: { ok: true }, syncs: [{ status: 'synced', failed: false }, { status: 'connecting', failed: false }] })).toEqual({
      kind: 'online',
      serverUrl,
      live: false,
    });
    expect(state({ list: { ok: true }, syncs: [{ status: 'synced', failed: false }] })).toEqual({ kind: 'online', serverUrl, live: true });
    expect(state({ list: { ok: true } })).toEqual({ kind: 'online', serverUrl, live: true });
  });

  it('is offline when the listing failed or every socket failed, even while retrying', () => {
    expect(state({ list: { ok: false, unauthorized: false, reason: 'fetch failed' } })).toEqual({ kind: 'offline', serverUrl, reason: 'fetch failed', cachedAt: 5 });
    const retrying = state({ list: { ok: true }, syncs: [{ status: 'connecting', failed: true }, { status: 'offline', failed: true }] });
    expect(retrying).toMatchObject({ kind: 'offline', reason: 'the sync connection was lost' });
  });

  it('treats a socket back after a failed listing as the server being back', () => {
    expect(state({ list: { ok: false, unauthorized: false, reason: 'x' }, syncs: [{ status: 'synced', failed: false }] }).kind).toBe('online');
  });
});

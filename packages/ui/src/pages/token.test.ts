/** Token handling of the shareable pages: the address fragment, and where the token is kept and forgotten. */
import { describe, expect, it } from 'vitest';
import { TOKEN_STORAGE_KEY, createTokenStore, takeTokenFromFragment } from './token';

/** A Storage over a Map (node has no sessionStorage; the browser test exercises the real one). */
function memoryStorage(): Storage {
  const map = new Map<string, string>();
  return {
    get length() {
      return map.size;
    },
    clear: () => map.clear(),
    getItem: (k) => map.get(k) ?? null,
    key: (i) => [...map.keys()][i] ?? null,
    removeItem: (k) => void map.delete(k),
    setItem: (k, v) => void map.set(k, String(v)),
  };
}

describe('takeTokenFromFragment', () => {
  it('takes the token out and keeps the rest of the fragment', () => {
    expect(takeTokenFromFragment('#token=abc%2B1')).toEqual({ token: 'abc+1', rest: '' });
    expect(takeTokenFromFragment('#token=abc&view=params')).toEqual({ token: 'abc', rest: '#view=params' });
    expect(takeTokenFromFragment('#section-2')).toEqual({ token: null, rest: '#section-2' });
    expect(takeTokenFromFragment('')).toEqual({ token: null, rest: '' });
    expect(takeTokenFromFragment('#token=')).toEqual({ token: null, rest: '' });
  });
});

describe('createTokenStore', () => {
  it('keeps the token for the tab only, unless asked to remember it', () => {
    const session = memoryStorage();
    const local = memoryStorage();
    const store = createTokenStore(session, local);
    store.set('t1', false);
    expect(store.get()).toBe('t1');
    expect(local.getItem(TOKEN_STORAGE_KEY)).toBeNull();
    store.set('t2', true);
    expect(local.getItem(TOKEN_STORAGE_KEY)).toBe('t2');
    // A new tab has an empty sessionStorage: the remembered token is found.
    expect(createTokenStore(memoryStorage(), local).get()).toBe('t2');
  });

  it('forgets the token everywhere on clear', () => {
    const session = memoryStorage();
    const local = memoryStorage();
    const store = createTokenStore(session, local);
    store.set('t', true);
    store.clear();
    expect(store.get()).toBeNull();
    expect(session.length + local.length).toBe(0);
  });

  it('works without storage (blocked by the browser): nothing is kept, nothing throws', () => {
    const throwing = new Proxy(memoryStorage(), {
      get() {
        throw new Error('SecurityError');
      },
    });
    const store = createTokenStore(throwing, null);
    store.set('t', true);
    expect(store.get()).toBeNull();
    store.clear();
  });
});

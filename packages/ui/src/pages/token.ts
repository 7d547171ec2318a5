/**
 * Where a shareable page keeps the API token: sessionStorage of the server's origin (gone when the tab
 * closes), and localStorage too only when the user ticks "remember". A token may arrive once in the address
 * fragment (`#token=...`, never sent to any server); the page stores it and removes it from the address bar.
 */

/** Storage key of the token (per origin, so per server). */
export const TOKEN_STORAGE_KEY = 'runtrail.token';

/** The token in a location fragment, and the fragment without it ('' when nothing else was there). */
export function takeTokenFromFragment(hash: string): { token: string | null; rest: string } {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  if (!raw) return { token: null, rest: '' };
  const params = new URLSearchParams(raw);
  const token = params.get('token');
  if (token === null) return { token: null, rest: hash };
  params.delete('token');
  const rest = params.toString();
  return { token: token.trim() || null, rest: rest ? `#${rest}` : '' };
}

/** Reads, stores and forgets the page's token. */
export interface TokenStore {
  get(): string | null;
  /** Keeps `token` for this tab; with `remember`, also for later visits from this browser. */
  set(token: string, remember: boolean): void;
  /** Forgets the token everywhere (sign out, or the server refused it). */
  clear(): void;
}

/** A store over the page's sessionStorage and localStorage; either may be missing or throw (privacy modes). */
export function createTokenStore(session: Storage | null, local: Storage | null): TokenStore {
  const attempt = <T>(action: () => T, fallback: T): T => {
    try {
      return action();
    } catch {
      return fallback;
    }
  };
  return {
    get: () => attempt(() => session?.getItem(TOKEN_STORAGE_KEY) ?? null, null) ?? attempt(() => local?.getItem(TOKEN_STORAGE_KEY) ?? null, null),
    set(token, remember) {
      attempt(() => session?.setItem(TOKEN_STORAGE_KEY, token), undefined);
      if (remember) attempt(() => local?.setItem(TOKEN_STORAGE_KEY, token), undefined);
      else attempt(() => local?.removeItem(TOKEN_STORAGE_KEY), undefined);
    },
    clear() {
      attempt(() => session?.removeItem(TOKEN_STORAGE_KEY), undefined);
      attempt(() => local?.removeItem(TOKEN_STORAGE_KEY), undefined);
    },
  };
}

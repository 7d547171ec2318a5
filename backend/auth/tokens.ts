/**
 * API token secrets: 32 random bytes (base64url) behind a recognisable `rt_` prefix. Only their sha256 is stored
 * (decision 25): the secret is as random as a key, so a fast hash cannot be brute-forced, and a lookup by hash
 * needs no per-token salt.
 */
import { createHash, randomBytes } from 'node:crypto';

/** Prefix of every API token; lets secret scanners and humans recognise one. */
export const TOKEN_PREFIX = 'rt_';

/** A new token secret: `rt_` + 43 base64url characters (256 bits). */
export function generateTokenSecret(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** The stored form of a secret: lowercase hex sha256. */
export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Whether `value` has the shape of an API token (cheap check before any database lookup). */
export function looksLikeApiToken(value: string): boolean {
  return /^rt_[A-Za-z0-9_-]{43}$/.test(value);
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** Parses a lifetime such as `30d`, `12h`, `90m` or `2w` into milliseconds; an Error names the rule. */
export function parseLifetime(text: string): number {
  const m = /^(\d{1,5})([mhdw])$/.exec(text.trim());
  if (!m || Number(m[1]) === 0) throw new Error(`expiry '${text}' must be a positive number followed by m, h, d or w (e.g. 30d)`);
  return Number(m[1]) * UNITS[m[2]!]!;
}

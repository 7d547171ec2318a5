/** Token secrets and their stored hash. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateTokenSecret, hashTokenSecret, looksLikeApiToken, parseLifetime } from './tokens';

describe('API token secrets', () => {
  it('are 256 random bits behind rt_, different every time, and recognisable', () => {
    const secrets = new Set(Array.from({ length: 100 }, generateTokenSecret));
    expect(secrets.size).toBe(100);
    for (const s of secrets) {
      expect(s).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
      expect(looksLikeApiToken(s)).toBe(true);
    }
    expect(looksLikeApiToken('rt_short')).toBe(false);
    expect(looksLikeApiToken('test-token')).toBe(false);
  });

  it('are stored as their sha256 (hex), never as themselves', () => {
    const secret = generateTokenSecret();
    const hash = hashTokenSecret(secret);
    expect(hash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(secret.slice(3));
    expect(hashTokenSecret(secret + 'x')).not.toBe(hash);
  });

  it('expire after a lifetime given as 90m, 12h, 30d or 2w; anything else is an error naming the rule', () => {
    expect(parseLifetime('90m')).toBe(90 * 60_000);
    expect(parseLifetime('12h')).toBe(12 * 3_600_000);
    expect(parseLifetime('30d')).toBe(30 * 86_400_000);
    expect(parseLifetime('2w')).toBe(14 * 86_400_000);
    for (const bad of ['30', '0d', '-1d', '1y', 'd', '1.5d']) {
      expect(() => parseLifetime(bad)).toThrow(`expiry '${bad}' must be a positive number followed by m, h, d or w`);
    }
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Param } from '../schema';
import { createRedactor, REDACTED } from './redact';
import corpus from './redaction-corpus.json';
import { redactCaptureEvent } from './redact-event';
import { cellExecuted } from './test-events';

const r = createRedactor();

/** Cases shared with the kernel helper's redaction (packages/kernel/test_redaction.py checks the same file). */
const CORPUS = corpus as typeof corpus & { texts: [string, string][] };

describe('secret names (shared corpus)', () => {
  it.each(CORPUS.secretNames)('%s is a secret name', (name) => expect(r.isSecretKey(name)).toBe(true));
  it.each(CORPUS.nonSecretNames)('%s is not a secret name', (name) => expect(r.isSecretKey(name)).toBe(false));
});

describe('secret values (shared corpus)', () => {
  it.each(CORPUS.secretValues)('%s looks secret', (value) => expect(r.isSecretValue(value)).toBe(true));
  it.each(CORPUS.nonSecretValues)('%s does not look secret', (value) => expect(r.isSecretValue(value)).toBe(false));
});

const GITHUB = 'ghp_' + 'aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6';

describe('secret values', () => {
  it('walks lists and dicts', () => {
    expect(r.isSecretValue({ a: [1, { b: GITHUB }] })).toBe(true);
    expect(r.isSecretValue({ a: [1, { password: 'x' }] })).toBe(true);
    expect(r.isSecretValue({ a: [1, { password: null, tokenizer: 'bert' }] })).toBe(false);
  });
});

describe('redactText', () => {
  it.each(CORPUS.texts)('%j -> %j', (input, output) => {
    expect(r.redactText(input)).toBe(output);
    expect(r.redactText(output)).toBe(output);
  });

  it.each([
    'connect(password=pw)',
    'headers = {"Authorization": f"Bearer {token}"}',
    'pad_token="[PAD]"; tokenizer = "bert-base"; max_tokens=512',
    'if password == "": raise ValueError',
    'use_auth=True',
    'optimizer: adam\nlr: 0.001',
  ])('leaves %j alone', (text) => expect(r.redactText(text)).toBe(text));
});

describe('redactText cost', () => {
  // Each of these took 10-30 s before every unbounded run was anchored or capped (quadratic backtracking).
  it.each([
    ['base64 blob', 'Ab1+'.repeat(50_000)],
    ['kebab run', 'x-api-key'.repeat(20_000) + ':'],
    ['dashed tokens', 'eyJ-'.repeat(25_000) + 'sk-'.repeat(30_000)],
    ['unclosed quotes', 'k="v '.repeat(40_000)],
  ])('scans a 200 KB %s in linear time', (_name, text) => {
    const started = performance.now();
    r.redactText(text);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('redactParam', () => {
  const param = (key: string, value: Param['value']): Param => ({ key, value, origin: 'literal-assignment' });

  it('keeps ordinary hyperparameters as they are', () => {
    for (const p of [param('lr', 0.1), param('optimizer', 'adam'), param('token_count', 12), param('tokenizer', 'bert-base')]) {
      expect(r.redactParam(p)).toEqual(p);
    }
  });

  it('replaces values under secret names, keeping the key and flags that carry no secret', () => {
    expect(r.redactParam(param('api_key', 'abc'))).toEqual(param('api_key', REDACTED));
    expect(r.redactParam(param('credentials', { user: 'u', pw: 'p' }))).toEqual(param('credentials', REDACTED));
    expect(r.redactParam(param('use_auth', true))).toEqual(param('use_auth', true));
    expect(r.redactParam(param('password', null))).toEqual(param('password', null));
  });

  it('walks nested values and only removes the secret parts', () => {
    const value = { host: 'db', password: 'y', nested: [{ token: 't', n: 1 }], url: 'postgres://u:p@h/d' };
    expect(r.redactParam(param('db', value))?.value).toEqual({
      host: 'db',
      password: REDACTED,
      nested: [{ token: REDACTED, n: 1 }],
      url: `postgres://u:${REDACTED}@h/d`,
    });
  });

  it('drops a param whose key is itself a credential', () => {
    expect(r.redactParam(param(GITHUB, 1))).toBeNull();
  });
});

describe('configuration', () => {
  it('adds key and value patterns', () => {
    const custom = createRedactor({ extraKeyPatterns: ['^corp_'], extraValuePatterns: ['CORP-[0-9]{6}'] });
    expect(custom.isSecretKey('CORP_id')).toBe(true);
    expect(custom.redactText('id CORP-123456 and corp_id="a1"')).toBe(`id ${REDACTED} and corp_id="${REDACTED}"`);
    expect(r.redactText('id CORP-123456')).toBe('id CORP-123456');
  });

  it('rejects an invalid pattern with a message naming the option', () => {
    expect(() => createRedactor({ extraValuePatterns: ['('] })).toThrow(/extraValuePatterns/);
  });
});

describe('redactCaptureEvent', () => {
  it('removes secrets from params, source, outputs and errors but keeps the source hash', () => {
    const event = cellExecuted('e1', { at: 1, params: [{ key: 'api_key', value: 'abc', origin: 'literal-assignment' }] });
    event.execution.source = 'api_key = "abc"';
    event.execution.outputs = [{ outputType: 'stream', mimeTypes: ['text/plain'], text: `got ${GITHUB}`, truncated: false }];
    event.execution.error = { ename: 'HTTPError', evalue: 'postgres://a:b@h failed', tracebackDigest: 'x' };
    const out = redactCaptureEvent(event, r);
    expect(out.type === 'cell-executed' && out.params).toEqual([{ key: 'api_key', value: REDACTED, origin: 'literal-assignment' }]);
    expect(out.type === 'cell-executed' && out.execution).toMatchObject({
      source: `api_key = "${REDACTED}"`,
      sourceHash: event.execution.sourceHash,
      outputs: [{ text: `got ${REDACTED}` }],
      error: { evalue: `postgres://a:${REDACTED}@h failed` },
    });
    expect(event.execution.source).toBe('api_key = "abc"');
  });
});

/** Deterministic random strings from a seed, so shrinking never turns a secret into "AAAA...". */
function randomString(seed: number, length: number, alphabet: string): string {
  let s = seed >>> 0;
  let out = '';
  for (let i = 0; i < length; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out += alphabet[(((t ^ (t >>> 14)) >>> 0) % alphabet.length)];
  }
  return out;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A secret as it appears in text, and the part of it that must never survive. */
interface Planted {
  text: string;
  secret: string;
}

const plantedArb: fc.Arbitrary<Planted> = fc.tuple(fc.nat(12), fc.integer()).map(([kind, seed]): Planted => {
  const rnd = (n: number, alphabet = ALNUM) => randomString(seed, n, alphabet);
  // Secrets that must contain an upper case letter and a digit get them up front.
  const mixed = (n: number) => `Q7${rnd(n - 2)}`;
  switch (kind) {
    case 0: { const s = `AKIA${rnd(16, UPPER_DIGITS)}`; return { text: s, secret: s }; }
    case 1: { const s = `aZ9${rnd(37, `${ALNUM}/+`)}`; return { text: `aws_secret_access_key: ${s}`, secret: s }; }
    case 2: { const s = `ghp_${rnd(36)}`; return { text: s, secret: s }; }
    case 3: { const s = `github_pat_${rnd(60, `${ALNUM}_`)}`; return { text: s, secret: s }; }
    case 4: { const s = `xoxb-${rnd(12, '0123456789')}-${rnd(24)}`; return { text: s, secret: s }; }
    case 5: { const s = `sk-proj-${mixed(48)}`; return { text: s, secret: s }; }
    case 6: { const s = `AIza${rnd(35, `${ALNUM}_-`)}`; return { text: s, secret: s }; }
    case 7: { const s = `eyJ${rnd(20)}.eyJ${rnd(30)}.${rnd(43, `${ALNUM}_-`)}`; return { text: s, secret: s }; }
    case 8: { const body = rnd(64, `${ALNUM}+/`); return { text: `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----`, secret: body }; }
    case 9: { const pw = mixed(16); return { text: `postgresql://analyst:${pw}@warehouse:5432/sales`, secret: pw }; }
    case 10: { const t = mixed(32); return { text: `Authorization: Bearer ${t}`, secret: t }; }
    case 11: { const pw = `${mixed(14)}!$`; return { text: `db_password = "${pw}"`, secret: pw }; }
    default: { const t = mixed(24); return { text: `OPENAI_API_KEY=${t}`, secret: t }; }
  }
});

/** Text a notebook is full of that must come out untouched. */
const NEGATIVES = [
  'lr=0.1', "optimizer='adam'", 'max_tokens=512', "tokenizer='bert-base'", 'token_count: 12', "pad_token='[PAD]'",
  'git 1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c', 'https://example.com:8080/path?q=1', 'mail user@example.com',
  'import sklearn as sk-learn', 'the Bearer of bad news', 'eyJ', 'AKIA', "auth_type='oauth'", "primary_key='id'",
  'key=42', 'use_auth=True', 'password=None', 'print(df.head())', '-----BEGIN PUBLIC KEY-----',
];
const fillerArb = fc.oneof(
  fc.constantFrom(...NEGATIVES),
  fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789 .,\n'.split('')), maxLength: 40 }),
);
const SEPARATORS = [' ', '\n', ' ; ', '\t'];

describe('redactText properties', () => {
  it('never lets a planted secret through and changes nothing else', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fillerArb.map((text) => ({ text, secret: null as string | null })), plantedArb), { maxLength: 12 }),
        fc.nat(SEPARATORS.length - 1),
        (pieces, sep) => {
          const text = pieces.map((p) => p.text).join(SEPARATORS[sep]);
          const out = r.redactText(text);
          for (const p of pieces) if (p.secret !== null) expect(out).not.toContain(p.secret);
          if (pieces.every((p) => p.secret === null)) expect(out).toBe(text);
          expect(r.redactText(out)).toBe(out);
        },
      ),
    );
  });
});

/**
 * Redaction of secrets before anything is recorded (DESIGN.md "Capture": values that look like secrets are
 * never stored). A secret is recognised by its name (`db_password`, `OPENAI_API_KEY`) or by its shape
 * (token formats, credentials in URLs, private key blocks, Authorization headers); see secret-names.ts and
 * secret-patterns.ts for the rules and the false positives they avoid.
 *
 * Secret params are kept with their value replaced by "[redacted]" rather than dropped: the key stays
 * visible, so users see that the run had an API key without the key being stored. Only a param whose
 * key itself looks like a credential (a token pasted as a dict key) is dropped.
 */
import { z } from 'zod';
import type { JsonValue, Param } from '../schema';
import { isBuiltinSecretName } from './secret-names';
import { isPlaceholderValue, REDACTED, textRules } from './secret-patterns';

export { REDACTED } from './secret-patterns';

/** Configuration of a redactor: regular expression sources added to the built-in rules. */
export const RedactorOptions = z.object({
  /** Matched case-insensitively anywhere in a name: a matching param, dict key or assignment is redacted. */
  extraKeyPatterns: z.array(z.string()).default([]),
  /** Matched case-sensitively in text: every match is replaced by "[redacted]". */
  extraValuePatterns: z.array(z.string()).default([]),
});
export type RedactorOptions = z.input<typeof RedactorOptions>;

/** Secret detection and removal, configured once per workspace. */
export interface Redactor {
  /** Whether a variable, param or dict-key name denotes a secret. */
  isSecretKey(name: string): boolean;
  /** Whether a value (walking lists and dicts) holds something redaction would remove. */
  isSecretValue(value: JsonValue): boolean;
  /** The param as it may be stored: secret values replaced by "[redacted]"; null when the key is a secret. */
  redactParam(param: Param): Param | null;
  /** The text with every recognised secret replaced by "[redacted]", everything else unchanged. */
  redactText(text: string): string;
}

function compile(source: string, flags: string, option: string): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (cause) {
    throw new Error(`redaction option ${option}: invalid regular expression ${JSON.stringify(source)}`, { cause });
  }
}

/** Builds a redactor; throws when an extra pattern is not a valid regular expression. */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const parsed = RedactorOptions.parse(options);
  const extraKeys = parsed.extraKeyPatterns.map((p) => compile(p, 'i', 'extraKeyPatterns'));
  const extraValues = parsed.extraValuePatterns.map((p) => compile(p, 'g', 'extraValuePatterns'));

  const isSecretKey = (name: string): boolean =>
    isBuiltinSecretName(name) || extraKeys.some((pattern) => pattern.test(name));
  const rules = textRules(isSecretKey, extraValues);
  const redactText = (text: string): string => rules.reduce((out, rule) => rule(out), text);

  // A value under a secret name goes entirely, unless it cannot carry a secret (flags, nulls, blanks).
  const maskUnderSecretKey = (value: JsonValue): JsonValue => {
    if (value === null || typeof value === 'boolean') return value;
    if (typeof value === 'string' && isPlaceholderValue(value)) return value;
    return REDACTED;
  };

  const redactValue = (value: JsonValue): JsonValue => {
    if (typeof value === 'string') return redactText(value);
    if (Array.isArray(value)) return value.map(redactValue);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, isSecretKey(k) ? maskUnderSecretKey(v) : redactValue(v)]),
      );
    }
    return value;
  };

  const isSecretValue = (value: JsonValue): boolean => {
    if (typeof value === 'string') return redactText(value) !== value;
    if (Array.isArray(value)) return value.some(isSecretValue);
    if (value !== null && typeof value === 'object') {
      return Object.entries(value).some(
        ([k, v]) => (isSecretKey(k) && maskUnderSecretKey(v) !== v) || isSecretValue(v),
      );
    }
    return false;
  };

  const redactParam = (param: Param): Param | null => {
    if (redactText(param.key) !== param.key) return null;
    const value = isSecretKey(param.key) ? maskUnderSecretKey(param.value) : redactValue(param.value);
    return { ...param, value };
  };

  return { isSecretKey, isSecretValue, redactParam, redactText };
}

/**
 * How secrets look inside text (cell source, outputs, param values), and how each is blanked while the
 * text stays readable: a connection string keeps its user and host, an assignment keeps its name and
 * quotes, a header keeps its scheme. Rules run in order; each replaces what it recognises with REDACTED.
 *
 * Formats follow the issuers' documented prefixes (AWS AKIA/ASIA, GitHub ghp_/gho_/github_pat_, Slack
 * xox?-, OpenAI/Anthropic sk-, Stripe sk_live_, Google AIza, Hugging Face hf_). A bare 40-character AWS
 * secret key has no prefix, so, as gitleaks and truffleHog do, it is only recognised in context: after
 * the words "aws" or "secret", or in a text that also holds an AWS access key id.
 */

/** What every recognised secret is replaced by: visible, so users see that something was removed. */
export const REDACTED = '[redacted]';

/** One rewrite of a text. */
export type TextRule = (text: string) => string;

/** Values that carry no secret even under a secret name (`password=None`, `use_auth=True`). */
export function isPlaceholderValue(value: string): boolean {
  return /^(?:|none|null|nil|undefined|true|false|\*+|\[redacted\]|bearer|basic|token)$/i.test(value.trim());
}

const AWS_KEY_ID = /\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z\d])[A-Z\d]{16}\b/g;
const HAS_AWS_KEY_ID = new RegExp(AWS_KEY_ID.source);

function whole(pattern: RegExp, accept: (match: string) => boolean = () => true): TextRule {
  return (text) => text.replace(pattern, (m: string) => (accept(m) ? REDACTED : m));
}

const hasDigitAndUpper = (m: string) => /\d/.test(m) && /[A-Z]/.test(m);

/** PEM private keys, including a block cut short by output truncation. */
const PRIVATE_KEY_BLOCK = whole(
  /-----BEGIN ((?:[A-Z\d]+ )*)PRIVATE KEY( BLOCK)?-----[\s\S]*?(?:-----END \1PRIVATE KEY\2-----|$)/g,
);

/** A bare 40-character AWS secret access key, recognised only in context (see the top of the file). */
const AWS_SECRET_KEY: TextRule = (text) =>
  text.replace(/(?<![\w/+.-])[A-Za-z\d/+]{40}(?![\w/+=.-])/g, (m: string, offset: number, input: string) => {
    if (!/[A-Z]/.test(m) || !/[a-z]/.test(m) || !/\d/.test(m) || m.startsWith('/')) return m;
    const before = input.slice(Math.max(0, offset - 200), offset);
    return /aws|secret/i.test(before) || HAS_AWS_KEY_ID.test(input) ? REDACTED : m;
  });

/** Issued token formats: secrets wherever they appear. */
const TOKEN_FORMATS: TextRule[] = [
  whole(AWS_KEY_ID),
  whole(/\b(?:gh[pousr]_[A-Za-z\d]{36,255}|github_pat_\w{22,255})\b/g),
  whole(/(?<![\w-])xox[a-z]-[A-Za-z\d-]{10,}/g),
  // `sk-learn-compatible-wrapper` is prose; real keys are random and always mix digits and capitals.
  whole(/(?<![\w-])sk-[\w-]{20,}/g, hasDigitAndUpper),
  whole(/\b[rs]k_(?:live|test)_[A-Za-z\d]{16,}\b/g),
  whole(/\bAIza[\w-]{35}(?![\w-])/g),
  whole(/\bhf_[A-Za-z\d]{30,}\b/g),
  whole(/(?<![\w-])eyJ[\w-]{4,}\.eyJ[\w-]{4,}\.[\w-]*/g),
];

/**
 * All rules in the order they run. `isSecretKey` decides which assignments (`name = "value"`,
 * `NAME=value`) hide their value; `extraValuePatterns` are regular expression sources whose every match
 * is redacted.
 */
export function textRules(isSecretKey: (name: string) => boolean, extraValuePatterns: RegExp[]): TextRule[] {
  // Every unbounded run starts only where the run itself starts (lookbehinds) or is capped, so that long
  // outputs (base64 blobs, `a-a-a-...`) are scanned in linear time.
  const quoted = /(?<![\w.])(?<![\w.]-)([A-Za-z_][\w.-]{0,127})(["']?\]?(?:\s*:\s*[A-Za-z_][\w.]*)?\s*[:=]\s*)(["'])((?:\\.|(?!\3)[^\\\n]){0,1024})\3/g;
  // Quoted values may themselves hold assignments (`query="password='x'"`), so non-secret ones are searched too.
  const redactQuoted: TextRule = (text) =>
    text.replace(quoted, (m: string, key: string, mid: string, q: string, value: string) => {
      if (!isSecretKey(key)) return `${key}${mid}${q}${redactQuoted(value)}${q}`;
      return isPlaceholderValue(value) ? m : `${key}${mid}${q}${REDACTED}${q}`;
    });
  return [
    PRIVATE_KEY_BLOCK,
    // user:password@ in URLs and DSNs: only the password goes, the host stays useful.
    (text) =>
      text.replace(/(?<![a-z\d+.-])([a-z][a-z\d+.-]{0,31}:\/\/)([^\s:/?#@]*):([^\s/?#]+)@/gi, (_m: string, scheme: string, user: string) =>
        `${scheme}${user}:${REDACTED}@`,
      ),
    (text) =>
      text.replace(
        /\b(Authorization["']?\s*[:=]\s*["']?(?:(?:Bearer|Basic|Token|Digest|Negotiate|Bot)\s+)?)([^\s"',;]+)/gi,
        // Short values are code (`f"Bearer {token}"`), not credentials.
        (m: string, prefix: string, value: string) =>
          value.length < 8 || isPlaceholderValue(value) ? m : `${prefix}${REDACTED}`,
      ),
    // A bearer token outside a header; ordinary words after "bearer" have no digits or punctuation.
    (text) =>
      text.replace(/\b(Bearer\s+)([\w\-.~+/]{8,}=*)/gi, (m: string, prefix: string, token: string) =>
        /[\d\-.~+/_]/.test(token) ? `${prefix}${REDACTED}` : m,
      ),
    redactQuoted,
    // NAME=value with nothing around "=": env files, shell, query strings, ADO/JDBC connection strings.
    // A value followed by ")" or "," is a keyword argument naming a variable, not a secret.
    (text) =>
      text.replace(
        /(?<![\w.])(?<![\w.]-)([A-Za-z_][\w.-]{0,127})=([^\s"'`,;&()[\]{}<>=]+)(?=$|[\s;&"'`])/g,
        (m: string, key: string, value: string) =>
          isSecretKey(key) && !isPlaceholderValue(value) ? `${key}=${REDACTED}` : m,
      ),
    // Before TOKEN_FORMATS: it looks for an AWS key id in the text, which they would have redacted.
    AWS_SECRET_KEY,
    ...TOKEN_FORMATS,
    ...extraValuePatterns.map((p) => whole(p)),
  ];
}

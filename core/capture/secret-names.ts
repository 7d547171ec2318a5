/**
 * Which variable, param or dict-key names hold secrets. Names are split into words (snake_case, camelCase,
 * kebab-case, dots) and judged by their last word, the noun the name is about: `db_password` is a password,
 * `password_file` is a path. Notebooks are full of NLP vocabulary, so `token` and `key` are secrets only in
 * the right company: `hf_token`, `api_key` are; `pad_token`, `max_token`, `tokenizer`, `token_count`,
 * `primary_key`, `sort_key` and a PRNG `key` are not.
 */

/** Last words that name a secret on their own. */
const SECRET_WORDS = new Set([
  'password', 'passwd', 'pwd', 'passphrase', 'passcode', 'secret', 'secrets', 'credential', 'credentials',
  'creds', 'auth', 'authorization',
]);

/** Endings of one-word names written without separators (`dbpassword`, `openaiapikey`, `authtoken`). */
const SECRET_SUFFIXES = ['password', 'passwd', 'secret', 'apikey', 'accesskey', 'privatekey', 'secretkey', 'token'];

/**
 * Words before `key` that make it a credential rather than a dict field, lookup or sort key (`text_key`,
 * `label_key`, `s3_key` name data). Service names are listed because `OPENAI_KEY` is how people spell it.
 */
const KEY_QUALIFIERS = new Set([
  'api', 'access', 'private', 'secret', 'signing', 'encryption', 'master', 'account', 'client', 'ssh', 'auth',
  'subscription', 'consumer', 'app', 'deploy', 'storage', 'shared', 'sas', 'gpg', 'pgp', 'rsa', 'license',
  'openai', 'anthropic', 'cohere', 'mistral', 'groq', 'wandb', 'kaggle', 'comet', 'neptune', 'hf', 'huggingface',
  'github', 'gitlab', 'slack', 'stripe', 'aws', 'gcp', 'azure', 'google', 'pinecone', 'replicate',
]);

/** Words before `token` that make it a vocabulary item or a count (`eos_token`, `max_new_token`). */
const NON_SECRET_TOKEN_WORDS = new Set([
  'pad', 'padding', 'eos', 'bos', 'unk', 'unknown', 'cls', 'sep', 'separator', 'mask', 'sos', 'eot', 'eod',
  'start', 'end', 'stop', 'begin', 'special', 'image', 'audio', 'video', 'vision', 'placeholder', 'decoder',
  'max', 'min', 'num', 'n', 'total', 'count', 'avg', 'mean', 'first', 'last', 'next', 'prev', 'new',
]);

/** The words of a name, lowercased: `openAIApiKey2` -> open, ai, api, key. Pure digit words are dropped. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z])(\d)/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z\d]+/)
    .filter((w) => w !== '' && !/^\d+$/.test(w));
}

/** Whether a name, by the built-in rules only, denotes a secret. */
export function isBuiltinSecretName(name: string): boolean {
  const words = nameWords(name);
  const last = words.at(-1);
  if (last === undefined) return false;
  const before = words.slice(0, -1);
  if (SECRET_WORDS.has(last)) return true;
  if (last === 'token') return !before.some((w) => NON_SECRET_TOKEN_WORDS.has(w));
  if (last === 'key') return KEY_QUALIFIERS.has(before.at(-1) ?? '');
  // aws_access_key_id: an identifier, but AWS treats it as half of the credential.
  if (last === 'id') return before.at(-1) === 'key' && before.at(-2) === 'access';
  return SECRET_SUFFIXES.some((s) => last.endsWith(s));
}

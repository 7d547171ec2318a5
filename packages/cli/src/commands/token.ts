/**
 * `runtrail token create|list|revoke`: API tokens of the caller (or, for admins, of any user). A new token's secret
 * is printed once; the server keeps only its hash. Also the HTTP helper of the auth commands (user, workspace).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { z } from 'zod';
import { RuntrailApiError } from '@runtrail/core/client';
import { AUTH_ROUTES, TOKEN_FILE, authSchema, parseLifetime } from '@runtrail/backend';
import { DEFAULT_URL, dataDir, type ConnectionOptions } from '../connection';
import { CliError } from '../errors';
import { table, when } from '../format';

type Print = (text: string) => void;
/** Options of the auth commands. */
export interface AuthOptions extends ConnectionOptions {
  json?: boolean;
}

/** Adds the connection options every auth command takes. */
export function withConnection(command: Command): Command {
  return command
    .option('--url <url>', 'backend URL (env RUNTRAIL_URL; default http://127.0.0.1:8734)')
    .option('--token <token>', 'API token (env RUNTRAIL_TOKEN; default: the local data folder token)')
    .option('--data <dir>', 'local data folder holding the token (env RUNTRAIL_DATA; default ~/.runtrail)')
    .option('--json', 'print JSON instead of text');
}

/** Calls auth route `name` and parses its answer with `answer`; failures are RuntrailApiErrors. */
export async function callAuth<T extends z.ZodType>(
  options: ConnectionOptions,
  name: keyof typeof AUTH_ROUTES,
  answer: T,
  input: { params?: Record<string, string>; query?: Record<string, string>; body?: unknown } = {},
): Promise<z.output<T>> {
  const base = (options.url ?? process.env.RUNTRAIL_URL ?? DEFAULT_URL).replace(/\/+$/, '');
  let token = options.token ?? process.env.RUNTRAIL_TOKEN;
  if (!token) {
    try {
      token = readFileSync(join(dataDir(options.data), TOKEN_FILE), 'utf8').trim();
    } catch {
      token = undefined;
    }
  }
  const spec = AUTH_ROUTES[name];
  const path = spec.path.replace(/:(\w+)/g, (_, key: string) => encodeURIComponent(input.params?.[key] ?? ''));
  const query = input.query ? `?${new URLSearchParams(input.query)}` : '';
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (input.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(base + path + query, { method: spec.method.toUpperCase(), headers, body: input.body === undefined ? undefined : JSON.stringify(input.body) });
  } catch (error) {
    throw new RuntrailApiError(0, 'UNREACHABLE', `cannot reach ${base}: ${(error as Error).message}`, '');
  }
  const json: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const error = (json as { error?: { code?: string; message?: string; path?: string } } | null)?.error;
    throw new RuntrailApiError(res.status, error?.code ?? 'HTTP_ERROR', error?.message ?? `HTTP ${res.status}`, error?.path ?? '');
  }
  return answer.parse(json);
}

async function create(options: AuthOptions & { name?: string; expires?: string; user?: string }, print: Print) {
  let expiresInMs: number | undefined;
  if (options.expires !== undefined) {
    try {
      expiresInMs = parseLifetime(options.expires);
    } catch (error) {
      throw new CliError(`--expires: ${(error as Error).message}`, 2);
    }
  }
  const body = { ...(options.name ? { name: options.name } : {}), ...(options.user ? { user: options.user } : {}), ...(expiresInMs ? { expiresInMs } : {}) };
  const { token, secret } = await callAuth(options, 'createToken', authSchema.CreatedToken, { body });
  if (options.json) return print(JSON.stringify({ token, secret }, null, 2));
  print(secret);
  print(`token ${token.id} '${token.name}' for ${token.userName}${token.expiresAt ? `, expires ${when(token.expiresAt)}` : ''}`);
  print('This is the only time the token is shown: store it now (e.g. RUNTRAIL_TOKEN or MLFLOW_TRACKING_TOKEN).');
}

async function list(options: AuthOptions & { all?: boolean }, print: Print) {
  const { tokens } = await callAuth(options, 'listTokens', authSchema.ListTokensAnswer, { query: options.all ? { all: 'true' } : {} });
  if (options.json) return print(JSON.stringify({ tokens }, null, 2));
  if (tokens.length === 0) return print('no tokens');
  const state = (t: (typeof tokens)[number]) => (t.revokedAt ? 'revoked' : t.expiresAt !== null && t.expiresAt <= Date.now() ? 'expired' : 'active');
  print(table(['id', 'name', 'user', 'state', 'created', 'last used', 'expires'], tokens.map((t) => [
    t.id, t.name, t.userName, state(t), when(t.createdAt), t.lastUsedAt ? when(t.lastUsedAt) : '-', t.expiresAt ? when(t.expiresAt) : 'never',
  ])));
}

async function revoke(id: string, options: AuthOptions, print: Print) {
  const { token } = await callAuth(options, 'revokeToken', authSchema.RevokedToken, { params: { tokenId: id } });
  if (options.json) return print(JSON.stringify({ token }, null, 2));
  print(`revoked token ${token.id} '${token.name}' of ${token.userName}`);
}

/** Registers `runtrail token ...`. */
export function addTokenCommands(program: Command, print: Print): Command {
  const token = program.command('token').description('API tokens: create (shown once), list, revoke');
  withConnection(token.command('create'))
    .description('create an API token for yourself (or, as an admin, for --user); prints it once')
    .option('--name <name>', 'what the token is for, e.g. laptop or ci')
    .option('--expires <lifetime>', 'lifetime such as 90m, 12h, 30d or 2w (default: never)')
    .option('--user <user>', 'the user the token is for (admins)')
    .action((options) => create(options, print));
  withConnection(token.command('list'))
    .description('list your tokens (never their secrets)')
    .option('--all', "everyone's tokens (admins)")
    .action((options) => list(options, print));
  withConnection(token.command('revoke'))
    .description('revoke a token: its next request is refused and its open sync connections close')
    .argument('<token-id>')
    .action((id, options) => revoke(id, options, print));
  return token;
}

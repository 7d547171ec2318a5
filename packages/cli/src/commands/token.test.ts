/**
 * The auth commands end to end in-process: `runtrail admin bootstrap` on a fresh data folder, then `user`,
 * `workspace` and `token` commands against a real server over HTTP with the bootstrapped admin's token.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Command, CommanderError } from 'commander';
import { startServer, type RunningServer } from '@runtrail/backend';
import { CliError, describeError } from '../errors';
import { addAdminCommands } from './admin';
import { addTokenCommands } from './token';
import { addUserCommands } from './user';
import { addWorkspaceCommands } from './workspace';

let dir: string;
let server: RunningServer;

/** Runs the auth command groups as program.ts wires them (program.ts itself loads the kernel helper's source). */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const program = new Command('runtrail').exitOverride().configureOutput({ writeOut: (t) => out.push(t.trimEnd()), writeErr: (t) => err.push(t.trimEnd()) });
  for (const add of [addTokenCommands, addUserCommands, addWorkspaceCommands, addAdminCommands]) add(program, (t) => out.push(t));
  let code = 0;
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) code = error.exitCode;
    else {
      err.push(`runtrail: error: ${describeError(error)}`);
      code = error instanceof CliError ? error.exitCode : 1;
    }
  }
  return { code, out: out.join('\n'), err: err.join('\n') };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runtrail-cli-auth-'));
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('runtrail admin bootstrap, user, workspace and token', () => {
  let admin: string;
  const as = (token: string) => ['--url', server.url, '--token', token];

  it('bootstraps the first admin on the store and prints the token once; a second bootstrap is refused', async () => {
    const first = await cli('admin', 'bootstrap', '--data', dir, '--name', 'root', '--json');
    expect(first.code).toBe(0);
    const made = JSON.parse(first.out);
    expect(made.secret).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
    expect(made.user.name).toBe('root');
    admin = made.secret;
    const again = await cli('admin', 'bootstrap', '--data', dir, '--name', 'other');
    expect(again.code).toBe(1);
    expect(again.err).toContain("an admin of the 'default' workspace exists already");
    server = await startServer({ dataDir: dir, port: 0, log: () => undefined });
    const whoami = await fetch(`${server.url}/api/v1/auth/whoami`, { headers: { authorization: `Bearer ${admin}` } });
    expect(await whoami.json()).toMatchObject({ local: false, user: { name: 'root' }, roles: [{ workspaceId: 'default', role: 'admin' }] });
  });

  it('adds users and workspaces, sets roles, and creates, lists and revokes tokens', async () => {
    expect((await cli('user', 'add', 'ada', ...as(admin))).out).toContain('added user ada');
    expect((await cli('user', 'list', ...as(admin))).out).toMatch(/ada[\s\S]*root/);
    expect((await cli('workspace', 'create', 'vision', '--name', 'Vision team', ...as(admin))).out).toContain('created workspace vision');
    expect((await cli('workspace', 'add-member', 'vision', 'ada', '--role', 'editor', ...as(admin))).out).toBe('ada is editor of workspace vision');
    const created = await cli('token', 'create', '--user', 'ada', '--name', 'laptop', '--expires', '30d', ...as(admin));
    expect(created.code).toBe(0);
    const [secret, about, warning] = created.out.split('\n');
    expect(secret).toMatch(/^rt_/);
    expect(about).toMatch(/^token \S+ 'laptop' for ada, expires /);
    expect(warning).toContain('only time the token is shown');
    const ws = JSON.parse((await cli('workspace', 'list', '--json', ...as(secret!))).out);
    expect(ws.workspaces).toEqual([expect.objectContaining({ id: 'vision', role: 'editor' })]);
    const mine = JSON.parse((await cli('token', 'list', '--json', ...as(secret!))).out);
    expect(mine.tokens).toEqual([expect.objectContaining({ name: 'laptop', userName: 'ada', revokedAt: null })]);
    expect(JSON.stringify(mine)).not.toContain(secret!.slice(3));
    const notAdmin = await cli('user', 'add', 'eve', ...as(secret!));
    expect(notAdmin.code).toBe(1);
    expect(notAdmin.err).toMatch(/needs an admin of the 'default' workspace.*\[403 FORBIDDEN\]/);
    const revoked = await cli('token', 'revoke', mine.tokens[0].id, ...as(admin));
    expect(revoked.out).toBe(`revoked token ${mine.tokens[0].id} 'laptop' of ada`);
    const after = await cli('token', 'list', ...as(secret!));
    expect(after.code).toBe(1);
    expect(after.err).toMatch(/missing or wrong bearer token.*\[401 UNAUTHENTICATED\]/);
    expect((await cli('token', 'list', '--all', ...as(admin))).out).toMatch(/laptop\s+ada\s+revoked/);
    expect((await cli('workspace', 'remove-member', 'vision', 'ada', ...as(admin))).out).toBe('ada is no longer a member of workspace vision');
  });

  it('rejects bad input with a clear message and exit code 2', async () => {
    const expires = await cli('token', 'create', '--expires', '1y', ...as(admin));
    expect(expires.code).toBe(2);
    expect(expires.err).toContain("--expires: expiry '1y' must be a positive number followed by m, h, d or w");
    const role = await cli('workspace', 'add-member', 'vision', 'ada', '--role', 'owner', ...as(admin));
    expect(role.code).toBe(2);
    expect(role.err).toContain("--role must be one of viewer, editor, admin, got 'owner'");
    const unknown = await cli('workspace', 'add-member', 'vision', 'nobody', ...as(admin));
    expect(unknown.err).toMatch(/user 'nobody' does not exist \(params.user\) \[404 NOT_FOUND\]/);
  });
});

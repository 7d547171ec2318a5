/** `runtrail user add|list`: users of a team server (admins of the default workspace). */
import type { Command } from 'commander';
import { z } from 'zod';
import { authSchema } from '@runtrail/backend';
import { table, when } from '../format';
import { callAuth, withConnection, type AuthOptions } from './token';

type Print = (text: string) => void;

async function add(name: string, options: AuthOptions, print: Print) {
  const { user } = await callAuth(options, 'createUser', z.object({ user: authSchema.UserInfo }), { body: { name } });
  if (options.json) return print(JSON.stringify({ user }, null, 2));
  print(`added user ${user.name} (${user.id}); give them a role with: runtrail workspace add-member <workspace> ${user.name} --role viewer|editor|admin`);
}

async function list(options: AuthOptions, print: Print) {
  const { users } = await callAuth(options, 'listUsers', z.object({ users: z.array(authSchema.UserInfo) }));
  if (options.json) return print(JSON.stringify({ users }, null, 2));
  if (users.length === 0) return print('no users (local single-user mode)');
  print(table(['name', 'id', 'created'], users.map((u) => [u.name, u.id, when(u.createdAt)])));
}

/** Registers `runtrail user ...`. */
export function addUserCommands(program: Command, print: Print): Command {
  const user = program.command('user').description('users of a team server');
  withConnection(user.command('add')).description('add a user').argument('<name>').action((name, options) => add(name, options, print));
  withConnection(user.command('list')).description('list users').action((options) => list(options, print));
  return user;
}

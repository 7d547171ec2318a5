/** `runtrail admin bootstrap`: the first admin of a store, made directly on it, with a token printed once. */
import type { Command } from 'commander';
import { bootstrapAdmin } from '@runtrail/backend';
import { dataDir } from '../connection';
import { CliError } from '../errors';

type Print = (text: string) => void;

async function bootstrap(options: { data?: string; db?: string; name: string; json?: boolean }, print: Print) {
  if (options.db !== undefined && !/^postgres(ql)?:\/\//.test(options.db)) throw new CliError('--db must be a postgres:// or postgresql:// URL', 2);
  const made = await bootstrapAdmin({ dataDir: dataDir(options.data), db: options.db, name: options.name }).catch((error: Error) => {
    throw new CliError(error.message);
  });
  if (options.json) return print(JSON.stringify({ user: made.user, token: made.token, secret: made.secret }, null, 2));
  print(made.secret);
  print(`${made.user.name} is admin of the default workspace; token ${made.token.id}`);
  print('This is the only time the token is shown: store it now (e.g. RUNTRAIL_TOKEN).');
}

/** Registers `runtrail admin ...`. */
export function addAdminCommands(program: Command, print: Print): Command {
  const admin = program.command('admin').description('administration directly on the store');
  admin
    .command('bootstrap')
    .description('make the first admin (only while none exists) and print their token once')
    .option('--data <dir>', 'data folder of the SQLite store (env RUNTRAIL_DATA; default ~/.runtrail)')
    .option('--db <url>', 'a PostgreSQL store instead: postgres://user:password@host:port/database')
    .option('--name <user>', 'name of the admin user', 'admin')
    .option('--json', 'print JSON')
    .action((options) => bootstrap(options, print));
  return admin;
}

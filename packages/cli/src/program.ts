/** The `runtrail` command tree. Each action prints through `print` so tests can capture output. */
import { Command, CommanderError } from 'commander';
import { VERSION } from '@runtrail/backend';
import { compareRuns } from './commands/compare';
import { addAdminCommands } from './commands/admin';
import { addModelCommands } from './commands/models';
import { listRuns, showRun } from './commands/runs';
import { serve } from './commands/serve';
import { addTokenCommands } from './commands/token';
import { addUserCommands } from './commands/user';
import { addWorkspaceCommands } from './commands/workspace';
import { CliError, describeError } from './errors';
import { addPipelineCommands } from './pipeline/commands';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function withConnection(command: Command): Command {
  return command
    .option('--url <url>', 'backend URL (env RUNTRAIL_URL; default http://127.0.0.1:8734)')
    .option('--token <token>', 'API token (env RUNTRAIL_TOKEN; default: the local data folder token)')
    .option('--data <dir>', 'local data folder holding the token (env RUNTRAIL_DATA; default ~/.runtrail)')
    .option('--json', 'print JSON instead of text');
}

/** Builds the program; `print` receives stdout text. */
export function buildProgram(print: (text: string) => void): Command {
  const program = new Command('runtrail')
    .description('Zero-code experiment tracking for notebooks')
    .version(VERSION)
    .showSuggestionAfterError()
    .exitOverride();

  program
    .command('serve')
    .description('run the backend on the embedded default (SQLite + blob folder), on PostgreSQL (--db) and S3 (--blobs)')
    .option('--data <dir>', 'data folder (env RUNTRAIL_DATA; default ~/.runtrail)')
    .option('--db <url>', 'store runs in PostgreSQL: postgres://user:password@host:port/database (default: SQLite in the data folder)')
    .option(
      '--blobs <url>',
      'keep blobs in an S3-compatible bucket: s3://bucket/prefix[?endpoint=http://host:port&forcePathStyle=true&region=...]; credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (default: a folder in the data folder)',
    )
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 = any free port)', '8734')
    .option('--json', 'print the startup line as JSON')
    .action(serve);

  const runs = program.command('runs').description('browse and compare runs');
  withConnection(runs.command('list'))
    .description('list runs, newest first')
    .option('-e, --experiment <id>', 'only runs of this experiment (repeatable)', collect)
    .option('-f, --filter <expr>', `filter, e.g. "metrics.acc > 0.9 and params.opt = 'adam'"`)
    .option('-o, --order <field[:asc|desc]>', 'sort key, e.g. metrics.acc:desc (repeatable)', collect)
    .option('-n, --limit <n>', 'how many runs', '50')
    .action((options) => listRuns(options, print));
  withConnection(runs.command('show'))
    .description('show one run: params, metrics, tags, data, artifacts')
    .argument('<run-id>')
    .action((runId, options) => showRun(runId, options, print));
  withConnection(runs.command('compare'))
    .description('compare two runs: params, metrics, code per cell, data')
    .argument('<run-a>')
    .argument('<run-b>')
    .action((a, b, options) => compareRuns(a, b, options, print));
  addPipelineCommands(program, print);
  addModelCommands(program, print);
  addTokenCommands(program, print);
  addUserCommands(program, print);
  addWorkspaceCommands(program, print);
  addAdminCommands(program, print);
  return program;
}

/** Runs the CLI with `argv`; resolves to the exit code (errors are one line on stderr). */
export async function runCli(argv: string[], print: (text: string) => void, printError: (text: string) => void): Promise<number> {
  const program = buildProgram(print);
  program.configureOutput({ writeOut: (s) => print(s.trimEnd()), writeErr: (s) => printError(s.trimEnd()) });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    printError(`runtrail: error: ${describeError(error)}`);
    return error instanceof CliError ? error.exitCode : 1;
  }
}

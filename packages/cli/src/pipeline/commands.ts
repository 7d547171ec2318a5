/** The `runtrail pipeline` command group. Other pipeline subcommands (run, status, export) attach to the group it returns. */
import type { Command } from 'commander';
import { demote, promote, terminalConfirm } from '../commands/pipeline';

/** Adds `pipeline promote` and `pipeline demote` to `program`; returns the `pipeline` group. */
export function addPipelineCommands(program: Command, print: (text: string) => void): Command {
  const pipeline = program.command('pipeline').description('promote notebook cells to pipeline steps');
  const io = () => ({ print, confirm: terminalConfirm() });
  pipeline
    .command('promote')
    .description('turn a notebook cell into a step: pipeline/steps/<name>.py and an entry in pipeline.yaml')
    .argument('<notebook>', 'the .ipynb file')
    .requiredOption('-c, --cell <index|id>', 'the cell: 0-based index among all cells, or its nbformat id')
    .option('-n, --name <name>', 'step name (default: the markdown heading above the cell, else step_<index>)')
    .option('-p, --project <dir>', 'project folder holding pipeline.yaml (default: the current folder)')
    .option('-y, --yes', 'write without asking')
    .option('--json', 'print the preview as JSON')
    .option('--offline', "do not ask the backend for the last run's snapshots")
    .option('--url <url>', 'backend URL for snapshots (env RUNTRAIL_URL; default http://127.0.0.1:8734)')
    .option('--token <token>', 'API token (env RUNTRAIL_TOKEN; default: the local data folder token)')
    .option('--data <dir>', 'local data folder holding the token (env RUNTRAIL_DATA; default ~/.runtrail)')
    .action((notebook, options) => promote(notebook, options, io()));
  pipeline
    .command('demote')
    .description('remove the step promoted from a notebook cell')
    .argument('<notebook>', 'the .ipynb file')
    .requiredOption('-c, --cell <index|id>', 'the cell: 0-based index among all cells, or its nbformat id')
    .option('-p, --project <dir>', 'project folder holding pipeline.yaml (default: the current folder)')
    .option('-y, --yes', 'write without asking')
    .option('--json', 'print the preview as JSON')
    .action((notebook, options) => demote(notebook, options, io()));
  return pipeline;
}

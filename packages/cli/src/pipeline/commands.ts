/** The `runtrail pipeline` command group: promote, demote, run, status and export. */
import type { Command } from 'commander';
import { demote, promote, terminalConfirm } from '../commands/pipeline';
import { exportPipelineCommand } from './export';
import { runPipeline, showPipelineStatus } from './run';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Adds `pipeline promote` and `pipeline demote` to `program`; returns the `pipeline` group. */
export function addPipelineCommands(program: Command, print: (text: string) => void): Command {
  const pipeline = program.command('pipeline').description('promote notebook cells to pipeline steps and run the pipeline');
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
  pipeline
    .command('run')
    .description('run the pipeline: cached steps are skipped, each step is a tracked run under one pipeline run')
    .option('--param <name=value>', 'override a param of pipeline.yaml (JSON value or string; repeatable)', collect)
    .option('--sweep <name=a,b,c>', 'one pipeline run per value of a param')
    .option('--only <step>', 'run only this step and the steps it reads from (repeatable)', collect)
    .option('--force', 'run the steps even when their outputs are cached')
    .option('-p, --project <dir>', 'project folder holding pipeline.yaml (default: the current folder)')
    .option('--python <path>', "the Python to run steps with (env RUNTRAIL_PYTHON; default: the project's .venv, else python3)")
    .option('-j, --jobs <n>', 'steps run at once at most (default: the number of cores)')
    .option('--json', 'print the result as JSON (progress goes to stderr)')
    .option('--offline', 'do not record runs in the backend')
    .option('--url <url>', 'backend URL (env RUNTRAIL_URL; default http://127.0.0.1:8734)')
    .option('--token <token>', 'API token (env RUNTRAIL_TOKEN; default: the local data folder token)')
    .option('--data <dir>', 'local data folder holding the token (env RUNTRAIL_DATA; default ~/.runtrail)')
    .action((options) => runPipeline(options, print));
  pipeline
    .command('status')
    .description('show which steps are cached and which are stale, and why')
    .option('--param <name=value>', 'as for run: the status with this param value (repeatable)', collect)
    .option('-p, --project <dir>', 'project folder holding pipeline.yaml (default: the current folder)')
    .option('--json', 'print JSON')
    .action((options) => showPipelineStatus(options, print));
  pipeline
    .command('export')
    .description('write the pipeline for another engine: an Argo Workflow, a Kubeflow pipeline spec or an Airflow DAG')
    .requiredOption('-t, --target <engine>', 'argo, kubeflow or airflow')
    .option('-o, --out <path>', 'the file to write (default: export/<pipeline>.<target>.yaml, or export/<pipeline>_dag.py)')
    .option('--image <image>', 'argo and kubeflow: the container image holding the project (default: <pipeline>:latest)')
    .option('-p, --project <dir>', 'project folder holding pipeline.yaml (default: the current folder)')
    .option('--json', 'print JSON')
    .action((options) => exportPipelineCommand(options, print));
  return pipeline;
}

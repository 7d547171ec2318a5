/**
 * Run assembly: a pure reducer from cell-execution events to run commands (DESIGN.md "Run boundaries").
 *
 * Boundaries. A run begins with the first execution after
 *   - the start of capture, a kernel start or a kernel restart,
 *   - the user's "New run",
 *   - or a successful execution of the parameters cell whose values differ from those the parameters cell
 *     already ran with in the open run (same values, in any order, keep the run).
 * Runs are opened lazily by an execution, so boundaries in a row never leave an empty run behind. A run ends at
 * the next boundary or at kernel shutdown.
 *
 * Status of an ended run.
 *   - `failed` when the kernel died under it (restart or shutdown with cause `died`): the process crashed.
 *   - `finished` otherwise, even if its last cell raised: errors are routine in interactive work and stay
 *     visible on the cell executions; a deliberate restart or shutdown is how a notebook run normally ends.
 *   - `killed` is never produced here; it is left to explicit stops through the API or the CLI.
 *
 * Params. The parameters cell is authoritative for its keys; params of other cells (literal assignments) fill
 * in other keys, the last executed value winning. A parameters-cell execution that errored is recorded as a
 * plain execution: its half-run assignments neither open a run nor set params.
 *
 * Time. Frontend and kernel clocks can disagree, so times are clamped: a run never starts before the previous
 * one ended and never ends before it started.
 */
import type { Param } from '../schema';
import type { CaptureCommand, CaptureEvent, CellExecutedEvent, KernelEndCause } from './events';
import type { CaptureState, OpenRun } from './state';
import { changedParams, paramsByKey, paramSetKey } from './params';

/** Where new run ids come from: `uuidv7` in production, a counter in tests; injected to keep the reducer pure. */
export interface RunIdSource {
  newRunId(): string;
}

/** The state after one event and the commands that record it, in order. */
export interface CaptureStep {
  state: CaptureState;
  commands: CaptureCommand[];
}

/** Advances capture by one event. Never mutates `state`; all randomness comes from `ids`. */
export function reduceCapture(state: CaptureState, event: CaptureEvent, ids: RunIdSource): CaptureStep {
  const now = Math.max(state.clock, event.at);
  const ticked: CaptureState = { ...state, clock: now };
  switch (event.type) {
    case 'kernel-started':
    case 'new-run-requested':
      return closeOpenRun(ticked, 'requested', now);
    case 'kernel-restarted':
    case 'kernel-shutdown':
      return closeOpenRun(ticked, event.cause, now);
    case 'cell-executed':
      return onCellExecuted(ticked, event, ids);
  }
}

function closeOpenRun(state: CaptureState, cause: KernelEndCause, endTime: number): CaptureStep {
  const run = state.openRun;
  if (!run) return { state, commands: [] };
  const status = cause === 'died' ? 'failed' : 'finished';
  return {
    state: { ...state, openRun: null, lastEndTime: endTime },
    commands: [{ type: 'finish-run', runId: run.id, status, endTime }],
  };
}

function onCellExecuted(state: CaptureState, event: CellExecutedEvent, ids: RunIdSource): CaptureStep {
  const commands: CaptureCommand[] = [];
  const { execution } = event;
  const definesParams = event.isParametersCell && execution.status === 'ok';
  const setKey = definesParams ? paramSetKey(event.params) : null;

  let current = state;
  const open = current.openRun;
  if (open && setKey !== null && open.parametersKey !== null && open.parametersKey !== setKey) {
    // The parameters cell ran with new values: the boundary sits at that execution's start.
    const end = Math.min(current.clock, Math.max(open.startTime, execution.startedAt));
    const closed = closeOpenRun(current, 'requested', end);
    commands.push(...closed.commands);
    current = closed.state;
  }

  let run = current.openRun;
  if (!run) {
    const startTime = Math.min(current.clock, Math.max(current.lastEndTime, execution.startedAt));
    const runsStarted = current.runsStarted + 1;
    run = { id: ids.newRunId(), startTime, parametersKey: null, cellParams: {}, otherParams: {} };
    current = { ...current, runsStarted };
    commands.push({
      type: 'start-run',
      runId: run.id,
      name: runName(event.notebookPath, runsStarted),
      startTime,
      source: { kind: 'notebook', path: event.notebookPath, cellIds: [execution.cellId] },
    });
  }
  commands.push({ type: 'append-cells', runId: run.id, executions: [execution] });

  const next = withParams(run, event, setKey);
  const logged = changedParams(effectiveParams(run), effectiveParams(next));
  if (logged.length > 0) commands.push({ type: 'log-params', runId: run.id, params: logged });
  return { state: { ...current, openRun: next }, commands };
}

function withParams(run: OpenRun, event: CellExecutedEvent, setKey: string | null): OpenRun {
  if (setKey !== null) {
    // Same values as before keep the first execution's params (and thus their origins).
    if (run.parametersKey !== null) return run;
    return { ...run, parametersKey: setKey, cellParams: paramsByKey(event.params) };
  }
  if (event.isParametersCell || event.params.length === 0) return run;
  return { ...run, otherParams: { ...run.otherParams, ...paramsByKey(event.params) } };
}

// The params a run has now: other cells' params overlaid by the parameters cell's.
function effectiveParams(run: OpenRun): Record<string, Param> {
  return { ...run.otherParams, ...run.cellParams };
}

/** `<notebook stem> #<n>`, e.g. `train #3` for `experiments/train.ipynb`. */
export function runName(notebookPath: string, n: number): string {
  const file = notebookPath.split(/[\\/]/).pop() ?? '';
  const dot = file.lastIndexOf('.');
  const stem = (dot > 0 ? file.slice(0, dot) : file).slice(0, 400) || 'notebook';
  return `${stem} #${n}`;
}

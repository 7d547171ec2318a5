/**
 * Offline replay: folds a whole event stream into run records by applying the reducer's commands, exactly as
 * a history writer would. Tests use it to state properties of runs; tools use it to rebuild runs from a log.
 */
import { z } from 'zod';
import { CellExecution, EntityId, Param, RunStatus, Timestamp } from '../schema';
import { NotebookRunSource } from './events';
import type { CaptureCommand, CaptureEvent } from './events';
import { reduceCapture } from './reducer';
import type { RunIdSource } from './reducer';
import { createCaptureState } from './state';
import type { CaptureOptions, CaptureState } from './state';

/** A run rebuilt from capture commands: `source.cellIds` lists every cell it executed, in first-run order. */
export const AssembledRun = z.object({
  id: EntityId,
  name: z.string(),
  status: RunStatus,
  startTime: Timestamp,
  endTime: Timestamp.nullable(),
  source: NotebookRunSource,
  params: z.array(Param),
  executions: z.array(CellExecution),
});
export type AssembledRun = z.infer<typeof AssembledRun>;

/** Applies one command to runs kept by id (mutates `runs`; commands for unknown runs are ignored). */
export function applyCaptureCommand(runs: Map<string, AssembledRun>, command: CaptureCommand): void {
  if (command.type === 'start-run') {
    runs.set(command.runId, {
      id: command.runId,
      name: command.name,
      status: 'running',
      startTime: command.startTime,
      endTime: null,
      source: { ...command.source, cellIds: [...command.source.cellIds] },
      params: [],
      executions: [],
    });
    return;
  }
  const run = runs.get(command.runId);
  if (!run) return;
  switch (command.type) {
    case 'append-cells':
      for (const e of command.executions) {
        run.executions.push(e);
        if (!run.source.cellIds.includes(e.cellId)) run.source.cellIds.push(e.cellId);
      }
      return;
    case 'log-params': {
      const byKey = new Map(run.params.map((p) => [p.key, p]));
      for (const p of command.params) byKey.set(p.key, p);
      run.params = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      return;
    }
    case 'finish-run':
      run.status = command.status;
      run.endTime = command.endTime;
      return;
  }
}

/** The runs of an event stream in start order, and the state to continue from. */
export function assembleRunsWithState(
  events: readonly CaptureEvent[],
  ids: RunIdSource,
  options?: CaptureOptions,
): { runs: AssembledRun[]; state: CaptureState } {
  const runs = new Map<string, AssembledRun>();
  let state = createCaptureState(options);
  for (const event of events) {
    const step = reduceCapture(state, event, ids);
    state = step.state;
    for (const command of step.commands) applyCaptureCommand(runs, command);
  }
  return { runs: [...runs.values()], state };
}

/** The runs of an event stream in start order; a run still open at the end of the stream is `running`. */
export function assembleRuns(events: readonly CaptureEvent[], ids: RunIdSource, options?: CaptureOptions): AssembledRun[] {
  return assembleRunsWithState(events, ids, options).runs;
}

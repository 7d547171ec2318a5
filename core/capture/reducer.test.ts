import { describe, expect, it } from 'vitest';
import { assembleRuns, assembleRunsWithState } from './assemble';
import { CaptureCommand, CaptureEvent } from './events';
import { reduceCapture, runName } from './reducer';
import { CaptureState, createCaptureState } from './state';
import { cellExecuted, counterIds, p, signal } from './test-events';

const executionIds = (run: { executions: { id: string }[] }) => run.executions.map((e) => e.id);

describe('run boundaries', () => {
  it('opens the first run with the first execution and names it after the notebook', () => {
    const state = createCaptureState();
    const step = reduceCapture(state, cellExecuted('e1', { at: 100, cellId: 'c1' }), counterIds());
    expect(step.commands).toEqual([
      {
        type: 'start-run',
        runId: 'run-1',
        name: 'train #1',
        startTime: 100,
        source: { kind: 'notebook', path: 'experiments/train.ipynb', cellIds: ['c1'] },
      },
      { type: 'append-cells', runId: 'run-1', executions: [expect.objectContaining({ id: 'e1' })] },
    ]);
    for (const c of step.commands) expect(CaptureCommand.safeParse(c).success).toBe(true);
    expect(step.state.openRun?.id).toBe('run-1');
  });

  it('starts a new run after a kernel restart, and never an empty one for boundaries in a row', () => {
    const runs = assembleRuns(
      [
        signal('kernel-started', 0),
        cellExecuted('e1', { at: 10 }),
        cellExecuted('e2', { at: 20 }),
        signal('kernel-restarted', 30),
        signal('new-run-requested', 31),
        signal('kernel-restarted', 32),
        cellExecuted('e3', { at: 40 }),
      ],
      counterIds(),
    );
    expect(runs.map((r) => [r.name, r.status, r.startTime, r.endTime, executionIds(r)])).toEqual([
      ['train #1', 'finished', 10, 30, ['e1', 'e2']],
      ['train #2', 'running', 40, null, ['e3']],
    ]);
  });

  it('starts a new run on "New run" without waiting for a kernel event', () => {
    const runs = assembleRuns(
      [cellExecuted('e1', { at: 1 }), signal('new-run-requested', 2), cellExecuted('e2', { at: 3 })],
      counterIds(),
    );
    expect(runs.map(executionIds)).toEqual([['e1'], ['e2']]);
    expect(runs[0]).toMatchObject({ status: 'finished', endTime: 2 });
  });

  it('keeps the run when the parameters cell is re-run with the same values in another order', () => {
    const runs = assembleRuns(
      [
        cellExecuted('e1', { at: 1, parameters: [p('lr', 0.1), p('opt', { name: 'adam', betas: [0.9, 0.99] })] }),
        cellExecuted('e2', { at: 2 }),
        cellExecuted('e3', { at: 3, parameters: [p('opt', { betas: [0.9, 0.99], name: 'adam' }), p('lr', 0.1)] }),
      ],
      counterIds(),
    );
    expect(runs.map(executionIds)).toEqual([['e1', 'e2', 'e3']]);
  });

  it('starts a new run when the parameters cell runs with different values, carrying the new params', () => {
    const events: CaptureEvent[] = [
      cellExecuted('e0', { at: 1, cellId: 'imports' }),
      cellExecuted('e1', { at: 2, parameters: [p('lr', 0.1), p('epochs', 3)] }),
      cellExecuted('e2', { at: 3 }),
      cellExecuted('e3', { at: 4, parameters: [p('lr', 0.2), p('epochs', 3)] }),
      cellExecuted('e4', { at: 5 }),
    ];
    const runs = assembleRuns(events, counterIds());
    expect(runs.map(executionIds)).toEqual([['e0', 'e1', 'e2'], ['e3', 'e4']]);
    expect(runs.map((r) => r.params)).toEqual([
      [p('epochs', 3), p('lr', 0.1)],
      [p('epochs', 3), p('lr', 0.2)],
    ]);
    expect(runs[0]).toMatchObject({ status: 'finished', endTime: 4 });
    expect(runs[1]).toMatchObject({ status: 'running', startTime: 4, name: 'train #2' });
  });

  it('does not let a failed parameters cell open a run or set params', () => {
    const runs = assembleRuns(
      [
        cellExecuted('e1', { at: 1, parameters: [p('lr', 0.1)] }),
        cellExecuted('e2', { at: 2, parameters: [], status: 'error' }),
        cellExecuted('e3', { at: 3, parameters: [p('lr', 0.1)] }),
      ],
      counterIds(),
    );
    expect(runs.map(executionIds)).toEqual([['e1', 'e2', 'e3']]);
    expect(runs[0]?.params).toEqual([p('lr', 0.1)]);
  });

  it('lets the first parameters-cell execution of a run define its params, after other cells', () => {
    const runs = assembleRuns(
      [
        cellExecuted('e1', { at: 1, parameters: [p('lr', 0.1)] }),
        signal('new-run-requested', 2),
        cellExecuted('e2', { at: 3, cellId: 'imports' }),
        cellExecuted('e3', { at: 4, parameters: [p('lr', 0.3)] }),
      ],
      counterIds(),
    );
    expect(runs.map(executionIds)).toEqual([['e1'], ['e2', 'e3']]);
    expect(runs[1]?.params).toEqual([p('lr', 0.3)]);
  });
});

describe('params of other cells', () => {
  it('records literal assignments, last value winning, without overriding the parameters cell', () => {
    const steps: CaptureEvent[] = [
      cellExecuted('e1', { at: 1, params: [p('lr', 0.5, 'literal-assignment'), p('seed', 1, 'literal-assignment')] }),
      cellExecuted('e2', { at: 2, parameters: [p('lr', 0.1)] }),
      cellExecuted('e3', { at: 3, params: [p('lr', 0.9, 'literal-assignment'), p('seed', 2, 'literal-assignment')] }),
    ];
    let state = createCaptureState();
    const logged: unknown[] = [];
    const ids = counterIds();
    for (const event of steps) {
      const step = reduceCapture(state, event, ids);
      state = step.state;
      for (const c of step.commands) if (c.type === 'log-params') logged.push(c.params);
    }
    // Only changes are logged: e3's lr is shadowed by the parameters cell, so only seed changes.
    expect(logged).toEqual([
      [p('lr', 0.5, 'literal-assignment'), p('seed', 1, 'literal-assignment')],
      [p('lr', 0.1)],
      [p('seed', 2, 'literal-assignment')],
    ]);
    const [run] = assembleRuns(steps, counterIds());
    expect(run?.params).toEqual([p('lr', 0.1), p('seed', 2, 'literal-assignment')]);
  });
});

describe('run status', () => {
  const afterError = (end: CaptureEvent) =>
    assembleRuns([cellExecuted('e1', { at: 1 }), cellExecuted('e2', { at: 2, status: 'error' }), end], counterIds());

  it('finishes a run whose last cell raised when the user restarts or shuts down', () => {
    expect(afterError(signal('kernel-restarted', 3))[0]).toMatchObject({ status: 'finished', endTime: 3 });
    expect(afterError(signal('kernel-shutdown', 3))[0]).toMatchObject({ status: 'finished', endTime: 3 });
    expect(afterError(signal('new-run-requested', 3))[0]).toMatchObject({ status: 'finished', endTime: 3 });
  });

  it('fails a run when the kernel dies under it', () => {
    expect(afterError(signal('kernel-restarted', 3, 'died'))[0]?.status).toBe('failed');
    const { runs, state } = assembleRunsWithState(
      [cellExecuted('e1', { at: 1 }), signal('kernel-shutdown', 3, 'died')],
      counterIds(),
    );
    expect(runs[0]?.status).toBe('failed');
    expect(state.openRun).toBeNull();
  });

  it('ignores kernel events when no run is open', () => {
    const state = createCaptureState();
    for (const e of [signal('kernel-shutdown', 5), signal('kernel-restarted', 5, 'died'), signal('new-run-requested', 5)]) {
      expect(reduceCapture(state, e, counterIds()).commands).toEqual([]);
    }
  });
});

describe('time and state', () => {
  it('keeps run times ordered when clocks go backwards', () => {
    const runs = assembleRuns(
      [cellExecuted('e1', { at: 500 }), signal('kernel-restarted', 400), cellExecuted('e2', { at: 100 })],
      counterIds(),
    );
    expect(runs.map((r) => [r.startTime, r.endTime])).toEqual([[500, 500], [500, null]]);
  });

  it('continues numbering from previous runs and survives a JSON round trip of its state', () => {
    const ids = counterIds();
    const first = reduceCapture(createCaptureState({ previousRunCount: 4 }), cellExecuted('e1', { at: 1 }), ids);
    const restored = CaptureState.parse(JSON.parse(JSON.stringify(first.state)));
    const next = reduceCapture(restored, signal('new-run-requested', 2), ids);
    const third = reduceCapture(next.state, cellExecuted('e2', { at: 3 }), ids);
    expect(third.commands[0]).toMatchObject({ type: 'start-run', name: 'train #6', runId: 'run-2' });
  });

  it('names runs after the notebook stem on any platform', () => {
    expect(runName('C:\\work\\Churn Model.ipynb', 2)).toBe('Churn Model #2');
    expect(runName('a/b/.hidden', 1)).toBe('.hidden #1');
    expect(runName('', 1)).toBe('notebook #1');
  });

  it('rejects malformed events at the edge', () => {
    expect(CaptureEvent.safeParse({ type: 'kernel-restarted', at: -1 }).success).toBe(false);
    expect(CaptureEvent.parse({ type: 'kernel-shutdown', at: 1 })).toEqual({ type: 'kernel-shutdown', at: 1, cause: 'requested' });
  });
});

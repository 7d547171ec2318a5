/**
 * Randomized checks of run assembly against an oracle written independently of the reducer: the stream is
 * cut into segments at kernel and "New run" events, and each segment into runs wherever two consecutive
 * successful parameters-cell executions carry different value sets (sets are compared by pool index here,
 * never by the reducer's canonical JSON).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonValue, Param } from '../schema';
import { assembleRuns } from './assemble';
import { CaptureCommand } from './events';
import type { CaptureEvent } from './events';
import { reduceCapture } from './reducer';
import { createCaptureState } from './state';
import type { CaptureState } from './state';
import { counterIds, execution } from './test-events';

const SIGNALS = ['kernel-started', 'kernel-restarted', 'kernel-shutdown', 'new-run-requested'] as const;

/** Value sets of the parameters cell; every pair differs. */
const PARAMETER_SETS: Record<string, JsonValue>[] = [
  { lr: 0.1, opt: { name: 'adam', betas: [0.9, 0.99] } },
  { lr: 0.2, opt: { name: 'adam', betas: [0.9, 0.99] } },
  { lr: 0.1 },
  {},
  { lr: 0.1, opt: { name: 'sgd', betas: [0.9, 0.99] } },
];
/** Literal assignments of other cells; `lr` collides with the parameters cell on purpose. */
const LITERAL_SETS: Record<string, JsonValue>[] = [{}, { seed: 1 }, { seed: 2, lr: 0.7 }, { batch: 32 }];

type Op =
  | { kind: 'signal'; type: (typeof SIGNALS)[number]; died: boolean; at: number }
  | {
      kind: 'exec';
      cellId: string;
      parametersCell: boolean;
      set: number;
      reversed: boolean;
      status: 'ok' | 'error' | 'aborted';
      at: number;
    };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('signal' as const), type: fc.constantFrom(...SIGNALS), died: fc.boolean(), at: fc.nat(10_000) }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('exec' as const),
      cellId: fc.constantFrom('c1', 'c2', 'c3'),
      parametersCell: fc.boolean(),
      set: fc.nat(PARAMETER_SETS.length - 1),
      reversed: fc.boolean(),
      status: fc.constantFrom('ok', 'ok', 'ok', 'error', 'aborted'),
      at: fc.nat(10_000),
    }),
  },
);
const opsArb = fc.array(opArb, { maxLength: 60 });

/** Reverses entry order at every level: equal JSON, different text. */
function reorder(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(reorder);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reorder(v)]));
  }
  return value;
}

function paramsOf(op: Extract<Op, { kind: 'exec' }>): Param[] {
  const values = op.parametersCell ? PARAMETER_SETS[op.set] : LITERAL_SETS[op.set % LITERAL_SETS.length];
  const origin = op.parametersCell ? 'parameters-cell' : 'literal-assignment';
  const params = Object.entries(values ?? {}).map(([key, value]): Param => ({ key, value: op.reversed ? reorder(value) : value, origin }));
  return op.reversed ? params.reverse() : params;
}

function toEvents(ops: Op[]): CaptureEvent[] {
  return ops.map((op, i): CaptureEvent => {
    if (op.kind === 'signal') {
      const cause = op.died ? 'died' : 'requested';
      return op.type === 'kernel-restarted' || op.type === 'kernel-shutdown' ? { type: op.type, at: op.at, cause } : { type: op.type, at: op.at };
    }
    return {
      type: 'cell-executed',
      at: op.at,
      notebookPath: 'nb/analysis.ipynb',
      execution: execution(`x${i}`, { cellId: op.cellId, startedAt: op.at, status: op.status }),
      isParametersCell: op.parametersCell,
      params: paramsOf(op),
    };
  });
}

interface ExpectedRun {
  ids: string[];
  status: 'running' | 'finished' | 'failed';
  params: Record<string, JsonValue>;
}

/** The runs the design promises, computed without the reducer. */
function oracle(ops: Op[]): ExpectedRun[] {
  const runs: ExpectedRun[] = [];
  let current: { ids: string[]; set: number | null; literals: Record<string, JsonValue> } | null = null;
  const close = (status: ExpectedRun['status']) => {
    if (!current) return;
    const fromCell = current.set === null ? {} : PARAMETER_SETS[current.set];
    runs.push({ ids: current.ids, status, params: { ...current.literals, ...fromCell } });
    current = null;
  };
  ops.forEach((op, i) => {
    if (op.kind === 'signal') {
      const died = op.died && (op.type === 'kernel-restarted' || op.type === 'kernel-shutdown');
      close(died ? 'failed' : 'finished');
      return;
    }
    const definesSet = op.parametersCell && op.status === 'ok';
    if (current && definesSet && current.set !== null && current.set !== op.set) close('finished');
    current ??= { ids: [], set: null, literals: {} };
    current.ids.push(`x${i}`);
    if (definesSet) current.set ??= op.set;
    else if (!op.parametersCell) Object.assign(current.literals, LITERAL_SETS[op.set % LITERAL_SETS.length]);
  });
  close('running');
  return runs;
}

/** Deep-freezes a state so any mutation by the reducer throws. */
function frozen<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) frozen(v);
    Object.freeze(value);
  }
  return value;
}

describe('run assembly properties', () => {
  it('partitions executions into the runs, statuses and params the oracle predicts', () => {
    fc.assert(
      fc.property(opsArb, (ops) => {
        const events = toEvents(ops);
        const runs = assembleRuns(events, counterIds());
        const expected = oracle(ops);
        // Every execution lands in exactly one run, runs hold consecutive executions, and the count matches.
        expect(runs.map((r) => r.executions.map((e) => e.id))).toEqual(expected.map((r) => r.ids));
        const all = runs.flatMap((r) => r.executions.map((e) => e.id));
        expect(new Set(all).size).toBe(events.filter((e) => e.type === 'cell-executed').length);
        expect(runs.map((r) => r.status)).toEqual(expected.map((r) => r.status));
        expect(runs.map((r) => Object.fromEntries(r.params.map((p) => [p.key, p.value])))).toEqual(
          expected.map((r) => r.params),
        );
      }),
    );
  });

  it('never lets runs overlap in time, whatever the clocks say', () => {
    fc.assert(
      fc.property(opsArb, (ops) => {
        const runs = assembleRuns(toEvents(ops), counterIds());
        runs.forEach((run, i) => {
          const next = runs[i + 1];
          if (run.endTime !== null) expect(run.startTime).toBeLessThanOrEqual(run.endTime);
          if (!next) return;
          expect(run.endTime).not.toBeNull();
          expect(run.endTime ?? Infinity).toBeLessThanOrEqual(next.startTime);
        });
      }),
    );
  });

  it('never opens a run when the parameters cell is re-run with the same values', () => {
    fc.assert(
      fc.property(opsArb, (ops) => {
        // After every successful parameters-cell execution, run it again with the same values in reverse order.
        const withRepeats: Op[] = [];
        const repeats = new Set<number>();
        for (const op of ops) {
          withRepeats.push(op);
          if (op.kind === 'exec' && op.parametersCell && op.status === 'ok') {
            repeats.add(withRepeats.length);
            withRepeats.push({ ...op, reversed: !op.reversed });
          }
        }
        const events = toEvents(withRepeats);
        expect(assembleRuns(events, counterIds()).length).toBe(assembleRuns(toEvents(ops), counterIds()).length);
        let state = createCaptureState();
        const ids = counterIds();
        events.forEach((event, i) => {
          const step = reduceCapture(state, event, ids);
          if (repeats.has(i)) expect(step.commands.map((c) => c.type)).not.toContain('start-run');
          state = step.state;
        });
      }),
    );
  });

  it('leaves no run open after a kernel shutdown, emits valid commands and never mutates its input', () => {
    fc.assert(
      fc.property(opsArb, (ops) => {
        let state: CaptureState = frozen(createCaptureState());
        const ids = counterIds();
        const replay = counterIds();
        let replayState = createCaptureState();
        for (const event of toEvents(ops)) {
          const step = reduceCapture(state, event, ids);
          for (const c of step.commands) expect(CaptureCommand.safeParse(c).success).toBe(true);
          if (event.type === 'kernel-shutdown') expect(step.state.openRun).toBeNull();
          // Deterministic: the same input state, event and id sequence give the same output.
          const again = reduceCapture(replayState, event, replay);
          expect(again).toEqual(step);
          replayState = again.state;
          state = frozen(step.state);
        }
      }),
    );
  });
});

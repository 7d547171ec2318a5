/**
 * The capture reducer's state for one notebook. It is plain JSON (a zod schema, not a class) so a frontend
 * can persist it next to its outbox and resume the open run after a page reload.
 */
import { z } from 'zod';
import { EntityId, Param, Timestamp } from '../schema';

/** The run that executions are currently appended to. */
export const OpenRun = z.object({
  id: EntityId,
  startTime: Timestamp,
  /** `paramSetKey` of the run's successful parameters-cell execution; null until the cell has run in it. */
  parametersKey: z.string().nullable(),
  /** Params set by the parameters cell: authoritative for their keys. */
  cellParams: z.record(z.string(), Param),
  /** Params from literal assignments (and other origins) of the other cells: last value wins. */
  otherParams: z.record(z.string(), Param),
});
export type OpenRun = z.infer<typeof OpenRun>;

/** Everything the reducer remembers between events. */
export const CaptureState = z.object({
  /** Runs this notebook has had, so the next one is named `<stem> #<runsStarted + 1>`. */
  runsStarted: z.number().int().nonnegative(),
  /** Latest time seen: frontend and kernel clocks may disagree, run times must still never go back. */
  clock: Timestamp,
  /** End of the last finished run: the next run never starts before it. */
  lastEndTime: Timestamp,
  openRun: OpenRun.nullable(),
});
export type CaptureState = z.infer<typeof CaptureState>;

/** Options of a fresh capture state. */
export const CaptureOptions = z.object({
  /** Runs the notebook's experiment already holds, so numbering continues across sessions. */
  previousRunCount: z.number().int().nonnegative().default(0),
});
export type CaptureOptions = z.input<typeof CaptureOptions>;

/** A state with no open run: the first execution will start one. */
export function createCaptureState(options: CaptureOptions = {}): CaptureState {
  const { previousRunCount } = CaptureOptions.parse(options);
  return { runsStarted: previousRunCount, clock: 0, lastEndTime: 0, openRun: null };
}

/**
 * What the frontends tell capture (events) and what capture asks the history to do (commands).
 * Both sides are zod unions so that an adapter can validate what it observed before feeding the reducer,
 * and a consumer can validate commands that crossed a process boundary (webview, worker, outbox).
 */
import { z } from 'zod';
import { CellExecution, EntityId, LIMITS, Param, RunSource, RunStatus, Timestamp } from '../schema';

/**
 * Why the kernel went away: `requested` by the user (restart/shutdown command, kernel switch) or `died`
 * (crash, OOM; JupyterLab reports it as the `dead` / `autorestarting` status).
 */
export const KernelEndCause = z.enum(['requested', 'died']);
export type KernelEndCause = z.infer<typeof KernelEndCause>;

/** A kernel came up for the notebook (first start or a kernel switch). */
export const KernelStartedEvent = z.object({ type: z.literal('kernel-started'), at: Timestamp });

/** The notebook's kernel was restarted, by the user or after it died. */
export const KernelRestartedEvent = z.object({
  type: z.literal('kernel-restarted'),
  at: Timestamp,
  cause: KernelEndCause.default('requested'),
});

/** The notebook's kernel is gone and no replacement is starting. */
export const KernelShutdownEvent = z.object({
  type: z.literal('kernel-shutdown'),
  at: Timestamp,
  cause: KernelEndCause.default('requested'),
});

/** The user's "New run" command. */
export const NewRunRequestedEvent = z.object({ type: z.literal('new-run-requested'), at: Timestamp });

/**
 * One finished cell execution, as observed by a frontend plus the kernel delta. `params` are those the
 * kernel helper extracted: the parameters cell's assignments when `isParametersCell` (tag `parameters`,
 * papermill's convention), otherwise literal assignments of the cell.
 */
export const CellExecutedEvent = z.object({
  type: z.literal('cell-executed'),
  at: Timestamp,
  notebookPath: z.string().min(1).max(4096),
  execution: CellExecution,
  isParametersCell: z.boolean().default(false),
  params: z.array(Param).default([]),
});
export type CellExecutedEvent = z.infer<typeof CellExecutedEvent>;

/** Everything the capture reducer listens to, for one notebook. */
export const CaptureEvent = z.discriminatedUnion('type', [
  KernelStartedEvent,
  KernelRestartedEvent,
  KernelShutdownEvent,
  NewRunRequestedEvent,
  CellExecutedEvent,
]);
export type CaptureEvent = z.infer<typeof CaptureEvent>;

/** The `source` of a run captured from a notebook. */
export const NotebookRunSource = RunSource.options[0];
export type NotebookRunSource = z.infer<typeof NotebookRunSource>;

/** Create a run. `source.cellIds` holds the cell that opened the run; later cells arrive as executions. */
export const StartRunCommand = z.object({
  type: z.literal('start-run'),
  runId: EntityId,
  name: z.string().min(1).max(LIMITS.maxNameLength),
  startTime: Timestamp,
  source: NotebookRunSource,
});

/** Append executions to a run (idempotent downstream: executions carry their own ids). */
export const AppendCellsCommand = z.object({
  type: z.literal('append-cells'),
  runId: EntityId,
  executions: z.array(CellExecution).min(1),
});

/** Set params of a run; only keys that are new or whose value changed are listed (upsert by key). */
export const LogParamsCommand = z.object({
  type: z.literal('log-params'),
  runId: EntityId,
  params: z.array(Param).min(1),
});

/** End a run. */
export const FinishRunCommand = z.object({
  type: z.literal('finish-run'),
  runId: EntityId,
  status: RunStatus.exclude(['running']),
  endTime: Timestamp,
});

/** What the reducer asks the experiment history to record, in order. */
export const CaptureCommand = z.discriminatedUnion('type', [
  StartRunCommand,
  AppendCellsCommand,
  LogParamsCommand,
  FinishRunCommand,
]);
export type CaptureCommand = z.infer<typeof CaptureCommand>;

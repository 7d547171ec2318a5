/**
 * The delta protocol between a frontend and the runtrail kernel helper (packages/kernel/runtrail_kernel.py).
 *
 * After every cell execution the frontend sends ONE silent execute request (silent, store_history false, so
 * the execution counter and history are untouched and nothing shows in the notebook) whose code is empty
 * and whose `user_expressions` hold
 *     { "runtrail": "__import__('runtrail')._delta(<DeltaRequest as a JSON string literal>)" }
 * The helper answers with `IPython.display.JSON(<KernelDelta>)`, so the reply carries it at
 *     reply.content.user_expressions.runtrail.data['application/json']
 * If the helper is missing (kernel restarted, injection not done yet) the expression fails with NameError /
 * ModuleNotFoundError: the frontend injects the helper (`bootstrapCode`) and asks again.
 *
 * The helper keeps everything it learns between deltas (post_run_cell hook, `runtrail.log_metric`, ...) and
 * hands it over exactly once: a delta it returned is not returned again. `seq` numbers deltas per kernel
 * process so a frontend can tell a repeated answer from a new one. Because the kernel runs requests in
 * order, a delta asked after execution N may already cover N+1..M that were queued before it ("Run all"):
 * per-execution facts come as `cells` records keyed by execution count; data snapshots, metrics and the
 * environment belong to the batch and are recorded on the run of its last execution.
 */
import { z } from 'zod';
import { DataSnapshot, Environment, Metric, Param, Sha256, Tag } from '../schema';

/** What the frontend asks of the helper. */
export const DeltaRequest = z.object({
  v: z.literal(1),
  /** Include the environment (the frontend asks when the next execution may open a run). */
  environment: z.boolean(),
  /** Size cap (bytes) above which a data object is fingerprinted from a sample (`sampled: true`). */
  snapshotMaxBytes: z.number().int().positive(),
  /** Folder of the notebook: files opened for reading under it are reported as file snapshots. */
  notebookDir: z.string(),
});
export type DeltaRequest = z.infer<typeof DeltaRequest>;

/**
 * What the helper saw of one execution (its post_run_cell hook). A delta can cover several executions:
 * "Run all" queues every cell before the first delta request, which the kernel then answers after them.
 */
export const KernelCellRecord = z.object({
  executionCount: z.number().int().nullable(),
  /** Top-level assignments of literals (origin literal-assignment; the frontend makes them parameters-cell). */
  params: z.array(Param),
  /** Names the execution bound or rebound at top level. */
  namesWritten: z.array(z.string()),
});
export type KernelCellRecord = z.infer<typeof KernelCellRecord>;

/**
 * A snapshot as the kernel reports it: the frontend adds the id and the capture time. Large objects are
 * fingerprinted in the helper's background thread and come in a later delta, with the execution count of the
 * execution after which they were seen (`executionCount`).
 */
export const KernelSnapshot = DataSnapshot.omit({ id: true, capturedAt: true }).extend({
  executionCount: z.number().int().nullable().optional(),
});
export type KernelSnapshot = z.infer<typeof KernelSnapshot>;

/**
 * Column statistics that the helper computed in the background for a snapshot it reported earlier with
 * `statsPending: true` (matched by fingerprint and name; empty when they could not be computed faithfully).
 */
export const KernelColumnStats = z.object({
  fingerprint: DataSnapshot.shape.fingerprint,
  name: DataSnapshot.shape.name,
  columns: DataSnapshot.shape.columns,
});
export type KernelColumnStats = z.infer<typeof KernelColumnStats>;

/** An artifact the user logged with `runtrail.log_artifact(path)`; the helper uploaded (or spooled) it. */
export const KernelArtifact = z.object({ path: z.string(), size: z.number().int().nonnegative(), sha256: Sha256 });

/** The helper's answer: what happened since the previous delta. */
export const KernelDelta = z.object({
  v: z.literal(1),
  seq: z.number().int().nonnegative(),
  /** One record per execution since the previous delta, in execution order. */
  cells: z.array(KernelCellRecord),
  /** Params set with `runtrail.log_param` (origin explicit). */
  explicitParams: z.array(Param).default([]),
  metrics: z.array(Metric),
  tags: z.array(Tag).default([]),
  /** Data objects whose content changed (new name, or same name with a new fingerprint), and files read. */
  snapshots: z.array(KernelSnapshot),
  /** Statistics finished since the previous delta for snapshots reported with `statsPending`. */
  columnStats: z.array(KernelColumnStats).default([]),
  /**
   * Large objects whose state was changed again (or deleted) before the helper's background thread, which waits
   * for the kernel to be idle, fingerprinted it: that execution's state of the object has no snapshot.
   */
  superseded: z.array(z.object({ name: z.string(), executionCount: z.number().int().nullable() })).optional(),
  /** Snapshots or statistics still being computed: the frontend asks for another delta once the kernel is idle. */
  pending: z.number().int().nonnegative().default(0),
  artifacts: z.array(KernelArtifact).default([]),
  environment: Environment.nullable().default(null),
  /** Problems the helper hit (never raised into the user's cell): shown as a tracking warning. */
  warnings: z.array(z.string()).default([]),
});
export type KernelDelta = z.infer<typeof KernelDelta>;

/** The user expression that asks the helper for a delta. */
export function deltaExpression(request: DeltaRequest): string {
  return `__import__('runtrail')._delta(${JSON.stringify(JSON.stringify(DeltaRequest.parse(request)))})`;
}

/** Python source that installs the helper module (source given as text) as `runtrail` in the kernel. */
export function bootstrapCode(helperSource: string, config: { backendUrl: string | null; token: string | null }): string {
  return [
    'def __runtrail_bootstrap(src, config):',
    '    import sys, types',
    "    module = types.ModuleType('runtrail')",
    "    module.__file__ = '<runtrail>'",
    "    exec(compile(src, '<runtrail>', 'exec'), module.__dict__)",
    "    sys.modules['runtrail'] = module",
    '    module._install(config)',
    `__runtrail_bootstrap(${JSON.stringify(helperSource)}, ${JSON.stringify(JSON.stringify(config))})`,
    'del __runtrail_bootstrap',
  ].join('\n');
}

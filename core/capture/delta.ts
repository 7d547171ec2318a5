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
 * process so a frontend can tell a repeated answer from a new one.
 */
import { z } from 'zod';
import { DataSnapshot, Environment, Metric, Param, Sha256, Tag } from '../schema';

/** What the frontend tells the helper about the execution it asks a delta for. */
export const DeltaRequest = z.object({
  v: z.literal(1),
  /** nbformat cell id of the executed cell (for files-opened and names bookkeeping). */
  cellId: z.string(),
  /** The cell carries the `parameters` tag: all its top-level assignments of literals are params. */
  parameters: z.boolean(),
  /** Include the environment (once per run: the frontend asks on a run's first execution). */
  environment: z.boolean(),
  /** Size cap (bytes) above which a data object is fingerprinted from a sample (`sampled: true`). */
  snapshotMaxBytes: z.number().int().positive(),
  /** Folder of the notebook, relative files opened under it are reported as file snapshots. */
  notebookDir: z.string(),
});
export type DeltaRequest = z.infer<typeof DeltaRequest>;

/** A snapshot as the kernel reports it: the frontend adds the id and the capture time. */
export const KernelSnapshot = DataSnapshot.omit({ id: true, capturedAt: true });
export type KernelSnapshot = z.infer<typeof KernelSnapshot>;

/** An artifact the user logged with `runtrail.log_artifact(path)`; the helper uploaded (or spooled) it. */
export const KernelArtifact = z.object({ path: z.string(), size: z.number().int().nonnegative(), sha256: Sha256 });

/** The helper's answer: what changed since the previous delta. */
export const KernelDelta = z.object({
  v: z.literal(1),
  seq: z.number().int().nonnegative(),
  /** Params of the parameters cell (origin parameters-cell) or literal assignments (origin literal-assignment). */
  params: z.array(Param),
  /** Params set with `runtrail.log_param` (origin explicit). */
  explicitParams: z.array(Param).default([]),
  metrics: z.array(Metric),
  tags: z.array(Tag).default([]),
  /** Data objects whose content changed (new name, or same name with a new fingerprint), and files read. */
  snapshots: z.array(KernelSnapshot),
  artifacts: z.array(KernelArtifact).default([]),
  /** Names the last cell bound or rebound at top level. */
  namesWritten: z.array(z.string()).default([]),
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

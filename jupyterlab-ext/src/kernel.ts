/**
 * The kernel side of capture in JupyterLab: injects the runtrail helper into a kernel and asks it for
 * deltas with one silent execute request (user_expressions), as core/capture/delta.ts describes.
 */
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import { bootstrapCode, deltaExpression, KernelDelta, type DeltaRequest } from '@runtrail/core/capture';
import helperSource from '../../packages/kernel/runtrail_kernel.py';

/** Connection settings the helper uses to upload logged artifacts itself. */
export interface HelperConfig {
  backendUrl: string | null;
  token: string | null;
}

/** A delta, or why there is none. */
export type DeltaAnswer = { delta: KernelDelta } | { delta: null; problem: string };

async function silentExecute(kernel: Kernel.IKernelConnection, code: string, expressions: Record<string, string>, timeoutMs: number) {
  const future = kernel.requestExecute({ code, silent: true, store_history: false, user_expressions: expressions, allow_stdin: false, stop_on_error: false }, true);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
  try {
    return (await Promise.race([future.done, timeout])) as KernelMessage.IExecuteReplyMsg | null;
  } finally {
    clearTimeout(timer);
  }
}

/** Installs the helper as `runtrail` in the kernel; resolves false (with the reason) when it could not. */
export async function injectHelper(kernel: Kernel.IKernelConnection, config: HelperConfig, timeoutMs = 10_000): Promise<string | null> {
  const reply = await silentExecute(kernel, bootstrapCode(helperSource, config), {}, timeoutMs);
  if (!reply) return 'the kernel did not answer the helper injection in time';
  const content = reply.content as { status: string; ename?: string; evalue?: string };
  return content.status === 'ok' ? null : `helper injection failed: ${content.ename}: ${content.evalue}`;
}

type Expression = { status: 'ok'; data: Record<string, unknown> } | { status: 'error'; ename: string; evalue: string };

/** Asks the helper for a delta; injects it first when the kernel does not have it (fresh or restarted). */
export async function requestDelta(
  kernel: Kernel.IKernelConnection,
  request: DeltaRequest,
  config: HelperConfig,
  timeoutMs = 30_000,
): Promise<DeltaAnswer> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const reply = await silentExecute(kernel, '', { runtrail: deltaExpression(request) }, timeoutMs);
    if (!reply) return { delta: null, problem: 'the kernel is busy or not answering' };
    const expression = (reply.content as { user_expressions?: Record<string, Expression> }).user_expressions?.runtrail;
    if (expression?.status === 'ok') {
      const parsed = KernelDelta.safeParse(expression.data['application/json']);
      if (parsed.success) return { delta: parsed.data };
      return { delta: null, problem: `the helper answered an unexpected delta: ${parsed.error.issues[0]?.message}` };
    }
    const missing = expression && (expression.ename === 'ModuleNotFoundError' || expression.ename === 'ImportError' || expression.ename === 'AttributeError');
    if (!missing || attempt > 0) {
      return { delta: null, problem: expression ? `${expression.ename}: ${expression.evalue}` : 'no answer from the helper' };
    }
    const problem = await injectHelper(kernel, config);
    if (problem) return { delta: null, problem };
  }
  return { delta: null, problem: 'unreachable' };
}

/** What the rider hands over after each of the user's executions: the delta, or why there is none. */
export type RiddenDelta = { executionCount: number | null; delta: KernelDelta | null; problem: string | null };

/**
 * Makes every delta ride on the user's own execute request: wraps the kernel connection's `requestExecute` so
 * that a non-silent request also carries the delta expression in `user_expressions`. The kernel evaluates it
 * right after the cell, in the same round trip, so capture costs no extra request (measured: a separate
 * request adds 3-5 ms of ipykernel overhead per cell). `onDelta` runs before JupyterLab hears of the reply.
 * Returns a function that removes the wrapper.
 */
export function rideDeltas(
  kernel: Kernel.IKernelConnection,
  request: () => DeltaRequest | null,
  onDelta: (answer: RiddenDelta) => void,
): () => void {
  const target = kernel as Kernel.IKernelConnection & { requestExecute: Kernel.IKernelConnection['requestExecute'] };
  const original = target.requestExecute;
  const wrapped: Kernel.IKernelConnection['requestExecute'] = function (this: unknown, content, disposeOnDone, metadata) {
    const delta = content.silent || !content.code?.trim() ? null : request();
    if (!delta) return original.call(target, content, disposeOnDone, metadata);
    const expressions = { ...(content.user_expressions ?? {}), runtrail: deltaExpression(delta) };
    const future = original.call(target, { ...content, user_expressions: expressions }, disposeOnDone, metadata);
    future.done.then(
      (reply) => onDelta(readRiddenDelta(reply as KernelMessage.IExecuteReplyMsg)),
      () => onDelta({ executionCount: null, delta: null, problem: 'the execution was interrupted' }),
    );
    return future;
  };
  target.requestExecute = wrapped;
  return () => {
    if (target.requestExecute === wrapped) target.requestExecute = original;
  };
}

function readRiddenDelta(reply: KernelMessage.IExecuteReplyMsg): RiddenDelta {
  const content = reply.content as { status: string; execution_count?: number; user_expressions?: Record<string, Expression> };
  const executionCount = typeof content.execution_count === 'number' ? content.execution_count : null;
  // ipykernel evaluates user expressions only when the cell succeeded.
  const expression = content.user_expressions?.runtrail;
  if (!expression) return { executionCount, delta: null, problem: null };
  if (expression.status !== 'ok') return { executionCount, delta: null, problem: `${expression.ename}: ${expression.evalue}` };
  const parsed = KernelDelta.safeParse(expression.data['application/json']);
  return parsed.success
    ? { executionCount, delta: parsed.data, problem: null }
    : { executionCount, delta: null, problem: `the helper answered an unexpected delta: ${parsed.error.issues[0]?.message}` };
}

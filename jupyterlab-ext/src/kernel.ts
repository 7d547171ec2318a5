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

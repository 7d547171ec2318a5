/**
 * The kernel side of full capture: injects the runtrail helper (packages/kernel) into a kernel and reads its
 * deltas, following the protocol of core/capture/delta.ts. The controller sends the delta expression with the
 * cell's own execute request (no extra round trip); only when that carries none (the cell failed: ipykernel
 * skips user expressions then; or the helper was missing) does it ask with one silent request.
 */
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import { bootstrapCode, deltaExpression, KernelDelta, type DeltaRequest } from '@runtrail/core/capture';

/** The user-expression key the delta rides under. */
export const DELTA_KEY = 'runtrail';

/** What the helper needs to upload logged artifacts itself. */
export interface HelperConfig {
  backendUrl: string | null;
  token: string | null;
}

/** A delta, or why there is none. */
export type DeltaAnswer = { delta: KernelDelta; problem: null } | { delta: null; problem: string | null };

type Expression = { status: 'ok'; data: Record<string, unknown> } | { status: string; ename?: string; evalue?: string };

/** The user expressions that ask for a delta with a cell's execute request. */
export function deltaExpressions(request: DeltaRequest | null): Record<string, string> {
  return request ? { [DELTA_KEY]: deltaExpression(request) } : {};
}

/** Reads the delta from an execute reply's content; `problem` is null when the reply simply has none. */
export function readDelta(content: object): DeltaAnswer {
  const expression = ((content as { user_expressions?: unknown }).user_expressions as Record<string, Expression> | undefined)?.[DELTA_KEY];
  if (!expression) return { delta: null, problem: null };
  if (expression.status !== 'ok' || !('data' in expression)) {
    const failed = expression as { ename?: string; evalue?: string };
    return { delta: null, problem: `${failed.ename ?? 'Error'}: ${failed.evalue ?? ''}` };
  }
  const parsed = KernelDelta.safeParse(expression.data['application/json']);
  return parsed.success
    ? { delta: parsed.data, problem: null }
    : { delta: null, problem: `the helper answered an unexpected delta: ${parsed.error.issues[0]?.message}` };
}

/** True when a failed delta expression means the helper is not in the kernel (fresh or restarted kernel). */
export function helperMissing(problem: string | null): boolean {
  return problem !== null && /^(ModuleNotFoundError|ImportError|AttributeError|NameError):/.test(problem);
}

async function silentExecute(kernel: Kernel.IKernelConnection, code: string, expressions: Record<string, string>, timeoutMs: number) {
  const future = kernel.requestExecute({ code, silent: true, store_history: false, user_expressions: expressions, allow_stdin: false, stop_on_error: false });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
  try {
    return (await Promise.race([future.done, timeout])) as KernelMessage.IExecuteReplyMsg | null;
  } finally {
    clearTimeout(timer);
  }
}

/** Installs the helper as `runtrail` in the kernel; resolves null, or why it could not. */
export async function injectHelper(kernel: Kernel.IKernelConnection, helperSource: string, config: HelperConfig, timeoutMs = 10_000): Promise<string | null> {
  const reply = await silentExecute(kernel, bootstrapCode(helperSource, config), {}, timeoutMs);
  if (!reply) return 'the kernel did not answer the helper injection in time';
  const content = reply.content as { status: string; ename?: string; evalue?: string };
  return content.status === 'ok' ? null : `helper injection failed: ${content.ename}: ${content.evalue}`;
}

/** Asks the helper for a delta with a silent request; injects it first when the kernel lacks it. */
export async function requestDelta(
  kernel: Kernel.IKernelConnection,
  request: DeltaRequest,
  helperSource: string,
  config: HelperConfig,
  timeoutMs = 30_000,
): Promise<DeltaAnswer> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const reply = await silentExecute(kernel, '', deltaExpressions(request), timeoutMs);
    if (!reply) return { delta: null, problem: 'the kernel is busy or not answering' };
    const answer = readDelta(reply.content);
    if (answer.delta || !helperMissing(answer.problem) || attempt > 0) return answer.delta || answer.problem ? answer : { delta: null, problem: 'no answer from the helper' };
    const problem = await injectHelper(kernel, helperSource, config);
    if (problem) return { delta: null, problem };
  }
  return { delta: null, problem: 'no answer from the helper' };
}

/**
 * Scheduling of a pipeline run, as pure functions over step states: which steps may start now (all their
 * upstream steps done, within the parallelism bound), which are blocked by a failure (every step downstream of
 * it, and only those), and which steps `--only` selects (the named steps and what they read from).
 */
import { PipelineError } from './errors';
import type { PipelineSpec, PipelineStep } from './model';

/** Where a step is in a run. `blocked`: an upstream step failed or was cancelled. */
export type StepState = 'pending' | 'running' | 'done' | 'failed' | 'blocked' | 'cancelled';

/** Names of the steps `step` reads from. */
export function upstreamOf(step: Pick<PipelineStep, 'inputs'>): string[] {
  return [...new Set(step.inputs.flatMap((i) => (i.from === 'step' ? [i.step] : [])))];
}

/** Pending steps whose upstream steps are all done, in `order`, at most enough to fill `parallelism` slots. */
export function readySteps(order: readonly PipelineStep[], states: ReadonlyMap<string, StepState>, parallelism: number): PipelineStep[] {
  const running = [...states.values()].filter((s) => s === 'running').length;
  const free = Math.max(0, parallelism - running);
  const ready = order.filter((s) => states.get(s.name) === 'pending' && upstreamOf(s).every((u) => states.get(u) === 'done'));
  return ready.slice(0, free);
}

/** Every step downstream of `failed` (transitively) that is still pending: these must not run. */
export function dependentsOf(order: readonly PipelineStep[], failed: string): string[] {
  const hit = new Set([failed]);
  const out: string[] = [];
  for (const step of order) {
    if (upstreamOf(step).some((u) => hit.has(u))) {
      hit.add(step.name);
      out.push(step.name);
    }
  }
  return out;
}

/** The steps to run for `--only`: the named steps and, transitively, the steps they read from (in `order`). */
export function selectSteps(spec: PipelineSpec, order: readonly PipelineStep[], only: readonly string[]): PipelineStep[] {
  if (only.length === 0) return [...order];
  const byName = new Map(spec.steps.map((s) => [s.name, s]));
  const wanted = new Set<string>();
  const visit = (name: string) => {
    if (wanted.has(name)) return;
    const step = byName.get(name);
    if (!step) throw new PipelineError(`no step named "${name}" (steps: ${spec.steps.map((s) => s.name).join(', ') || 'none'})`, '--only');
    wanted.add(name);
    upstreamOf(step).forEach(visit);
  };
  only.forEach(visit);
  return order.filter((s) => wanted.has(s.name));
}

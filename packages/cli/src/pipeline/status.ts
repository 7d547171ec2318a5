/**
 * `runtrail pipeline status`: for each step, cached or stale and why (code, params or an input changed, an
 * upstream step is stale, never run). Nothing runs: a step downstream of a stale step is reported as waiting,
 * since its inputs are only known once the upstream step has run again.
 */
import { topologicalOrder, upstreamOf, type PipelineSpec } from '@runtrail/core/pipeline';
import type { JsonValue } from '@runtrail/core/schema';
import type { CachedOutput, PipelineCache } from './cache';
import { checkStep } from './keys';

/** The status of one step. */
export interface StepStatus {
  step: string;
  state: 'cached' | 'stale';
  reasons: string[];
  key?: string;
  /** The run that computed the cached outputs. */
  runId?: string;
}

/** Status of every step, in topological order. */
export function pipelineStatus(spec: PipelineSpec, cache: PipelineCache, overrides: Record<string, JsonValue>): StepStatus[] {
  const outputs = new Map<string, CachedOutput[]>();
  const stale = new Set<string>();
  const out: StepStatus[] = [];
  for (const step of topologicalOrder(spec)) {
    const staleUpstream = upstreamOf(step).filter((u) => stale.has(u));
    if (staleUpstream.length) {
      stale.add(step.name);
      out.push({ step: step.name, state: 'stale', reasons: staleUpstream.map((u) => `upstream step "${u}" is stale`) });
      continue;
    }
    const data = step.inputs.find((i) => i.from === 'data');
    if (data) {
      stale.add(step.name);
      out.push({ step: step.name, state: 'stale', reasons: [`cannot run: input "${data.name}" is data from the notebook; promote the cell that makes it`] });
      continue;
    }
    try {
      const check = checkStep(cache, spec, step, overrides, outputs);
      if (check.entry) {
        outputs.set(step.name, check.entry.outputs);
        out.push({ step: step.name, state: 'cached', reasons: [], key: check.key, ...(check.entry.runId ? { runId: check.entry.runId } : {}) });
      } else {
        stale.add(step.name);
        out.push({ step: step.name, state: 'stale', reasons: check.reasons, key: check.key });
      }
    } catch (error) {
      stale.add(step.name);
      out.push({ step: step.name, state: 'stale', reasons: [(error as Error).message] });
    }
  }
  return out;
}

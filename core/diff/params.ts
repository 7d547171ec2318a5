/** Param and metric sections of a run diff. */
import type { MetricSummary, Param } from '../schema';
import type { MetricDiff, ParamDiff } from './model';
import { delta, jsonEqual, relativeDelta, statusOf, unionKeys } from './values';

/** Params of two runs by key, sorted by key. */
export function diffParams(a: readonly Param[], b: readonly Param[]): ParamDiff[] {
  const left = new Map(a.map((p) => [p.key, p.value]));
  const right = new Map(b.map((p) => [p.key, p.value]));
  return unionKeys(left, right).map((key): ParamDiff => {
    const hasA = left.has(key);
    const hasB = right.has(key);
    const va = left.get(key);
    const vb = right.get(key);
    const equal = hasA && hasB && va !== undefined && vb !== undefined && jsonEqual(va, vb);
    const out: ParamDiff = { key, status: statusOf(hasA, hasB, equal) };
    if (hasA) out.a = va;
    if (hasB) out.b = vb;
    return out;
  });
}

/** Metrics of two runs by key (last values), sorted by key. */
export function diffMetrics(a: readonly MetricSummary[], b: readonly MetricSummary[]): MetricDiff[] {
  const left = new Map(a.map((m) => [m.key, m.last]));
  const right = new Map(b.map((m) => [m.key, m.last]));
  return unionKeys(left, right).map((key): MetricDiff => {
    const hasA = left.has(key);
    const hasB = right.has(key);
    const va = left.get(key) ?? null;
    const vb = right.get(key) ?? null;
    const out: MetricDiff = {
      key,
      status: statusOf(hasA, hasB, va === vb),
      delta: hasA && hasB ? delta(va, vb) : null,
      relativeDelta: hasA && hasB ? relativeDelta(va, vb) : null,
    };
    if (hasA) out.a = va;
    if (hasB) out.b = vb;
    return out;
  });
}

/**
 * Param values as capture compares them: two executions of the parameters cell carry "the same values"
 * when their params are equal as JSON, whatever the order of the assignments or of object keys.
 */
import type { JsonValue, Param } from '../schema';

/** JSON text of a value with object keys sorted, so equal values give equal text. */
export function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] as JsonValue)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Params by key; a key given twice keeps its last value, as the later assignment wins in Python. */
export function paramsByKey(params: readonly Param[]): Record<string, Param> {
  // A null prototype keeps a param named `__proto__` an ordinary entry.
  const out: Record<string, Param> = Object.create(null) as Record<string, Param>;
  for (const p of params) out[p.key] = p;
  return out;
}

/** One string per set of param values: equal iff the sets are equal (keys, values; origins ignored). */
export function paramSetKey(params: readonly Param[]): string {
  const byKey = paramsByKey(params);
  return canonicalJson(Object.fromEntries(Object.keys(byKey).sort().map((k) => [k, byKey[k]?.value ?? null])));
}

/** Entries of `after` that are new or differ (value or origin) from `before`, sorted by key. */
export function changedParams(before: Record<string, Param>, after: Record<string, Param>): Param[] {
  const out: Param[] = [];
  for (const key of Object.keys(after).sort()) {
    const next = after[key];
    const prev = before[key];
    if (!next) continue;
    if (prev && prev.origin === next.origin && canonicalJson(prev.value) === canonicalJson(next.value)) continue;
    out.push(next);
  }
  return out;
}

/**
 * Value comparisons shared by every section of a diff: JSON equality that ignores object key order, and
 * deltas that never report -0 (so a diff and its mirror compare equal).
 */
import type { ChangeStatus } from './model';
import type { JsonValue } from '../schema';

/** JSON text with object keys sorted: equal values give equal text. */
function canonical(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k] as JsonValue)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Whether two JSON values are equal, whatever the order of object keys. */
export function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  return a === b || canonical(a) === canonical(b);
}

/** `b - a`, or null unless both are finite numbers and so is their difference. */
export function delta(a: unknown, b: unknown): number | null {
  if (typeof a !== 'number' || typeof b !== 'number') return null;
  const d = b - a;
  return Number.isFinite(d) ? d + 0 : null; // + 0 turns -0 into 0
}

/** `(b - a) / |a|`, or null when there is no delta, `a` is 0 or the ratio overflows (tiny `a`). */
export function relativeDelta(a: unknown, b: unknown): number | null {
  const d = delta(a, b);
  if (d === null || a === 0) return null;
  const r = d / Math.abs(a as number);
  return Number.isFinite(r) ? r + 0 : null;
}

/** The status of an item present on `hasA` / `hasB` sides that are (or are not) equal. */
export function statusOf(hasA: boolean, hasB: boolean, equal: boolean): ChangeStatus {
  if (hasA && hasB) return equal ? 'same' : 'changed';
  return hasA ? 'removed' : 'added';
}

/** Keys of two maps, sorted, each once. */
export function unionKeys<K extends string>(a: ReadonlyMap<K, unknown>, b: ReadonlyMap<K, unknown>): K[] {
  return [...new Set([...a.keys(), ...b.keys()])].sort();
}

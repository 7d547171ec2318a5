/** Row helpers both store adapters share, so their projections and pages cannot drift apart. */
import { encodeCursor } from './cursor';
import type { Page } from './port';

/** A param value as the search index stores it: its text, and its number when it reads as one. */
export function paramColumns(value: unknown): { text: string; num: number | null } {
  if (typeof value === 'number') return { text: String(value), num: value };
  if (typeof value === 'string') {
    const n = value.trim() === '' ? NaN : Number(value);
    return { text: value, num: Number.isFinite(n) ? n : null };
  }
  return { text: JSON.stringify(value), num: null };
}

/** A page from `pageSize + 1` fetched rows: the extra row only says that another page exists. */
export function page<T>(rows: T[], pageSize: number, offset: number, query: unknown): Page<T> {
  const more = rows.length > pageSize;
  return { items: more ? rows.slice(0, pageSize) : rows, nextCursor: more ? encodeCursor(offset + pageSize, query) : null };
}

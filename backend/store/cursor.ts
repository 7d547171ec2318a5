/** Opaque page cursors: an offset, bound to the query it was issued for so it cannot be replayed elsewhere. */
import { createHash } from 'node:crypto';
import { ApiError } from '../errors';

function queryTag(query: unknown): string {
  return createHash('sha256').update(JSON.stringify(query)).digest('base64url').slice(0, 10);
}

/** Encodes the offset of the next page of `query`. */
export function encodeCursor(offset: number, query: unknown): string {
  return Buffer.from(JSON.stringify({ o: offset, q: queryTag(query) })).toString('base64url');
}

/** Decodes a cursor issued for `query`; a malformed or foreign cursor is a 400 naming the field. */
export function decodeCursor(cursor: string | null | undefined, query: unknown, path = 'cursor'): number {
  if (!cursor) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown; q?: unknown };
    if (typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0 && parsed.q === queryTag(query)) {
      return parsed.o;
    }
  } catch {
    // fall through to the error below
  }
  throw new ApiError(400, 'INVALID_CURSOR', 'cursor is malformed or belongs to a different query', path);
}

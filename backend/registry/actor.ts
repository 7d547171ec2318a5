/** Who is making a request, for the registry's audit log. */
import type { Context } from 'hono';

/**
 * The acting user: whatever the auth layer stored under `actor` on the request context, else `local` (the
 * single-user token of the embedded backend).
 */
export function requestActor(context: Context): string {
  const actor = (context.get as (key: string) => unknown)('actor');
  return typeof actor === 'string' && actor ? actor : 'local';
}

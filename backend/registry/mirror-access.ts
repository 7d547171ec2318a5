/**
 * Who may sync a workspace's registry mirror: any member of the workspace (viewer or more), read only for all,
 * the local token included; the registry changes through REST and the MLflow API, never through the doc.
 */
import type { IncomingMessage } from 'node:http';
import { AuthError, type AuthGate } from '../auth/gate';
import type { SyncAccess } from '../sync/websocket';

/** The access of an upgrade request to the mirror of `workspaceId`: 401 without a valid token, 404 for non-members. */
export async function authorizeRegistrySync(gate: AuthGate, request: IncomingMessage, workspaceId: string): Promise<SyncAccess> {
  const query = new URL(request.url ?? '/', 'http://localhost').searchParams.get('token');
  try {
    const principal = await gate.authenticate(request.headers.authorization ?? (query === null ? null : `Bearer ${query}`));
    if (principal.kind === 'local') return { canWrite: false };
    if (gate.roleIn(principal, workspaceId) === null) return { refuse: 404, reason: `workspace '${workspaceId}' does not exist` };
    return { tokenId: principal.tokenId, canWrite: false };
  } catch (error) {
    if (error instanceof AuthError && error.status === 401) return false;
    throw error;
  }
}

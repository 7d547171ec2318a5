/** Authorization of WebSocket sync upgrades: SYNC_POLICY applied to the experiment the socket syncs. */
import type { IncomingMessage } from 'node:http';
import type { SyncAccess } from '../sync/websocket';
import { AuthError, WORKSPACE_HEADER, type AuthGate } from './gate';
import { ACTIONS, SYNC_POLICY } from './policy';
import { roleAtLeast } from './roles';
import { authTarget } from './targets';

/**
 * The access of an upgrade request to `docName` (an experiment id): 401 without a valid token (header or
 * `?token=`), 404 outside the experiment's workspace, else a grant that may write when the role is editor or more.
 */
export async function authorizeSync(gate: AuthGate, request: IncomingMessage, docName: string): Promise<SyncAccess> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const query = url.searchParams.get('token');
  try {
    const principal = await gate.authenticate(request.headers.authorization ?? (query === null ? null : `Bearer ${query}`));
    const named = (request.headers[WORKSPACE_HEADER] as string | undefined) ?? url.searchParams.get('workspace');
    const objects = [{ object: { kind: 'experiment' as const, id: docName }, path: 'path' }];
    await gate.authorize(principal, SYNC_POLICY.connect, authTarget(gate, principal, SYNC_POLICY.connect, objects, named));
    const workspace = principal.kind === 'local' ? null : (await gate.store?.workspacesOf([objects[0]!.object]))?.values().next().value;
    const role = workspace ? gate.roleIn(principal, workspace) : gate.roleIn(principal, gate.requestWorkspace(principal, named));
    const need = ACTIONS[SYNC_POLICY.update.action];
    const canWrite = role !== null && roleAtLeast(role, 'role' in need ? need.role : 'admin');
    return principal.kind === 'local' ? { canWrite: true } : { tokenId: principal.tokenId, canWrite };
  } catch (error) {
    if (error instanceof AuthError && error.status === 401) return false;
    if (error instanceof AuthError) return { refuse: 404, reason: error.message };
    throw error;
  }
}

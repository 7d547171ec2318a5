/** The auth routes in the OpenAPI document (tag `auth`), with their request and answer schemas. */
import { z } from 'zod';
import { AUTH_ROUTES } from './routes';
import type { AdminRouteName } from './policy';
import { CreateTokenRequest, CreateUserRequest, CreateWorkspaceRequest, CreatedToken, MemberInfo, SetMemberRequest, TokenInfo, UserInfo, WhoAmI, WorkspaceInfo } from './schema';

const SUMMARIES: Record<AdminRouteName, [string, z.ZodType | null, z.ZodType]> = {
  whoami: ['The caller: user, token and roles by workspace', null, WhoAmI],
  createToken: ['Create an API token (its secret is in this answer only)', CreateTokenRequest, CreatedToken],
  listTokens: ["The caller's tokens (all=true: everyone's, for admins)", null, z.object({ tokens: z.array(TokenInfo) })],
  revokeToken: ['Revoke a token; its open sync sockets close at once', null, z.object({ token: TokenInfo })],
  createUser: ['Add a user (admins of the default workspace)', CreateUserRequest, z.object({ user: UserInfo })],
  listUsers: ['List users (admins of the default workspace)', null, z.object({ users: z.array(UserInfo) })],
  createWorkspace: ['Create a workspace (admins of the default workspace)', CreateWorkspaceRequest, z.object({ workspace: WorkspaceInfo })],
  listWorkspaces: ["The caller's workspaces and roles", null, z.object({ workspaces: z.array(WorkspaceInfo.extend({ role: z.string().nullable() })) })],
  listMembers: ['Members of a workspace (its admins)', null, z.object({ members: z.array(MemberInfo) })],
  setMember: ["Add a member or change their role (the workspace's admins)", SetMemberRequest, z.object({ member: MemberInfo })],
  removeMember: ["Remove a member (the workspace's admins)", null, z.object({ removed: MemberInfo.omit({ role: true }) })],
};

const CREATED = new Set<AdminRouteName>(['createToken', 'createUser', 'createWorkspace']);

/** OpenAPI path items of the auth routes. */
export function authOpenApiPaths(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, { method, path }] of Object.entries(AUTH_ROUTES) as [AdminRouteName, (typeof AUTH_ROUTES)[AdminRouteName]][]) {
    const [summary, body, answer] = SUMMARIES[name];
    const openPath = path.replace(/:(\w+)/g, '{$1}');
    const parameters = [...path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    (out[openPath] ??= {})[method] = {
      tags: ['auth'],
      operationId: `auth.${name}`,
      summary,
      ...(parameters.length ? { parameters } : {}),
      ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(body, { io: 'input' }) } } } } : {}),
      responses: { [CREATED.has(name) ? 201 : 200]: { description: CREATED.has(name) ? 'Created' : 'OK', content: { 'application/json': { schema: z.toJSONSchema(answer, { io: 'output' }) } } } },
    };
  }
  return out;
}

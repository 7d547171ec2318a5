/** Requests and answers of the auth routes (users, tokens, workspaces, members); the CLI parses answers with them. */
import { EntityId } from '@runtrail/core/schema';
import { z } from 'zod';
import { Role } from './roles';

/** A user name: what people type on the command line. */
export const UserName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, 'must be 1-64 characters of letters, digits, ".", "_", "@" or "-"');

/** Body of POST /api/v1/auth/users. */
export const CreateUserRequest = z.object({ name: UserName }).strict();

/** Body of POST /api/v1/auth/tokens: for the caller, or (admins) for `user`; `expiresInMs` from now. */
export const CreateTokenRequest = z.object({
  name: z.string().min(1, 'must not be empty').max(100).default('token'),
  user: z.string().min(1).max(64).optional(),
  expiresInMs: z.number().int().positive().max(10 * 365 * 86_400_000, 'must be at most ten years').optional(),
}).strict();

/** Query of GET /api/v1/auth/tokens: `all=true` lists everyone's (admins). */
export const ListTokensQuery = z.object({ all: z.enum(['true', 'false']).optional() });

/** Body of POST /api/v1/auth/workspaces. */
export const CreateWorkspaceRequest = z.object({ id: EntityId, name: z.string().min(1).max(200).optional() }).strict();

/** Body of PUT /api/v1/auth/workspaces/:workspaceId/members/:user. */
export const SetMemberRequest = z.object({ role: Role }).strict();

/** A token as listed (never its secret). */
export const TokenInfo = z.object({
  id: z.string(), userId: z.string(), userName: z.string(), name: z.string(), createdAt: z.number(),
  lastUsedAt: z.number().nullable(), expiresAt: z.number().nullable(), revokedAt: z.number().nullable(),
});

/** Answer of POST /api/v1/auth/tokens: the secret appears here once and is never stored. */
export const CreatedToken = z.object({ token: TokenInfo, secret: z.string() });

/** A user. */
export const UserInfo = z.object({ id: z.string(), name: z.string(), createdAt: z.number() });

/** A workspace. */
export const WorkspaceInfo = z.object({ id: z.string(), name: z.string(), createdAt: z.number() });

/** A member of a workspace. */
export const MemberInfo = z.object({ workspaceId: z.string(), userId: z.string(), userName: z.string(), role: Role });

/** Answer of GET /api/v1/auth/whoami. */
export const WhoAmI = z.object({
  local: z.boolean(),
  user: UserInfo.pick({ id: true, name: true }).nullable(),
  tokenId: z.string().nullable(),
  roles: z.array(z.object({ workspaceId: z.string(), role: Role })),
});

/** Answer of GET /api/v1/auth/tokens. */
export const ListTokensAnswer = z.object({ tokens: z.array(TokenInfo) });

/** Answer of DELETE /api/v1/auth/tokens/:tokenId. */
export const RevokedToken = z.object({ token: TokenInfo });

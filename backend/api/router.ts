/**
 * Mounts the route table of core/schema on a hono app: authentication and the route's policy (backend/auth), body
 * size limits, JSON parsing and zod validation of params, query and body. Every failure becomes a 4xx `{ error: { code, message, path } }`.
 */
import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import { LIMITS, routes, type RouteName, type RouteSpec } from '@runtrail/core/schema';
import { AuthGate, WORKSPACE_HEADER } from '../auth/gate';
import { API_POLICY } from '../auth/policy';
import { API_LIST_CUTS, apiObjects, authTarget } from '../auth/targets';
import { ApiError } from '../errors';
import { readBody } from './body';

type Input<T> = T extends z.ZodType ? z.output<T> : undefined;
type Output<T> = T extends z.ZodType ? z.input<T> : Response;

/** What a handler receives: validated inputs and the raw hono context (for streaming bodies). */
export interface HandlerInput<R extends RouteSpec> {
  params: Input<R['params']>;
  query: Input<R['query']>;
  body: Input<R['body']>;
  context: Context;
}

/** Handler of one route: returns the response body (serialized as JSON) or a raw Response. */
export type Handler<R extends RouteSpec> = (input: HandlerInput<R>) => Promise<Output<R['response']> | Response>;

/** One handler per route of the table: the compiler checks that none is missing. */
export type Handlers = { [K in RouteName]: Handler<(typeof routes)[K]> };

/** Converts the first zod issue into an ApiError naming the field and the rule. */
export function validationError(error: z.ZodError, prefix: string): ApiError {
  const issue = error.issues[0]!;
  const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
  const subject = path || prefix;
  return new ApiError(400, 'INVALID_PARAMETER_VALUE', `${subject}: ${issue.message}`, subject);
}

function parse<T extends z.ZodType>(schema: T | undefined, value: unknown, prefix: string): z.output<T> | undefined {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, prefix);
  return result.data;
}

async function readJsonBody(c: Context): Promise<unknown> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > LIMITS.maxJsonBodyBytes) {
    throw new ApiError(413, 'BODY_TOO_LARGE', `body is ${declared} bytes; the limit is ${LIMITS.maxJsonBodyBytes}`, 'body');
  }
  const contentType = c.req.header('content-type');
  if (contentType && !/^application\/(.+\+)?json\b/i.test(contentType)) {
    throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `body must be application/json, not ${contentType}`, 'headers.content-type');
  }
  const buffer = await readBody(c, LIMITS.maxJsonBodyBytes);
  if (buffer === null) {
    throw new ApiError(413, 'BODY_TOO_LARGE', `body exceeds ${LIMITS.maxJsonBodyBytes} bytes`, 'body');
  }
  if (buffer.byteLength === 0) throw new ApiError(400, 'MALFORMED_JSON', 'body is empty; a JSON object is required', 'body');
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buffer));
  } catch (error) {
    throw new ApiError(400, 'MALFORMED_JSON', `body is not valid JSON: ${(error as Error).message}`, 'body');
  }
}

/** Registers every route of the table with its handler on `app`; `gate` authenticates and applies API_POLICY. */
export function mountRoutes(app: Hono, handlers: Handlers, gate: AuthGate): void {
  for (const [name, spec] of Object.entries(routes) as [RouteName, RouteSpec][]) {
    const handler = handlers[name] as Handler<RouteSpec>;
    const policy = API_POLICY[name];
    const method = spec.method === 'head' ? 'get' : spec.method;
    const register = (path: string, fn: (c: Context) => Promise<Response>) => {
      if (spec.method === 'head') app.on('HEAD', path, fn);
      else app[method](path, fn);
    };
    register(spec.path, async (c) => {
      const principal = policy.action === 'public' ? null : await gate.authenticate(c.req.header('authorization'));
      const params = parse(spec.params, c.req.param(), 'params');
      const raw = spec.body && spec.bodyKind !== 'binary' ? await readJsonBody(c) : undefined;
      if (principal) {
        const objects = apiObjects((params ?? {}) as Record<string, string>, raw);
        const workspace = c.req.header(WORKSPACE_HEADER) ?? c.req.query('workspace');
        await gate.authorize(principal, policy, authTarget(gate, principal, policy, objects, workspace));
      }
      // `workspace` is the auth layer's (like the header), not the route's query.
      const { workspace: _workspace, ...queryFields } = c.req.query();
      const query = parse(spec.query, queryFields, 'query');
      const body = raw === undefined ? undefined : parse(spec.body, raw, 'body');
      const result = await handler({ params, query, body, context: c } as HandlerInput<RouteSpec>);
      if (result instanceof Response) return result;
      const cutList = principal ? API_LIST_CUTS[name] : undefined;
      const answer = cutList ? await cutList(gate, principal!, result as Record<string, unknown>) : result;
      return c.json(answer as object, spec.status as 200);
    });
  }
}

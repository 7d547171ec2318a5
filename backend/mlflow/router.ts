/**
 * Mounts the MLflow route table: authentication and MLFLOW_POLICY (MLflow clients send `MLFLOW_TRACKING_TOKEN` as
 * a bearer token; the experiment, run or model a request names decides its workspace), request parsing (query string for GET, JSON body otherwise), zod validation, and MLflow's error
 * shape for every failure, including unknown MLflow endpoints (ENDPOINT_NOT_FOUND).
 */
import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import { LIMITS, MLFLOW_FAST_PARSERS, MlflowRequests, mlflowRoutes, type MlflowRouteName } from '@runtrail/core/schema';
import { WORKSPACE_HEADER, type AuthGate, type Principal } from '../auth/gate';
import { MLFLOW_POLICY, type RoutePolicy } from '../auth/policy';
import { MLFLOW_LIST_CUTS, authTarget, mlflowObjects } from '../auth/targets';
import { readBody } from '../api/body';
import { MlflowError, invalidParameter, toMlflowError } from './errors';

/** Handler of one MLflow route: gets the validated request, returns the JSON answer. */
export type MlflowHandler<K extends MlflowRouteName> = (request: z.output<(typeof MlflowRequests)[K]>, context: Context) => Promise<object>;

/** One handler per MLflow route (the compiler checks none is missing). */
export type MlflowHandlers = { [K in MlflowRouteName]: MlflowHandler<K> };

/** Answers an error in MLflow's shape; unexpected errors are reported and answered 500 INTERNAL_ERROR. */
export function mlflowErrorResponse(c: Context, error: unknown, onError?: (error: unknown) => void): Response {
  const converted = toMlflowError(error);
  if (converted instanceof MlflowError) return c.json(converted.toBody(), converted.status);
  onError?.(error);
  return c.json({ error_code: 'INTERNAL_ERROR', message: 'internal error; see the server log' }, 500);
}

/** Applies `policy` for `principal` to the objects `request` names (MLflow field names). */
export async function authorizeMlflow(c: Context, gate: AuthGate, principal: Principal, policy: RoutePolicy, request: unknown): Promise<void> {
  const workspace = c.req.header(WORKSPACE_HEADER) ?? c.req.query('workspace');
  const objects = mlflowObjects(new URL(c.req.url).pathname, request);
  await gate.authorize(principal, policy, authTarget(gate, principal, policy, objects, workspace));
}

function queryObject(c: Context): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, values] of Object.entries(c.req.queries())) out[key] = values.length === 1 ? values[0]! : values;
  return out;
}

async function jsonBody(c: Context): Promise<unknown> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > LIMITS.maxJsonBodyBytes) throw new MlflowError(413, 'INVALID_PARAMETER_VALUE', `request body is ${declared} bytes; the limit is ${LIMITS.maxJsonBodyBytes}`);
  const buffer = await readBody(c, LIMITS.maxJsonBodyBytes);
  if (buffer === null) throw new MlflowError(413, 'INVALID_PARAMETER_VALUE', `request body exceeds ${LIMITS.maxJsonBodyBytes} bytes`);
  if (buffer.byteLength === 0) return {};
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buffer));
  } catch (error) {
    throw new MlflowError(400, 'MALFORMED_REQUEST', `request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Validates a request; the message names the field and the rule, as MLflow's do. */
export function parseRequest<K extends MlflowRouteName>(name: K, value: unknown): z.output<(typeof MlflowRequests)[K]> {
  const fast = (MLFLOW_FAST_PARSERS[name] as ((v: unknown) => z.output<(typeof MlflowRequests)[K]> | null) | undefined)?.(value);
  if (fast) return fast;
  const result = (MlflowRequests[name] as z.ZodType).safeParse(value);
  if (result.success) return result.data as z.output<(typeof MlflowRequests)[K]>;
  const issue = result.error.issues[0]!;
  const field = issue.path.map(String).join('.') || 'request';
  throw invalidParameter(`Invalid value for parameter '${field}': ${issue.message}`);
}

/** Registers every MLflow route with its handler, and the MLflow 404 for the rest of `/api/2.0/mlflow/`. */
export function mountMlflowRoutes(app: Hono, handlers: MlflowHandlers, gate: AuthGate, onError?: (error: unknown) => void): void {
  for (const [name, spec] of Object.entries(mlflowRoutes) as [MlflowRouteName, (typeof mlflowRoutes)[MlflowRouteName]][]) {
    const handler = handlers[name] as MlflowHandler<MlflowRouteName>;
    app[spec.method](spec.path, async (c) => {
      try {
        // 401 comes before any parsing; the policy sees the request's raw fields, so a caller outside the workspace
        // learns nothing from validation errors either.
        const principal = await gate.authenticate(c.req.header('authorization'));
        const raw = spec.method === 'get' ? queryObject(c) : await jsonBody(c);
        const params = c.req.param() as Record<string, string>;
        const merged = Object.keys(params).length > 0 && raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? { ...raw, ...params } : raw;
        await authorizeMlflow(c, gate, principal, MLFLOW_POLICY[name], merged);
        const answer = await handler(parseRequest(name, merged), c);
        const cutList = MLFLOW_LIST_CUTS[name];
        return c.json(cutList ? await cutList(gate, principal, answer as Record<string, unknown>) : answer);
      } catch (error) {
        return mlflowErrorResponse(c, error, onError);
      }
    });
  }
  app.all('/api/2.0/mlflow/*', (c) =>
    c.json({ error_code: 'ENDPOINT_NOT_FOUND', message: `no MLflow endpoint ${c.req.method} ${new URL(c.req.url).pathname}` }, 404),
  );
}

/**
 * Mounts the MLflow route table: bearer-token auth (MLflow clients send `MLFLOW_TRACKING_TOKEN` as a bearer
 * token), request parsing (query string for GET, JSON body otherwise), zod validation, and MLflow's error
 * shape for every failure, including unknown MLflow endpoints (ENDPOINT_NOT_FOUND).
 */
import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import { LIMITS, MlflowRequests, mlflowRoutes, type MlflowRouteName } from '@runtrail/core/schema';
import { bearerMatches } from '../api/router';
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

/** Checks the bearer token; throws MLflow's 401. */
export function requireToken(c: Context, token: string): void {
  if (!bearerMatches(c.req.header('authorization'), token)) {
    throw new MlflowError(401, 'UNAUTHENTICATED', 'missing or wrong bearer token (set MLFLOW_TRACKING_TOKEN)');
  }
}

function queryObject(c: Context): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, values] of Object.entries(c.req.queries())) out[key] = values.length === 1 ? values[0]! : values;
  return out;
}

async function jsonBody(c: Context): Promise<unknown> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > LIMITS.maxJsonBodyBytes) throw new MlflowError(413, 'INVALID_PARAMETER_VALUE', `request body is ${declared} bytes; the limit is ${LIMITS.maxJsonBodyBytes}`);
  const buffer = await c.req.arrayBuffer();
  if (buffer.byteLength > LIMITS.maxJsonBodyBytes) throw new MlflowError(413, 'INVALID_PARAMETER_VALUE', `request body exceeds ${LIMITS.maxJsonBodyBytes} bytes`);
  if (buffer.byteLength === 0) return {};
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buffer));
  } catch (error) {
    throw new MlflowError(400, 'MALFORMED_REQUEST', `request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Validates a request; the message names the field and the rule, as MLflow's do. */
export function parseRequest<K extends MlflowRouteName>(name: K, value: unknown): z.output<(typeof MlflowRequests)[K]> {
  const result = (MlflowRequests[name] as z.ZodType).safeParse(value);
  if (result.success) return result.data as z.output<(typeof MlflowRequests)[K]>;
  const issue = result.error.issues[0]!;
  const field = issue.path.map(String).join('.') || 'request';
  throw invalidParameter(`Invalid value for parameter '${field}': ${issue.message}`);
}

/** Registers every MLflow route with its handler, and the MLflow 404 for the rest of `/api/2.0/mlflow/`. */
export function mountMlflowRoutes(app: Hono, handlers: MlflowHandlers, token: string, onError?: (error: unknown) => void): void {
  for (const [name, spec] of Object.entries(mlflowRoutes) as [MlflowRouteName, (typeof mlflowRoutes)[MlflowRouteName]][]) {
    const handler = handlers[name] as MlflowHandler<MlflowRouteName>;
    app[spec.method](spec.path, async (c) => {
      try {
        requireToken(c, token);
        const raw = spec.method === 'get' ? queryObject(c) : await jsonBody(c);
        const params = c.req.param() as Record<string, string>;
        const merged = Object.keys(params).length > 0 && raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? { ...raw, ...params } : raw;
        return c.json(await handler(parseRequest(name, merged), c));
      } catch (error) {
        return mlflowErrorResponse(c, error, onError);
      }
    });
  }
  app.all('/api/2.0/mlflow/*', (c) =>
    c.json({ error_code: 'ENDPOINT_NOT_FOUND', message: `no MLflow endpoint ${c.req.method} ${new URL(c.req.url).pathname}` }, 404),
  );
}

/**
 * The backend's HTTP application (web-standard Request/Response via hono): routes of /api/v1, the OpenAPI
 * document, and the error mapping that turns every failure into a JSON error body.
 */
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { blobHandlers } from './api/blobs';
import { AuthGate } from './auth/gate';
import { authOpenApiPaths } from './auth/openapi';
import { mountAuthRoutes } from './auth/routes';
import type { ApiContext } from './api/context';
import { experimentHandlers } from './api/experiments';
import { buildOpenApiDocument } from './api/openapi';
import { mountRoutes } from './api/router';
import { runHandlers } from './api/runs';
import { registryHandlers } from './registry/routes';
import { ApiError } from './errors';
import { mountMlflowApi } from './mlflow';
import { pagesOpenApiPaths } from './pages/openapi';
import { mountPages, type PagesOptions } from './pages/routes';
import { VERSION } from './version';

/** Options of the HTTP app. */
export interface AppOptions extends ApiContext, PagesOptions {
  /** The local single-user token (the bootstrap admin). */
  token: string;
  /** Users, API tokens and roles; default: a gate that accepts only `token`. */
  auth?: AuthGate;
  /** Where unexpected errors are reported (they answer 500 without details). */
  onError?: (error: unknown) => void;
}

/** Builds the hono app; `app.request(...)` serves it in-process, `startServer` over a port. */
export function createApp(options: AppOptions): Hono {
  const app = new Hono();
  const gate = options.auth ?? new AuthGate({ localToken: options.token });
  // Notebook frontends (JupyterLab, VS Code webviews) call from other origins. Auth is a bearer header, never
  // a cookie, so allowing any origin exposes nothing a caller without the token could use.
  app.use('/api/*', cors({ origin: '*', allowHeaders: ['authorization', 'content-type', 'x-runtrail-workspace'], allowMethods: ['GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'PATCH', 'OPTIONS'], maxAge: 600 }));
  const api = buildOpenApiDocument(VERSION);
  const openapi = { ...api, paths: { ...(api.paths as object), ...pagesOpenApiPaths(), ...authOpenApiPaths() } };
  app.get('/api/v1/openapi.json', (c) => c.json(openapi));
  mountRoutes(
    app,
    {
      health: async () => ({ status: 'ok' as const, version: VERSION }),
      ...experimentHandlers(options),
      ...runHandlers(options),
      ...blobHandlers(options),
      ...registryHandlers(options),
    },
    gate,
  );
  mountAuthRoutes(app, gate, { now: options.now });
  mountMlflowApi(app, options, gate, options.onError);
  // Shareable run and compare pages: served without the token, they show nothing until the user gives one.
  mountPages(app, options);
  app.notFound((c) =>
    c.json(new ApiError(404, 'ROUTE_NOT_FOUND', `no route ${c.req.method} ${new URL(c.req.url).pathname}`, 'path').toBody(), 404),
  );
  app.onError((error, c) => {
    if (error instanceof ApiError) return c.json(error.toBody(), error.status);
    if (error instanceof HTTPException && error.status < 500) {
      return c.json({ error: { code: 'BAD_REQUEST', message: error.message, path: '' } }, error.status);
    }
    options.onError?.(error);
    return c.json({ error: { code: 'INTERNAL_ERROR', message: 'internal error; see the server log', path: '' } }, 500);
  });
  return app;
}

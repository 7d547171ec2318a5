/**
 * Typed HTTP client of `/api/v1`, derived from the route table: the compiler knows each route's inputs and
 * its response type. Uses the web-standard `fetch`, so it runs in node, browsers, VS Code and JupyterLab.
 */
import type { z } from 'zod';
import { ErrorBody, routes, type RouteName, type RouteSpec } from '../schema';

type Spec<K extends RouteName> = (typeof routes)[K];
type In<T> = T extends z.ZodType ? z.input<T> : never;
type Out<T> = T extends z.ZodType ? z.output<T> : T extends 'binary' ? Uint8Array : boolean;

/** Inputs of route K: path params, query and body, each only where the route has one. */
export type CallInput<K extends RouteName> = (Spec<K> extends { params: z.ZodType } ? { params: In<Spec<K>['params']> } : object) &
  (Spec<K> extends { query: z.ZodType } ? { query: In<Spec<K>['query']> } : object) &
  (Spec<K> extends { body: z.ZodType } ? { body: In<Spec<K>['body']> } : object) &
  (Spec<K> extends { bodyKind: 'binary' } ? { bytes: Uint8Array } : object);

/** Response type of route K. */
export type CallOutput<K extends RouteName> = Out<Spec<K>['response']>;

/** A 4xx/5xx answer of the backend, or a network failure (status 0). */
export class RuntrailApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'RuntrailApiError';
  }
}

/** Where and how to reach a backend. */
export interface ClientOptions {
  baseUrl: string;
  token?: string;
  fetch?: typeof fetch;
}

function fillPath(path: string, params: Record<string, string> | undefined): string {
  return path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params?.[name] ?? ''));
}

/** Client of one backend. */
export class RuntrailClient {
  private readonly base: string;
  private readonly doFetch: typeof fetch;

  constructor(private readonly options: ClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** Calls route `name`; resolves with its parsed response or rejects with a RuntrailApiError. */
  async call<K extends RouteName>(name: K, input: CallInput<K>): Promise<CallOutput<K>> {
    const spec: RouteSpec = routes[name];
    const { params, query, body, bytes } = input as { params?: Record<string, string>; query?: Record<string, unknown>; body?: unknown; bytes?: Uint8Array };
    let url = this.base + fillPath(spec.path, params);
    if (query) {
      const search = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) search.set(k, String(v));
      url += `?${search}`;
    }
    const headers: Record<string, string> = {};
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    let requestBody: BodyInit | undefined;
    if (bytes) {
      headers['content-type'] = 'application/octet-stream';
      requestBody = bytes as BodyInit;
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      requestBody = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await this.doFetch(url, { method: spec.method.toUpperCase(), headers, body: requestBody });
    } catch (error) {
      throw new RuntrailApiError(0, 'UNREACHABLE', `cannot reach ${this.base}: ${(error as Error).message}`, '');
    }
    if (spec.response === 'none') {
      if (res.status === 404) return false as CallOutput<K>;
      if (res.ok) return true as CallOutput<K>;
    }
    if (!res.ok) throw await this.errorOf(res);
    if (spec.response === 'binary') return new Uint8Array(await res.arrayBuffer()) as CallOutput<K>;
    const json: unknown = await res.json();
    return (spec.response as z.ZodType).parse(json) as CallOutput<K>;
  }

  private async errorOf(res: Response): Promise<RuntrailApiError> {
    const text = await res.text().catch(() => '');
    try {
      const { error } = ErrorBody.parse(JSON.parse(text));
      return new RuntrailApiError(res.status, error.code, error.message, error.path);
    } catch {
      return new RuntrailApiError(res.status, 'HTTP_ERROR', `HTTP ${res.status}: ${text.slice(0, 200)}`, '');
    }
  }
}

export { FilterSyntaxError, parseFilter } from './filter';
export { runPageUrl } from './links';

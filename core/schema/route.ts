/** The shape of one entry of a route table (`routes` of /api/v1, the registry's routes). */
import type { z } from 'zod';

/** Description of one REST route: the backend mounts it, OpenAPI documents it, the client calls it. */
export interface RouteSpec {
  method: 'get' | 'post' | 'put' | 'head' | 'delete';
  path: string;
  summary: string;
  auth: boolean;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** 'binary' bodies are raw bytes (blobs), not JSON. */
  bodyKind?: 'json' | 'binary';
  response: z.ZodType | 'binary' | 'none';
  status: number;
}

/** Generates the OpenAPI 3.1 document of `/api/v1` from the route table and its zod schemas. */
import { z } from 'zod';
import { ErrorBody, routes, type RouteSpec } from '@runtrail/core/schema';

const errorResponse = {
  description: 'The request broke a rule: the body names the field and the rule',
  content: { 'application/json': { schema: z.toJSONSchema(ErrorBody) } },
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): unknown {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any' });
}

function parameters(spec: RouteSpec): unknown[] {
  const out: unknown[] = [];
  for (const [where, schema] of [['path', spec.params], ['query', spec.query]] as const) {
    if (!schema || !(schema instanceof z.ZodObject)) continue;
    for (const [name, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      out.push({ name, in: where, required: where === 'path' || !field.safeParse(undefined).success, schema: jsonSchema(field, 'input') });
    }
  }
  return out;
}

function operation(name: string, spec: RouteSpec): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  if (spec.response === 'binary') {
    responses[String(spec.status)] = { description: 'Blob bytes', content: { 'application/octet-stream': {} } };
  } else if (spec.response === 'none') {
    responses[String(spec.status)] = { description: 'Exists' };
  } else {
    responses[String(spec.status)] = {
      description: 'Success',
      content: { 'application/json': { schema: jsonSchema(spec.response, 'output') } },
    };
  }
  responses['4XX'] = errorResponse;
  const op: Record<string, unknown> = {
    operationId: name,
    summary: spec.summary,
    parameters: parameters(spec),
    responses,
  };
  if (!spec.auth) op.security = [];
  if (spec.bodyKind === 'binary') {
    op.requestBody = { required: true, content: { 'application/octet-stream': {} } };
  } else if (spec.body) {
    op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } };
  }
  return op;
}

/** The OpenAPI document listing every route of the table. */
export function buildOpenApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [name, spec] of Object.entries(routes) as [string, RouteSpec][]) {
    const path = spec.path.replace(/:(\w+)/g, '{$1}');
    (paths[path] ??= {})[spec.method] = operation(name, spec);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'runtrail API', version },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths: {
      ...paths,
      '/api/v1/openapi.json': { get: { operationId: 'openapi', summary: 'This document', security: [], responses: { 200: { description: 'OpenAPI document' } } } },
    },
  };
}

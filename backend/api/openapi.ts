/** Generates the OpenAPI 3.1 document of `/api/v1` from the route table and its zod schemas. */
import { z } from 'zod';
import {
  ErrorBody,
  MLFLOW_ARTIFACTS_ROOT,
  MlflowErrorBody,
  MlflowRequests,
  mlflowRoutes,
  routes,
  type MlflowRouteName,
  type RouteSpec,
} from '@runtrail/core/schema';

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

const mlflowError = {
  description: "MLflow's error shape: error_code (RESOURCE_DOES_NOT_EXIST, INVALID_PARAMETER_VALUE, ...) and message",
  content: { 'application/json': { schema: z.toJSONSchema(MlflowErrorBody) } },
};

/** The MLflow-compatible routes and the mlflow-artifacts proxy (tag `mlflow`). */
function mlflowPaths(): Record<string, Record<string, unknown>> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [name, spec] of Object.entries(mlflowRoutes) as [MlflowRouteName, (typeof mlflowRoutes)[MlflowRouteName]][]) {
    const schema = MlflowRequests[name] as z.ZodType;
    const op: Record<string, unknown> = {
      operationId: `mlflow.${name}`,
      tags: ['mlflow'],
      summary: spec.summary,
      responses: { 200: { description: 'MLflow JSON answer', content: { 'application/json': {} } }, '4XX': mlflowError },
    };
    if (spec.method === 'get') {
      op.parameters =
        schema instanceof z.ZodObject
          ? Object.entries(schema.shape as Record<string, z.ZodType>).map(([field, s]) => ({
              name: field, in: 'query', required: !s.safeParse(undefined).success, schema: jsonSchema(s, 'input'),
            }))
          : [];
    } else {
      op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(schema, 'input') } } };
    }
    const inPath = [...spec.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
    if (inPath.length > 0) {
      const existing = (op.parameters as { name: string }[] | undefined) ?? [];
      op.parameters = [
        ...inPath.map((p) => ({ name: p, in: 'path', required: true, schema: { type: 'string' } })),
        ...existing.filter((p) => !inPath.includes(p.name)),
      ];
    }
    (paths[spec.path.replace(/:(\w+)/g, '{$1}')] ??= {})[spec.method] = op;
  }
  const artifact = (summary: string, extra: Record<string, unknown>) => ({ tags: ['mlflow'], summary, responses: { 200: { description: 'OK' }, '4XX': mlflowError }, ...extra });
  const pathParam = { name: 'path', in: 'path', required: true, schema: { type: 'string' }, description: '<experiment_id>/<run_id>/artifacts/<file path>' };
  paths[MLFLOW_ARTIFACTS_ROOT] = {
    get: artifact('mlflow-artifacts: list a folder', { operationId: 'mlflow.listProxyArtifacts', parameters: [{ name: 'path', in: 'query', required: true, schema: { type: 'string' } }] }),
  };
  paths[`${MLFLOW_ARTIFACTS_ROOT}/{path}`] = {
    get: artifact('mlflow-artifacts: download a file', { operationId: 'mlflow.downloadArtifact', parameters: [pathParam] }),
    put: artifact('mlflow-artifacts: upload a file (stored as a blob, attached to the run)', {
      operationId: 'mlflow.uploadArtifact', parameters: [pathParam], requestBody: { required: true, content: { 'application/octet-stream': {} } },
    }),
  };
  return paths;
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
      ...mlflowPaths(),
      '/api/v1/openapi.json': { get: { operationId: 'openapi', summary: 'This document', security: [], responses: { 200: { description: 'OpenAPI document' } } } },
    },
  };
}

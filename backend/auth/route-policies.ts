/** The policy of a mounted route, looked up by method and path as hono registers it (null = none declared). */
import { mlflowRoutes, routes, type MlflowRouteName, type RouteName } from '@runtrail/core/schema';
import { ADMIN_POLICY, API_POLICY, EDGE_ROUTES, MLFLOW_POLICY, type AdminRouteName, type RoutePolicy } from './policy';
import { AUTH_ROUTES } from './routes';

function build(): Map<string, RoutePolicy> {
  const out = new Map<string, RoutePolicy>(Object.entries(EDGE_ROUTES));
  for (const [name, spec] of Object.entries(routes) as [RouteName, (typeof routes)[RouteName]][]) {
    out.set(`${spec.method.toUpperCase()} ${spec.path}`, API_POLICY[name]);
  }
  for (const [name, spec] of Object.entries(mlflowRoutes) as [MlflowRouteName, (typeof mlflowRoutes)[MlflowRouteName]][]) {
    out.set(`${spec.method.toUpperCase()} ${spec.path}`, MLFLOW_POLICY[name]);
  }
  for (const [name, spec] of Object.entries(AUTH_ROUTES) as [AdminRouteName, (typeof AUTH_ROUTES)[AdminRouteName]][]) {
    out.set(`${spec.method.toUpperCase()} ${spec.path}`, ADMIN_POLICY[name]);
  }
  return out;
}

let table: Map<string, RoutePolicy> | null = null;

/** The declared policy of `METHOD path`, or null when the route declares none (a test fails on that). */
export function policyForRoute(method: string, path: string): RoutePolicy | null {
  table ??= build();
  return table.get(`${method.toUpperCase()} ${path}`) ?? null;
}

/** The MLflow-compatible API (`/api/2.0/mlflow/...` and the mlflow-artifacts proxy) on runtrail's stores. */
import type { Hono } from 'hono';
import type { ApiContext } from '../api/context';
import type { AuthGate } from '../auth/gate';
import { ModelRegistry } from '../registry/service';
import { mlflowArtifactListHandler, mountMlflowArtifacts } from './artifacts';
import { experimentAccess, mlflowExperimentHandlers } from './experiments';
import { mlflowLoggedModelHandlers } from './logged-models';
import { mlflowModelHandlers } from './models';
import { mountMlflowRoutes } from './router';
import { MlflowRuns, mlflowRunHandlers } from './runs';

/** Mounts every MLflow route on `app`, guarded by the same gate (tokens and policy) as /api/v1. */
export function mountMlflowApi(app: Hono, ctx: ApiContext, gate: AuthGate, onError?: (error: unknown) => void): void {
  const experiments = experimentAccess(ctx);
  const runs = new MlflowRuns(ctx);
  mountMlflowArtifacts(app, ctx, runs, gate, onError);
  mountMlflowRoutes(
    app,
    {
      ...mlflowExperimentHandlers(ctx, experiments),
      ...mlflowRunHandlers(ctx, experiments, runs),
      ...mlflowArtifactListHandler(runs),
      ...mlflowModelHandlers(ctx, new ModelRegistry(ctx)),
      ...mlflowLoggedModelHandlers(ctx, runs),
    },
    gate,
    onError,
  );
}

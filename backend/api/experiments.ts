/** Handlers of the experiment routes. */
import type { Experiment } from '@runtrail/core/schema';
import { readExperiment, writeExperiment } from '@runtrail/core/sync';
import { ApiError, notFound } from '../errors';
import type { ApiContext } from './context';
import type { Handlers } from './router';

// Every workspace has a project of its own id (backend/auth); the default one always exists.
const DEFAULT_PROJECT = 'default';

/** Create, get and list experiments. */
export function experimentHandlers(ctx: ApiContext): Pick<Handlers, 'createExperiment' | 'getExperiment' | 'listExperiments'> {
  return {
    async createExperiment({ body, context }) {
      const projectId = body.projectId ?? DEFAULT_PROJECT;
      if (projectId !== DEFAULT_PROJECT && !(await ctx.projectExists?.(projectId))) throw notFound('project', projectId, 'body.projectId');
      const id = body.id ?? ctx.newId();
      const { experiment, created } = await ctx.docs.mutate(id, (doc) => {
        const existing = readExperiment(doc);
        if (existing) return { experiment: existing, created: false };
        const fresh: Experiment = {
          id,
          projectId,
          name: body.name,
          kind: body.kind,
          notebookPath: body.notebookPath,
          lifecycle: 'active',
          createdAt: ctx.now(),
        };
        writeExperiment(doc, fresh);
        return { experiment: fresh, created: true };
      });
      if (!created && experiment.name !== body.name) {
        throw new ApiError(409, 'RESOURCE_ALREADY_EXISTS', `experiment '${id}' exists with another name`, 'body.id');
      }
      return context.json(experiment, created ? 201 : 200);
    },

    async getExperiment({ params }) {
      const experiment = await ctx.store.getExperiment(params.experimentId);
      if (!experiment) throw notFound('experiment', params.experimentId, 'params.experimentId');
      return experiment;
    },

    async listExperiments({ query }) {
      const page = await ctx.store.listExperiments(query.pageSize, query.cursor);
      return { experiments: page.items, nextCursor: page.nextCursor };
    },
  };
}

/** The shareable pages in the OpenAPI document (tag `pages`): HTML for people, listed so every route is. */
import { MAX_COMPARE_RUNS } from './routes';
import { PAGES_SCRIPT_PATH } from './shell';

const html = (description: string) => ({ description, content: { 'text/html': {} } });

/** OpenAPI path items of the pages and their script; none needs the token (the page asks for it). */
export function pagesOpenApiPaths(): Record<string, Record<string, unknown>> {
  const page = { tags: ['pages'], security: [] };
  return {
    '/r/{runId}': {
      get: {
        ...page,
        operationId: 'pages.run',
        summary: 'Shareable page of one run (asks for the token, then reads the run through /api/v1)',
        parameters: [{ name: 'runId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { 200: html('The page'), 404: html('Not a run id') },
      },
    },
    '/compare': {
      get: {
        ...page,
        operationId: 'pages.compare',
        summary: 'Shareable compare page of 2..N runs',
        parameters: [
          {
            name: 'runs', in: 'query', required: true, schema: { type: 'string' },
            description: `Comma-separated run ids, 2 to ${MAX_COMPARE_RUNS}`,
          },
        ],
        responses: { 200: html('The page'), 400: html('What is wrong with `runs`') },
      },
    },
    [PAGES_SCRIPT_PATH]: {
      get: {
        ...page,
        operationId: 'pages.script',
        summary: 'The pages script',
        responses: { 200: { description: 'JavaScript', content: { 'text/javascript': {} } }, 404: { description: 'Not built' } },
      },
    },
  };
}

/** `runtrail runs list|show|compare`. */
import { parseFilter } from '@runtrail/core/client';
import type { SearchRunsRequest } from '@runtrail/core/schema';
import { connect, type ConnectionOptions } from '../connection';
import { CliError } from '../errors';
import { runDetail, runRows, table } from '../format';

/** Options of `runs list`. */
export interface ListOptions extends ConnectionOptions {
  experiment?: string[];
  filter?: string;
  order?: string[];
  limit: string;
  json?: boolean;
}

function orderBy(specs: string[] = []): NonNullable<SearchRunsRequest['orderBy']> {
  return specs.map((spec) => {
    const [field, direction = 'desc'] = spec.split(':');
    if (direction !== 'asc' && direction !== 'desc') throw new CliError(`--order ${spec}: direction must be asc or desc`, 2);
    return { field: field!, direction };
  });
}

/** Lists runs matching a filter, newest first unless --order says otherwise. */
export async function listRuns(options: ListOptions, print: (text: string) => void): Promise<void> {
  const limit = Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new CliError(`--limit must be 1-1000, got '${options.limit}'`, 2);
  let filter;
  try {
    filter = options.filter ? parseFilter(options.filter) : [];
  } catch (error) {
    throw new CliError(`--filter: ${(error as Error).message}`, 2);
  }
  const page = await connect(options).call('searchRuns', {
    body: { experimentIds: options.experiment ?? [], filter, orderBy: orderBy(options.order), pageSize: limit },
  });
  if (options.json) return print(JSON.stringify(page, null, 2));
  if (page.runs.length === 0) return print('no runs match');
  print(table(['id', 'name', 'status', 'started', 'duration', 'params', 'metrics'], runRows(page.runs)));
  if (page.nextCursor) print(`… more runs: raise --limit or narrow --filter`);
}

/** Shows one run in full. */
export async function showRun(runId: string, options: ConnectionOptions & { json?: boolean }, print: (text: string) => void): Promise<void> {
  const run = await connect(options).call('getRun', { params: { runId } });
  print(options.json ? JSON.stringify(run, null, 2) : runDetail(run));
}

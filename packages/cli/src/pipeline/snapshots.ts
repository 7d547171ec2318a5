/**
 * The data snapshots of the notebook's last captured run, which promotion binds data inputs to. The notebook's
 * experiment id is in its metadata (`metadata.runtrail.experimentId`, written by the extensions). Promotion still
 * works offline: when the backend cannot be reached the inputs stay unbound and the preview says so.
 */
import { snapshotsByName, type ValueSnapshot } from '@runtrail/core/pipeline';
import { connect, type ConnectionOptions } from '../connection';

/** The experiment id a notebook's metadata names, if any. */
export function notebookExperimentId(notebookText: string): string | undefined {
  try {
    const id = (JSON.parse(notebookText) as { metadata?: { runtrail?: { experimentId?: unknown } } }).metadata?.runtrail?.experimentId;
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Snapshots by variable name from the newest run of the experiment; a note instead when there are none. */
export async function lastRunSnapshots(
  experimentId: string,
  options: ConnectionOptions,
): Promise<{ snapshots: Record<string, ValueSnapshot>; note?: string }> {
  try {
    const client = connect(options);
    const page = await client.call('searchRuns', { body: { experimentIds: [experimentId], orderBy: [{ field: 'attributes.startTime', direction: 'desc' }], pageSize: 1 } });
    const run = page.runs[0];
    if (!run) return { snapshots: {}, note: `no captured run of experiment ${experimentId} yet` };
    return { snapshots: snapshotsByName(run.snapshots) };
  } catch (error) {
    return { snapshots: {}, note: `could not read the last run's snapshots (${(error as Error).message.split('\n')[0]})` };
  }
}

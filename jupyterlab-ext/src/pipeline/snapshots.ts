/**
 * The last captured run's data snapshots, which promotion binds data inputs to; the same query as the CLI's
 * (`searchRuns` of the notebook's experiment, newest first, one run). Without a backend, or when it does not
 * answer, promotion goes on with no snapshots and the preview says why.
 */
import type { RuntrailClient } from '@runtrail/core/client';
import { snapshotsByName, type ValueSnapshot } from '@runtrail/core/pipeline';

/** Snapshots by variable name, and a note when there are none to bind. */
export interface LastRunSnapshots {
  snapshots: Record<string, ValueSnapshot>;
  note?: string;
}

/** Asks the backend for the newest run of `experimentId`. */
export async function lastRunSnapshots(client: RuntrailClient | null, experimentId: string | undefined): Promise<LastRunSnapshots> {
  if (!experimentId) return { snapshots: {}, note: 'the notebook has no runtrail experiment yet: data inputs stay unbound' };
  if (!client) return { snapshots: {}, note: 'no runtrail backend is configured: data inputs stay unbound' };
  try {
    const page = await client.call('searchRuns', {
      body: { experimentIds: [experimentId], orderBy: [{ field: 'attributes.startTime', direction: 'desc' }], pageSize: 1 },
    });
    const run = page.runs[0];
    if (!run) return { snapshots: {}, note: `no captured run of experiment ${experimentId} yet` };
    return { snapshots: snapshotsByName(run.snapshots) };
  } catch (error) {
    return { snapshots: {}, note: `could not read the last run's snapshots (${(error as Error).message.split('\n')[0]})` };
  }
}

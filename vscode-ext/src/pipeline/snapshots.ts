/**
 * The data snapshots of a notebook's last captured run, which promotion binds data inputs to (as the CLI's
 * `pipeline promote` does). The notebook's experiment id is in its metadata; without a server, an experiment or a
 * run, promotion still works and the preview says why inputs stay unbound.
 */
import type { RuntrailClient } from '@runtrail/core/client';
import { snapshotsByName, type ValueSnapshot } from '@runtrail/core/pipeline';

/** Snapshots by variable name, and a note for the preview when there are none to bind to. */
export interface LastRunSnapshots {
  snapshots: Record<string, ValueSnapshot>;
  note?: string;
}

/** Snapshots of the newest run of `experimentId`; never throws (a failure becomes the note). */
export async function lastRunSnapshots(client: RuntrailClient | null, experimentId: string | null, timeoutMs = 10_000): Promise<LastRunSnapshots> {
  if (!experimentId) return { snapshots: {} };
  if (!client) return { snapshots: {}, note: "no runtrail server is connected: data inputs are not bound to the last run's snapshots" };
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const search = client.call('searchRuns', {
      body: { experimentIds: [experimentId], orderBy: [{ field: 'attributes.startTime', direction: 'desc' }], pageSize: 1 },
    });
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs)));
    const page = await Promise.race([search, late]);
    const run = page.runs[0];
    if (!run) return { snapshots: {}, note: `no captured run of experiment ${experimentId} yet` };
    return { snapshots: snapshotsByName(run.snapshots) };
  } catch (error) {
    return { snapshots: {}, note: `could not read the last run's snapshots (${(error as Error).message.split('\n')[0]})` };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The data snapshots of a notebook's last captured run, which promotion binds data inputs to. One query for the CLI
 * and both notebook UIs: `searchRuns` of the notebook's experiment, newest first, one run. Promotion never waits on
 * it for long nor fails because of it: without a backend, an experiment or a run the inputs stay unbound and the
 * note says why (callers add it to the preview's warnings when the step has data inputs).
 */
import type { RuntrailClient } from '../client';
import { snapshotsByName, type ValueSnapshot } from './inputs';

/** Snapshots by variable name, and a note for the preview when there are none to bind to. */
export interface LastRunSnapshots {
  snapshots: Record<string, ValueSnapshot>;
  note?: string;
}

/** Choices of the caller of {@link lastRunSnapshots}. */
export interface LastRunSnapshotsOptions {
  /** How long to wait for the backend (default 10 s). */
  timeoutMs?: number;
  /** The note when there is no client, in the caller's words (e.g. "no runtrail server is connected"). */
  offlineNote?: string;
}

/** Snapshots of the newest run of `experimentId`; never throws (a failure becomes the note). */
export async function lastRunSnapshots(
  client: Pick<RuntrailClient, 'call'> | null,
  experimentId: string | null | undefined,
  options: LastRunSnapshotsOptions = {},
): Promise<LastRunSnapshots> {
  if (!experimentId) return { snapshots: {}, note: 'the notebook has no runtrail experiment yet: data inputs stay unbound' };
  if (!client) return { snapshots: {}, note: `${options.offlineNote ?? 'no runtrail backend is configured'}: data inputs stay unbound` };
  const timeoutMs = options.timeoutMs ?? 10_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const search = client.call('searchRuns', {
      body: { experimentIds: [experimentId], orderBy: [{ field: 'attributes.startTime', direction: 'desc' }], pageSize: 1 },
    });
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    });
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

/**
 * The data snapshots of the notebook's last captured run, which promotion binds data inputs to. The notebook's
 * experiment id is in its metadata (`metadata.runtrail.experimentId`, written by the extensions). Promotion still
 * works offline: when the backend cannot be reached the inputs stay unbound and the preview says so (the query is
 * core's, shared with the notebook UIs).
 */
import { lastRunSnapshots as lastRunSnapshotsOf, type LastRunSnapshots } from '@runtrail/core/pipeline';
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
export function lastRunSnapshots(experimentId: string, options: ConnectionOptions): Promise<LastRunSnapshots> {
  return lastRunSnapshotsOf(connect(options), experimentId);
}

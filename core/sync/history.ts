/**
 * Records capture commands in an experiment's Y.Doc: the local-first write path of the extensions. The doc
 * syncs to the backend, which indexes what arrives; nothing here waits for the network.
 */
import type * as Y from 'yjs';
import type { CaptureCommand } from '../capture/events';
import type { ColumnStats, DataSnapshot, Environment, Param, Tag } from '../schema';
import {
  appendCellExecutions,
  attachSnapshots,
  createRun,
  finishRun,
  getRunMap,
  linkSnapshots,
  runsMap,
  writeParams,
  writeTags,
} from './doc';

/** Origin of transactions made by a local capture session (sync clients send these, not remote ones). */
export const CAPTURE_ORIGIN = 'runtrail-capture';

/** Applies one capture command to the doc. Commands on a run the doc does not hold are ignored. */
export function recordCaptureCommand(doc: Y.Doc, experimentId: string, command: CaptureCommand): void {
  doc.transact(() => {
    if (command.type === 'start-run') {
      createRun(doc, {
        id: command.runId,
        experimentId,
        name: command.name,
        startTime: command.startTime,
        source: command.source,
        parentRunId: null,
        environment: null,
      });
      return;
    }
    const run = getRunMap(doc, command.runId);
    if (!run) return;
    switch (command.type) {
      case 'append-cells':
        appendCellExecutions(run, command.executions);
        break;
      case 'log-params':
        writeParams(run, command.params);
        break;
      case 'finish-run':
        finishRun(run, command.status, command.endTime);
        break;
    }
  }, CAPTURE_ORIGIN);
}

/** What the kernel reported besides params and cells, recorded on the open run. */
export interface RunExtras {
  snapshots?: DataSnapshot[];
  explicitParams?: Param[];
  tags?: Tag[];
  environment?: Environment | null;
}

/** Records snapshots, explicit params, tags and the environment on a run of the doc. */
export function recordRunExtras(doc: Y.Doc, runId: string, extras: RunExtras): void {
  const run = getRunMap(doc, runId);
  if (!run) return;
  doc.transact(() => {
    if (extras.snapshots?.length) attachSnapshots(run, extras.snapshots);
    if (extras.explicitParams?.length) writeParams(run, extras.explicitParams);
    if (extras.tags?.length) writeTags(run, extras.tags);
    if (extras.environment) run.set('environment', extras.environment);
  }, CAPTURE_ORIGIN);
}

/** Statistics that arrived after their snapshot (the kernel computed them in the background). */
export interface LateColumnStats {
  fingerprint: string;
  name: string;
  columns: ColumnStats[];
}

/**
 * Fills in the columns of every snapshot still marked `statsPending` with the same fingerprint and name, in any
 * run of the doc (the statistics are a function of the content, and a page reload may have come in between);
 * returns how many snapshots were completed.
 */
export function recordColumnStats(doc: Y.Doc, stats: LateColumnStats[]): number {
  if (stats.length === 0) return 0;
  const wanted = new Map(stats.map((s) => [`${s.fingerprint}\u0000${s.name}`, s.columns]));
  let filled = 0;
  doc.transact(() => {
    for (const run of runsMap(doc).values()) {
      const snapshots = run.get('snapshots') as Y.Map<DataSnapshot> | undefined;
      if (!snapshots) continue;
      for (const [id, snapshot] of snapshots.entries()) {
        if (!snapshot.statsPending) continue;
        const columns = wanted.get(`${snapshot.fingerprint}\u0000${snapshot.name}`);
        if (!columns) continue;
        const { statsPending: _done, ...rest } = snapshot;
        snapshots.set(id, { ...rest, columns });
        filled++;
      }
    }
  }, CAPTURE_ORIGIN);
  return filled;
}

/**
 * Records snapshots on a run and links them to the cell execution they belong to (when given and present):
 * snapshots the kernel fingerprinted in the background arrive after their execution was recorded.
 */
export function recordSnapshotsOf(doc: Y.Doc, runId: string, executionId: string | null, snapshots: DataSnapshot[]): void {
  const run = getRunMap(doc, runId);
  if (!run || snapshots.length === 0) return;
  doc.transact(() => {
    attachSnapshots(run, snapshots);
    if (executionId) linkSnapshots(run, executionId, snapshots.map((s) => s.id));
  }, CAPTURE_ORIGIN);
}

/**
 * Records capture commands in an experiment's Y.Doc: the local-first write path of the extensions. The doc
 * syncs to the backend, which indexes what arrives; nothing here waits for the network.
 */
import type * as Y from 'yjs';
import type { CaptureCommand } from '../capture/events';
import type { DataSnapshot, Environment, Param, Tag } from '../schema';
import {
  appendCellExecutions,
  attachSnapshots,
  createRun,
  finishRun,
  getRunMap,
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

/** Builders of capture events for this folder's tests (not exported from index.ts). */
import type { CellExecution, Param } from '../schema';
import type { CaptureEvent, CellExecutedEvent } from './events';
import type { RunIdSource } from './reducer';
import { cellExecution } from '../testing';

/** Run ids `run-1`, `run-2`, ... so tests can name the runs they expect. */
export function counterIds(prefix = 'run'): RunIdSource {
  let n = 0;
  return { newRunId: () => `${prefix}-${++n}` };
}

/** A complete cell execution; `overrides` set what the test cares about. */
export function execution(id: string, overrides: Partial<CellExecution> = {}): CellExecution {
  return cellExecution(id, 'cell-a', 'x = 1', { sourceHash: 'deadbeefdeadbeef', ...overrides });
}

/** Options of `cellExecuted`. */
export interface CellExecutedInit {
  at: number;
  cellId?: string;
  status?: CellExecution['status'];
  parameters?: Param[];
  params?: Param[];
  path?: string;
}

/** A cell-executed event; `parameters` marks it as the parameters cell with those values. */
export function cellExecuted(id: string, init: CellExecutedInit): CellExecutedEvent {
  const isParametersCell = init.parameters !== undefined;
  return {
    type: 'cell-executed',
    at: init.at,
    notebookPath: init.path ?? 'experiments/train.ipynb',
    execution: execution(id, {
      cellId: init.cellId ?? (isParametersCell ? 'params' : 'cell-a'),
      startedAt: init.at,
      status: init.status ?? 'ok',
    }),
    isParametersCell,
    params: init.parameters ?? init.params ?? [],
  };
}

/** A parameters-cell param. */
export function p(key: string, value: Param['value'], origin: Param['origin'] = 'parameters-cell'): Param {
  return { key, value, origin };
}

/** A kernel or "New run" event. */
export function signal(
  type: Exclude<CaptureEvent['type'], 'cell-executed'>,
  at: number,
  cause: 'requested' | 'died' = 'requested',
): CaptureEvent {
  if (type === 'kernel-restarted' || type === 'kernel-shutdown') return { type, at, cause };
  return { type, at };
}

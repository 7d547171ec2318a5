/**
 * Applies a redactor to a capture event before it reaches the reducer, so no command (and thus nothing
 * stored or synced) ever carries a secret: params, cell source, output text and error messages.
 * The source hash is kept: it identifies the code the user ran and reveals nothing of it.
 */
import type { CellExecution, ColumnStats, Environment } from '../schema';
import type { CaptureEvent } from './events';
import type { Redactor } from './redact';

/** The execution with secrets removed from its source, output text and error message. */
export function redactCellExecution(execution: CellExecution, redactor: Redactor): CellExecution {
  return {
    ...execution,
    source: redactor.redactText(execution.source),
    error: execution.error && { ...execution.error, evalue: redactor.redactText(execution.error.evalue) },
    outputs: execution.outputs.map((o) => (o.text === undefined ? o : { ...o, text: redactor.redactText(o.text) })),
  };
}

/** The event with secrets removed; events without user content are returned as they are. */
export function redactCaptureEvent(event: CaptureEvent, redactor: Redactor): CaptureEvent {
  if (event.type !== 'cell-executed') return event;
  return {
    ...event,
    params: event.params.flatMap((p) => redactor.redactParam(p) ?? []),
    execution: redactCellExecution(event.execution, redactor),
  };
}

/** Column statistics with string minimums and maximums redacted (a column of keys must not leak one). */
export function redactColumnStats(columns: ColumnStats[], redactor: Redactor): ColumnStats[] {
  const text = (v: ColumnStats['min']) => (typeof v === 'string' ? redactor.redactText(v) : v);
  return columns.map((c) => (typeof c.min === 'string' || typeof c.max === 'string' ? { ...c, min: text(c.min), max: text(c.max) } : c));
}

/** The environment with secrets removed from the git diff of tracked files. */
export function redactEnvironment(environment: Environment, redactor: Redactor): Environment {
  const diff = environment.git?.diff;
  if (!environment.git || diff === undefined) return environment;
  return { ...environment, git: { ...environment.git, diff: redactor.redactText(diff) } };
}

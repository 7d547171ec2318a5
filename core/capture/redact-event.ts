/**
 * Applies a redactor to a capture event before it reaches the reducer, so no command (and thus nothing
 * stored or synced) ever carries a secret: params, cell source, output text and error messages.
 * The source hash is kept: it identifies the code the user ran and reveals nothing of it.
 */
import type { CellExecution } from '../schema';
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

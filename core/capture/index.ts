/** Capture: cell-execution events -> run commands (run boundaries, params) and redaction of secrets. */
export {
  CaptureEvent,
  CaptureCommand,
  CellExecutedEvent,
  KernelEndCause,
  NotebookRunSource,
} from './events';
export { CaptureOptions, CaptureState, OpenRun, createCaptureState } from './state';
export { reduceCapture, runName } from './reducer';
export type { CaptureStep, RunIdSource } from './reducer';
export { AssembledRun, applyCaptureCommand, assembleRuns, assembleRunsWithState } from './assemble';
export { REDACTED, RedactorOptions, createRedactor } from './redact';
export type { Redactor } from './redact';
export { redactCaptureEvent, redactCellExecution } from './redact-event';
export {
  DeltaRequest,
  KernelArtifact,
  KernelCellRecord,
  KernelDelta,
  KernelSnapshot,
  bootstrapCode,
  deltaExpression,
} from './delta';
export { NotebookCaptureSession } from './session';
export { OUTPUT_BLOB_LIMIT, OUTPUT_TEXT_LIMIT, summarizeOutputs } from './outputs';
export type { NbOutput, OutputBlob } from './outputs';
export type { ObservedExecution, SessionPorts } from './session';
export { decideExperimentIdentity } from './identity';
export type { IdentityDecision } from './identity';

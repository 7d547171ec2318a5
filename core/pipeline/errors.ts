/** Errors of promotion and of `pipeline.yaml`: each names the step (when there is one) and the field. */

/** A refused promotion, demotion or pipeline file. The message is complete and fit for the user. */
export class PipelineError extends Error {
  constructor(
    /** What was wrong, without the location prefix. */
    readonly reason: string,
    /** The field, as a path like `steps[1].inputs[0].step`, `inputs` or `pipeline.yaml`. */
    readonly field: string,
    /** The step concerned, when there is one. */
    readonly step?: string,
  ) {
    super(`${step ? `step "${step}": ` : ''}${field}: ${reason}`);
    this.name = 'PipelineError';
  }
}

/** `['steps', 1, 'inputs', 0]` -> `steps[1].inputs[0]`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

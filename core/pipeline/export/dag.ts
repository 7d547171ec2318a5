/**
 * What every export shares: the checks that a pipeline can leave runtrail, each step's upstream steps, how params
 * travel as text, and the launcher arguments of a step with engine-specific references filled in.
 */
import type { JsonValue } from '../../schema/primitives';
import { PipelineError } from '../errors';
import type { PipelineSpec, PipelineStep } from '../model';

/** Digests of the code files of each step (step name -> project-relative path -> sha256 hex). */
export type StepCode = Record<string, Record<string, string>>;

/** Refuses what no engine can run: no steps, or inputs bound to notebook snapshots instead of to steps. */
export function assertExportable(spec: PipelineSpec): void {
  if (spec.steps.length === 0) throw new PipelineError('there are no steps to export: promote a notebook cell first', 'pipeline.yaml: steps');
  spec.steps.forEach((step, i) => {
    step.inputs.forEach((input, j) => {
      if (input.from !== 'data') return;
      throw new PipelineError(
        `input "${input.name}" is data bound to a notebook snapshot, which an exported pipeline cannot load; promote the cell that makes "${input.name}" as a step`,
        `steps[${i}].inputs[${j}]`,
        step.name,
      );
    });
  });
}

/** The steps `step` reads from, each once, in input order. */
export function upstreamSteps(step: PipelineStep): string[] {
  return [...new Set(step.inputs.flatMap((i) => (i.from === 'step' ? [i.step] : [])))];
}

/** True when a param travels as plain text (its value in pipeline.yaml is a string); others travel as JSON. */
export function isTextParam(value: JsonValue): value is string {
  return typeof value === 'string';
}

/** A param's value as the text engines pass around: strings as they are, everything else as JSON. */
export function paramText(value: JsonValue): string {
  return isTextParam(value) ? value : JSON.stringify(value);
}

/** How an engine refers to a step's files and params inside its command line. */
export interface ArgumentRefs {
  input(name: string): string;
  output(name: string): string;
  param(name: string): string;
}

/** The parquet reader for an input of this annotated type, when not pandas. */
function readerOf(type: string | undefined): 'polars' | 'arrow' | undefined {
  if (!type) return undefined;
  if (/^(polars|pl)\./.test(type)) return 'polars';
  if (/^(pyarrow|pa)\.Table$/.test(type)) return 'arrow';
  return undefined;
}

/** The launcher arguments that run `step` (see launcher.ts), with the engine's references filled in. */
export function launcherArguments(spec: PipelineSpec, step: PipelineStep, code: StepCode, refs: ArgumentRefs): string[] {
  const args = ['--step', step.name, '--source', step.source, '--function', step.function];
  const digests = code[step.name] ?? {};
  for (const path of Object.keys(digests).sort()) args.push('--code', `${path}=${digests[path]}`);
  for (const input of step.inputs) {
    args.push('--input', `${input.name}=${refs.input(input.name)}`);
    const reader = readerOf(input.type);
    if (reader) args.push('--reader', `${input.name}=${reader}`);
    if (input.from === 'step') {
      const producer = spec.steps.find((s) => s.name === input.step);
      if (producer) args.push('--producer', `${input.name}=${producer.name}:${producer.source}`);
    }
  }
  for (const param of step.params) {
    const flag = isTextParam(spec.params[param]!) ? '--param-text' : '--param';
    args.push(flag, `${param}=${refs.param(param)}`);
  }
  for (const output of step.outputs) args.push('--output', `${output.name}=${refs.output(output.name)}`);
  return args;
}

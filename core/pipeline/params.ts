/**
 * `--param k=v` and `--sweep k=a,b,c` of `runtrail pipeline run`: parsing and checking against pipeline.yaml.
 * A value is read as JSON when it is valid JSON (`0.3`, `true`, `[1,2]`, `"x"`), otherwise as the plain string.
 */
import type { JsonValue } from '../schema/primitives';
import { PipelineError } from './errors';
import type { PipelineSpec } from './model';

/** One param assignment from the command line. */
export interface ParamAssignment {
  key: string;
  value: JsonValue;
}

/** A value from the command line: JSON when it parses as JSON, else the string itself. */
export function parseParamValue(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

function splitAssignment(text: string, option: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new PipelineError(`"${text}" must look like name=value`, option);
  return [text.slice(0, eq).trim(), text.slice(eq + 1)];
}

/** `k=v` -> `{ key: 'k', value: v }`. */
export function parseParamAssignment(text: string): ParamAssignment {
  const [key, value] = splitAssignment(text, '--param');
  return { key, value: parseParamValue(value) };
}

/** `k=a,b,c` -> the key and its values; a JSON array (`k=[1,[2,3]]`) gives its elements. */
export function parseSweep(text: string): { key: string; values: JsonValue[] } {
  const [key, raw] = splitAssignment(text, '--sweep');
  const asJson = parseParamValue(raw);
  const values = Array.isArray(asJson) && raw.trim().startsWith('[') ? asJson : raw.split(',').map((v) => parseParamValue(v.trim()));
  if (values.length === 0 || raw.trim() === '') throw new PipelineError(`"${text}" lists no values`, '--sweep');
  return { key, values };
}

/** Checks that every assigned key is a param declared in pipeline.yaml; returns the overrides as a record. */
export function paramOverrides(spec: PipelineSpec, assignments: readonly ParamAssignment[], option = '--param'): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const { key, value } of assignments) {
    if (!Object.hasOwn(spec.params, key)) {
      const known = Object.keys(spec.params);
      throw new PipelineError(`"${key}" is not a param of pipeline.yaml (params: ${known.length ? known.join(', ') : 'none'})`, option);
    }
    out[key] = value;
  }
  return out;
}

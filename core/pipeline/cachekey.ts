/**
 * Cache keys of pipeline steps, as pure functions. A step's key is a hash of its key parts: the digests of its
 * code (the step module and the project modules it imports), the values of its params and the fingerprints of
 * its inputs. This module builds the canonical text that gets hashed (the caller supplies the hash, so core stays
 * free of platform crypto) and explains, part by part, why a step is stale.
 */
import type { JsonValue } from '../schema/primitives';
import type { PipelineSpec, PipelineStep } from './model';
import { own } from './own';

/** Everything a step's cached outputs depend on, before hashing. */
export interface StepKeyParts {
  step: string;
  function: string;
  /** Digest of each code file by project-relative path: the step module and the local modules it imports. */
  code: Record<string, string>;
  /** The value of each param the step takes. */
  params: Record<string, JsonValue>;
  /** The fingerprint of each input's value, by input name. */
  inputs: Record<string, string>;
}

/** A file the step read while it ran (found by the runner), with the digest it had then. */
export interface FileDependency {
  path: string;
  digest: string;
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k]!)}`).join(',')}}`;
}

/** The text a step's cache key is the hash of (versioned, so a change of the rules invalidates old entries). */
export function cacheKeyMaterial(parts: StepKeyParts): string {
  return canonicalJson({
    version: 1,
    step: parts.step,
    function: parts.function,
    code: parts.code,
    params: parts.params,
    inputs: parts.inputs,
  });
}

/** The values of the params `step` takes: pipeline.yaml's values with `overrides` (from --param) applied. */
export function stepParamValues(spec: PipelineSpec, step: PipelineStep, overrides: Readonly<Record<string, JsonValue>> = {}): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const name of step.params) {
    const value = Object.hasOwn(overrides, name) ? overrides[name] : own(spec.params, name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Why a step whose last cached parts were `previous` is stale now; empty when nothing changed. */
export function stalenessReasons(
  previous: StepKeyParts | undefined,
  current: StepKeyParts,
  changedFiles: readonly string[] = [],
): string[] {
  if (!previous) return ['never run'];
  const reasons: string[] = [];
  if (previous.function !== current.function) reasons.push(`code changed: function ${previous.function} -> ${current.function}`);
  for (const path of changedKeys(previous.code, current.code, (a, b) => a === b)) reasons.push(`code changed: ${path}`);
  for (const name of changedKeys(previous.params, current.params, (a, b) => canonicalJson(a) === canonicalJson(b))) {
    reasons.push(`param changed: ${name}`);
  }
  for (const name of changedKeys(previous.inputs, current.inputs, (a, b) => a === b)) reasons.push(`input changed: ${name}`);
  for (const path of changedFiles) reasons.push(`input file changed: ${path}`);
  return reasons;
}

function changedKeys<T>(a: Readonly<Record<string, T>>, b: Readonly<Record<string, T>>, same: (x: T, y: T) => boolean): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((k) => !Object.hasOwn(a, k) || !Object.hasOwn(b, k) || !same(a[k]!, b[k]!));
}

/**
 * Project-relative files that could hold the Python module `module` (`pkg.util` -> `pkg/util.py`,
 * `pkg/util/__init__.py`), looked up beside the step module and at the project root, as the runner's sys.path does.
 */
export function localModuleCandidates(module: string, stepDir: string): string[] {
  if (!/^[A-Za-z_][\w.]*$/.test(module)) return [];
  const rel = module.split('.').join('/');
  const roots = stepDir && stepDir !== '.' ? [`${stepDir}/`, ''] : [''];
  return roots.flatMap((root) => [`${root}${rel}.py`, `${root}${rel}/__init__.py`]);
}

/**
 * Modules a Python source imports anywhere (function bodies included), for finding the project modules a step
 * depends on: `import a.b as c, d` -> `a.b`, `d`; `from a import b` -> `a`, `a.b` (b may be a submodule).
 * Relative imports count as imports of the module beside the step (`from . import util` -> `util`).
 */
export function importedModules(source: string): string[] {
  const out = new Set<string>();
  const logical = source.replace(/\\\n/g, ' ').replace(/\(([^)]*)\)/g, (m: string, inner: string) => inner.replace(/\n/g, ' '));
  for (const line of logical.split('\n')) {
    const from = /^\s*from\s+(\.*[\w.]*)\s+import\s+(.+)$/.exec(line);
    if (from) {
      const base = from[1]!.replace(/^\.+/, '');
      if (base) out.add(base);
      for (const part of from[2]!.split(',')) {
        const name = part.trim().split(/\s+/)[0];
        if (name && name !== '*' && /^\w+$/.test(name)) out.add(base ? `${base}.${name}` : name);
      }
      continue;
    }
    const plain = /^\s*import\s+(.+)$/.exec(line);
    if (plain) {
      for (const part of plain[1]!.split(',')) {
        const name = part.trim().split(/\s+/)[0];
        if (name && /^[\w.]+$/.test(name)) out.add(name);
      }
    }
  }
  return [...out];
}

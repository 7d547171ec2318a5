/**
 * Cache keys of the steps of one project: digests of each step's code (its module and the project modules it
 * imports, transitively), its param values and its inputs' fingerprints, hashed with sha256 (core/pipeline builds
 * the key text), and the lookup of the entry stored for that key.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import {
  cacheKeyMaterial,
  importedModules,
  localModuleCandidates,
  stalenessReasons,
  stepParamValues,
  type PipelineSpec,
  type PipelineStep,
  type StepKeyParts,
} from '@runtrail/core/pipeline';
import type { JsonValue } from '@runtrail/core/schema';
import { sha256Text, type CacheEntry, type CachedOutput, type PipelineCache } from './cache';

/** Where a step stands: its key, the entry for it if valid, and why it is stale otherwise. */
export interface StepCheck {
  step: PipelineStep;
  parts: StepKeyParts;
  key: string;
  /** The entry for this key, when its recorded input files are unchanged too. */
  entry?: CacheEntry;
  /** Empty when cached. */
  reasons: string[];
}

/** sha256 of each code file the step runs, by project-relative path. */
export function codeDigests(project: string, step: PipelineStep): Record<string, string> {
  const out: Record<string, string> = {};
  const stepDir = posix.dirname(step.source);
  const queue = [step.source];
  while (queue.length) {
    const path = queue.shift()!;
    if (Object.hasOwn(out, path)) continue;
    let source: string;
    try {
      source = readFileSync(join(project, path), 'utf8');
    } catch {
      if (path === step.source) throw new Error(`step "${step.name}": source: ${step.source} does not exist; promote its cell again`);
      continue;
    }
    out[path] = sha256Text(source);
    for (const module of importedModules(source)) {
      for (const candidate of localModuleCandidates(module, stepDir)) {
        if (!Object.hasOwn(out, candidate) && existsSync(join(project, candidate))) queue.push(candidate);
      }
    }
  }
  return out;
}

/**
 * Checks one step against the cache. `upstream` holds the outputs of the steps it reads from (their fingerprints
 * enter its key); a data input counts with the snapshot fingerprint it is bound to.
 */
export function checkStep(
  cache: PipelineCache,
  spec: PipelineSpec,
  step: PipelineStep,
  overrides: Readonly<Record<string, JsonValue>>,
  upstream: ReadonlyMap<string, CachedOutput[]>,
): StepCheck {
  const inputs: Record<string, string> = {};
  for (const input of step.inputs) {
    if (input.from === 'step') {
      const produced = upstream.get(input.step)?.find((o) => o.name === input.output);
      inputs[input.name] = produced?.fingerprint ?? 'unknown';
    } else {
      inputs[input.name] = input.snapshot ?? 'unbound';
    }
  }
  const parts: StepKeyParts = {
    step: step.name,
    function: step.function,
    code: codeDigests(cache.project, step),
    params: stepParamValues(spec, step, overrides),
    inputs,
  };
  const key = sha256Text(cacheKeyMaterial(parts));
  const entry = cache.entry(key);
  if (entry) {
    const changed = cache.changedFiles(entry);
    if (changed.length === 0) return { step, parts, key, entry, reasons: [] };
    return { step, parts, key, reasons: stalenessReasons(entry.parts, parts, changed) };
  }
  const reasons = stalenessReasons(cache.latestParts(step.name), parts);
  return { step, parts, key, reasons: reasons.length ? reasons : ['not in the cache'] };
}

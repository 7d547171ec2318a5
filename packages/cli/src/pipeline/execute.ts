/**
 * One execution of a pipeline: steps in topological order, independent steps in parallel (up to `jobs`), each
 * either taken from the cache (its key and recorded input files unchanged) or run in a Python subprocess. A
 * failing step blocks only the steps downstream of it. Cancelling (the abort signal, Ctrl-C) kills the running
 * subprocesses; their work folders are removed, and since entries are written only after all of a step's outputs
 * are stored, the cache never holds a half-written result.
 */
import { existsSync } from 'node:fs';
import {
  dependentsOf,
  readySteps,
  selectSteps,
  stepParamValues,
  topologicalOrder,
  type PipelineSpec,
  type PipelineStep,
  type StepState,
} from '@runtrail/core/pipeline';
import type { JsonValue } from '@runtrail/core/schema';
import type { CacheEntry, CachedOutput, PipelineCache } from './cache';
import { checkStep, type StepCheck } from './keys';
import type { PythonAssets } from './pyassets';
import { runStep } from './stepprocess';
import { SafeTracker, type PipelineTracker, type RunTag } from './tracking';

/** How a step ended in this execution. */
export type StepOutcome = 'cached' | 'ran' | 'failed' | 'blocked' | 'cancelled';

/** One step's result. */
export interface StepResult {
  step: string;
  outcome: StepOutcome;
  key?: string;
  /** Why it ran (stale reasons), or why it was blocked. */
  reasons: string[];
  error?: string;
  runId?: string;
  durationMs: number;
}

/** What an execution needs. */
export interface ExecuteOptions {
  cache: PipelineCache;
  python: string;
  assets: PythonAssets;
  overrides: Record<string, JsonValue>;
  only: string[];
  force: boolean;
  jobs: number;
  tracker: PipelineTracker | null;
  signal: AbortSignal;
  /** One progress line. */
  progress: (line: string) => void;
}

/** The result of an execution. */
export interface ExecuteResult {
  status: 'finished' | 'failed' | 'killed';
  runId?: string;
  steps: StepResult[];
}

/** Runs the pipeline once. */
export async function executePipeline(spec: PipelineSpec, options: ExecuteOptions): Promise<ExecuteResult> {
  const order = selectSteps(spec, topologicalOrder(spec), options.only);
  const states = new Map<string, StepState>(order.map((s) => [s.name, 'pending']));
  const outputs = new Map<string, CachedOutput[]>();
  const runIds = new Map<string, string>();
  const results = new Map<string, StepResult>();
  const running = new Map<string, Promise<void>>();
  const recording: Array<Promise<void>> = [];
  const tracker = new SafeTracker(options.tracker, options.progress);
  const width = Math.max(...order.map((s) => s.name.length), 4);
  const label = (name: string) => name.padEnd(width);
  let doneCount = 0;
  const count = () => `[${doneCount}/${order.length}]`;

  const finish = (name: string, state: StepState, result: StepResult) => {
    states.set(name, state);
    results.set(name, result);
    if (state === 'failed') {
      for (const dependent of dependentsOf(order, name)) {
        if (states.get(dependent) !== 'pending') continue;
        states.set(dependent, 'blocked');
        results.set(dependent, { step: dependent, outcome: 'blocked', reasons: [`upstream step "${name}" failed`], durationMs: 0 });
        options.progress(`      ${label(dependent)}  not run: upstream step "${name}" failed`);
      }
    }
  };

  const handle = async (step: PipelineStep): Promise<void> => {
    const started = Date.now();
    let check: StepCheck;
    try {
      check = checkStep(options.cache, spec, step, options.overrides, outputs);
    } catch (error) {
      doneCount++;
      const message = (error as Error).message;
      options.progress(`${count()} ${label(step.name)}  FAILED: ${message}`);
      finish(step.name, 'failed', { step: step.name, outcome: 'failed', reasons: [], error: message, durationMs: 0 });
      return;
    }
    const params = stepParamValues(spec, step, options.overrides);
    const inputTags = lineageTags(step, check, runIds);
    if (!options.force && check.entry && (await ensureBlobs(check.entry, options.cache, tracker))) {
      const entry = check.entry;
      const result: StepResult = { step: step.name, outcome: 'cached', key: check.key, reasons: [], durationMs: Date.now() - started };
      // A cached step's run is recorded in the background: downstream steps need only the producing run's id.
      recording.push(
        tracker
          .startStep(step.name, params, [
            { key: 'runtrail.pipeline.cache', value: 'hit' },
            { key: 'runtrail.pipeline.cache_key', value: check.key },
            ...(entry.runId ? [{ key: 'runtrail.pipeline.produced_by', value: entry.runId }] : []),
            ...inputTags,
          ])
          .then(async (runId) => {
            if (!runId) return;
            result.runId = runId;
            await tracker.finish(runId, 'finished');
          }),
      );
      outputs.set(step.name, entry.outputs);
      if (entry.runId) runIds.set(step.name, entry.runId);
      doneCount++;
      options.progress(`${count()} ${label(step.name)}  cached`);
      finish(step.name, 'done', result);
      return;
    }
    const reasons = options.force ? ['--force'] : check.reasons;
    options.progress(`${count()} ${label(step.name)}  running (${reasons.join('; ')})`);
    const runId = await tracker.startStep(step.name, params, [
      { key: 'runtrail.pipeline.cache', value: 'miss' },
      { key: 'runtrail.pipeline.cache_key', value: check.key },
      ...inputTags,
    ]);
    const outcome = await runStep(spec, step, check, params, outputs, options);
    doneCount++;
    const base = { step: step.name, key: check.key, reasons, ...(runId ? { runId } : {}), durationMs: Date.now() - started };
    if (outcome.kind === 'ok') {
      const entry: CacheEntry = { ...outcome.entry, ...(runId ? { runId } : {}) };
      options.cache.saveEntry(entry);
      outputs.set(step.name, entry.outputs);
      if (runId) {
        runIds.set(step.name, runId);
        await tracker.outputs(runId, entry.outputs, options.cache);
        await tracker.tag(runId, fileTags(entry));
        await tracker.finish(runId, 'finished');
      }
      options.progress(`${count()} ${label(step.name)}  done in ${seconds(base.durationMs)}`);
      finish(step.name, 'done', { ...base, outcome: 'ran' });
    } else if (outcome.kind === 'cancelled') {
      if (runId) await tracker.finish(runId, 'killed');
      options.progress(`${count()} ${label(step.name)}  cancelled`);
      finish(step.name, 'cancelled', { ...base, outcome: 'cancelled' });
    } else {
      if (runId) {
        await tracker.tag(runId, [{ key: 'runtrail.pipeline.error', value: outcome.error.slice(0, 4000) }]);
        await tracker.finish(runId, 'failed');
      }
      options.progress(`${count()} ${label(step.name)}  FAILED: ${outcome.error}${outcome.detail ? `\n${indent(outcome.detail)}` : ''}`);
      finish(step.name, 'failed', { ...base, outcome: 'failed', error: outcome.error });
    }
  };

  for (;;) {
    if (!options.signal.aborted) {
      for (const step of readySteps(order, states, options.jobs)) {
        states.set(step.name, 'running');
        running.set(
          step.name,
          handle(step).finally(() => running.delete(step.name)),
        );
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  await Promise.all(recording);
  for (const step of order) {
    if (states.get(step.name) === 'pending') {
      states.set(step.name, 'cancelled');
      results.set(step.name, { step: step.name, outcome: 'cancelled', reasons: ['the run was cancelled'], durationMs: 0 });
    }
  }
  const steps = order.map((s) => results.get(s.name)!);
  const status = options.signal.aborted ? 'killed' : steps.every((r) => r.outcome === 'cached' || r.outcome === 'ran') ? 'finished' : 'failed';
  return { status, steps };
}

/** Tags naming each input's fingerprint and the run that produced it. */
function lineageTags(step: PipelineStep, check: StepCheck, runIds: ReadonlyMap<string, string>): RunTag[] {
  const tags: RunTag[] = [];
  for (const input of step.inputs) {
    tags.push({ key: `runtrail.input.${input.name}`, value: check.parts.inputs[input.name] ?? 'unknown' });
    if (input.from === 'step') {
      tags.push({ key: `runtrail.input.${input.name}.step`, value: input.step });
      const run = runIds.get(input.step);
      if (run) tags.push({ key: `runtrail.input.${input.name}.run`, value: run });
    }
  }
  return tags;
}

/** Tags naming the data files a step read and their digests (paths a tag key cannot hold are left out). */
function fileTags(entry: CacheEntry): RunTag[] {
  return entry.files
    .map((f) => ({ key: `runtrail.file.${f.path}`, value: f.digest }))
    .filter((t) => /^[\w\-. /:]+$/.test(t.key) && t.key.length <= 250);
}

/** Makes sure the entry's blobs are in the local store, fetching lost ones from the backend. */
async function ensureBlobs(entry: CacheEntry, cache: PipelineCache, tracker: SafeTracker): Promise<boolean> {
  for (const o of entry.outputs) {
    if (existsSync(cache.blobPath(o.sha256))) continue;
    const bytes = await tracker.fetchBlob(o.sha256);
    if (!bytes) return false;
    cache.saveBlob(o.sha256, bytes);
  }
  return true;
}

function indent(text: string): string {
  return text.split('\n').map((l) => `      ${l}`).join('\n');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

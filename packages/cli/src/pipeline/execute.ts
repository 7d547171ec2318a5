/**
 * One execution of a pipeline: steps in topological order, independent steps in parallel (up to `jobs`), each
 * either taken from the cache (its key and recorded input files unchanged) or run in a Python subprocess. A
 * failing step blocks only the steps downstream of it. Cancelling (the abort signal, Ctrl-C) kills the running
 * subprocesses; their work folders are removed, and since entries are written only after all of a step's outputs
 * are stored, the cache never holds a half-written result.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
import { FORMAT_EXTENSIONS, fileDigest, type CacheEntry, type CachedOutput, type PipelineCache } from './cache';
import { checkStep, type StepCheck } from './keys';
import type { PythonAssets } from './pyassets';
import type { PipelineTracker, RunTag } from './tracking';

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

type StepRun = { kind: 'ok'; entry: CacheEntry } | { kind: 'failed'; error: string; detail?: string } | { kind: 'cancelled' };

/** Runs one step in the project's Python and stores its outputs. */
async function runStep(
  spec: PipelineSpec,
  step: PipelineStep,
  check: StepCheck,
  params: Record<string, JsonValue>,
  outputs: ReadonlyMap<string, CachedOutput[]>,
  options: ExecuteOptions,
): Promise<StepRun> {
  const unbound = step.inputs.find((i) => i.from === 'data');
  if (unbound) {
    return {
      kind: 'failed',
      error: `step "${step.name}": input "${unbound.name}" is data from the notebook (snapshot ${unbound.from === 'data' && unbound.snapshot ? unbound.snapshot : 'unbound'}), which the runner cannot load; promote the cell that makes "${unbound.name}" as a step`,
    };
  }
  const work = options.cache.workDir(step.name);
  try {
    const inputs = step.inputs.map((input) => {
      const produced = input.from === 'step' ? outputs.get(input.step)?.find((o) => o.name === input.output) : undefined;
      if (!produced) throw new Error(`input "${input.name}" has no value`);
      const producer = input.from === 'step' ? spec.steps.find((s) => s.name === input.step) : undefined;
      return {
        name: input.name,
        path: options.cache.blobPath(produced.sha256),
        format: produced.format,
        kind: produced.kind,
        ...(producer ? { producer: { step: producer.name, source: producer.source } } : {}),
      };
    });
    const job = {
      project: options.cache.project,
      cacheDir: options.cache.root,
      kernel: options.assets.kernel,
      step: step.name,
      source: step.source,
      function: step.function,
      inputs,
      params,
      outputs: step.outputs.map((o) => o.name),
      outDir: work,
    };
    const jobFile = join(work, 'job.json');
    writeFileSync(jobFile, JSON.stringify(job));
    const exit = await spawnRunner(options.python, [options.assets.runner, jobFile], options.signal);
    if (exit.cancelled) return { kind: 'cancelled' };
    let result: RunnerResult | undefined;
    try {
      result = JSON.parse(readFileSync(join(work, 'result.json'), 'utf8')) as RunnerResult;
    } catch {
      result = undefined;
    }
    if (!result) {
      const why = exit.spawnError ?? `the step process exited with ${exit.code ?? exit.signal} before reporting a result`;
      return { kind: 'failed', error: `step "${step.name}" failed: ${why}`, detail: tail(exit.stderr) };
    }
    if (!result.ok) {
      return {
        kind: 'failed',
        error: `step "${step.name}" failed: ${result.error.type ? `${result.error.type}: ` : ''}${result.error.message}`,
        detail: tail(result.error.traceback || exit.stderr),
      };
    }
    const stored: CachedOutput[] = result.outputs.map((o) => {
      const blob = options.cache.storeBlob(join(work, o.file));
      return { name: o.name, format: o.format, kind: o.kind, fingerprint: o.fingerprint, shape: o.shape, ...blob };
    });
    const files = result.files.map((path) => ({ path, digest: fileDigest(join(options.cache.project, path)) }));
    return { kind: 'ok', entry: { key: check.key, parts: check.parts, outputs: stored, files, createdAt: Date.now() } };
  } catch (error) {
    return { kind: 'failed', error: `step "${step.name}" failed: ${(error as Error).message}` };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

interface RunnerResult {
  ok: boolean;
  outputs: Array<{ name: string; format: keyof typeof FORMAT_EXTENSIONS; kind: string; file: string; fingerprint: string; shape: number[] }>;
  files: string[];
  error: { type: string; message: string; traceback: string };
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  cancelled: boolean;
  spawnError?: string;
}

/** Spawns the runner; on abort sends SIGTERM, then SIGKILL if it has not exited within 3 s. */
function spawnRunner(python: string, args: string[], signal: AbortSignal): Promise<Exit> {
  return new Promise((resolve) => {
    let stderr = '';
    let spawnError: string | undefined;
    const child = spawn(python, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
    child.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-16_384);
    });
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), 3000);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    child.once('error', (error) => {
      spawnError = `cannot start ${python}: ${error.message}`;
    });
    child.once('close', (code, sig) => {
      signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      resolve({ code, signal: sig, stderr, cancelled: signal.aborted, ...(spawnError ? { spawnError } : {}) });
    });
  });
}

function tail(text: string, lines = 12): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function indent(text: string): string {
  return text.split('\n').map((l) => `      ${l}`).join('\n');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/**
 * The tracker behind a guard: when the backend stops answering mid-run the pipeline goes on untracked (one
 * warning), rather than failing steps that ran fine.
 */
class SafeTracker {
  private warned = false;

  constructor(
    private tracker: PipelineTracker | null,
    private readonly progress: (line: string) => void,
  ) {}

  private async guard<T>(fn: (t: PipelineTracker) => Promise<T>): Promise<T | undefined> {
    if (!this.tracker) return undefined;
    try {
      return await fn(this.tracker);
    } catch (error) {
      if (!this.warned) this.progress(`warning: the backend stopped recording this run (${(error as Error).message.split('\n')[0]}); going on untracked`);
      this.warned = true;
      this.tracker = null;
      return undefined;
    }
  }

  startStep(step: string, params: Record<string, JsonValue>, tags: RunTag[]): Promise<string | undefined> {
    return this.guard((t) => t.startStep(step, params, tags));
  }

  async finish(runId: string, status: 'finished' | 'failed' | 'killed'): Promise<void> {
    await this.guard((t) => t.finish(runId, status));
  }

  async tag(runId: string, tags: RunTag[]): Promise<void> {
    await this.guard((t) => t.tag(runId, tags));
  }

  async outputs(runId: string, outputs: CachedOutput[], cache: PipelineCache): Promise<void> {
    await this.guard((t) => t.attachOutputs(runId, outputs, cache));
  }

  fetchBlob(sha256: string): Promise<Uint8Array | undefined> {
    return this.guard((t) => t.fetchBlob(sha256));
  }
}

/**
 * One step in its own process of the project's Python: the job file for the step runner (step_runner.py), the
 * subprocess (killed on cancel: SIGTERM, then SIGKILL after 3 s), and the move of its outputs into the cache.
 * The work folder is removed whatever happens; only complete outputs reach the blob store.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { PipelineSpec, PipelineStep } from '@runtrail/core/pipeline';
import type { JsonValue } from '@runtrail/core/schema';
import { FORMAT_EXTENSIONS, fileDigest, type CacheEntry, type CachedOutput, type PipelineCache } from './cache';
import type { StepCheck } from './keys';
import type { PythonAssets } from './pyassets';

/** What running a step needs. */
export interface StepProcessOptions {
  cache: PipelineCache;
  python: string;
  assets: PythonAssets;
  signal: AbortSignal;
}

/** How a step process ended. */
export type StepRun = { kind: 'ok'; entry: CacheEntry } | { kind: 'failed'; error: string; detail?: string } | { kind: 'cancelled' };

/** Runs one step in the project's Python and stores its outputs. */
export async function runStep(
  spec: PipelineSpec,
  step: PipelineStep,
  check: StepCheck,
  params: Record<string, JsonValue>,
  outputs: ReadonlyMap<string, CachedOutput[]>,
  options: StepProcessOptions,
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
    const read = [...new Set([...result.files, ...paramFiles(options.cache.project, params)])].sort();
    const files = read.map((path) => ({ path, digest: fileDigest(join(options.cache.project, path)) }));
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

/**
 * Project files that string params name (`data_path = "data/x.parquet"`). They count as files the step read even
 * when the reading bypassed Python's open() (pyarrow and polars read through their own native file systems).
 */
export function paramFiles(project: string, params: Record<string, JsonValue>): string[] {
  const out: string[] = [];
  const values = Object.values(params).flatMap((v) => (Array.isArray(v) ? v : [v]));
  for (const value of values) {
    if (typeof value !== 'string' || value === '' || value.length > 1024 || value.includes('\0')) continue;
    const full = resolve(project, value);
    const rel = relative(project, full);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('.runtrail')) continue;
    try {
      if (statSync(full).isFile()) out.push(rel.split(sep).join('/'));
    } catch {
      // Not a file: an ordinary string param.
    }
  }
  return out;
}

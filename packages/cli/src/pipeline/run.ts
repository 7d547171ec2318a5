/**
 * `runtrail pipeline run` and `runtrail pipeline status`: read pipeline.yaml from the project folder, connect to
 * the backend when one answers (else run untracked, outputs in the local cache only), then execute once, or once
 * per value of `--sweep`, each execution its own pipeline run. Ctrl-C cancels: running steps are killed, their
 * runs end as killed, and the exit code is 130.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import {
  PipelineError,
  paramOverrides,
  parseParamAssignment,
  parsePipelineYaml,
  parseSweep,
  selectSteps,
  topologicalOrder,
  type PipelineSpec,
} from '@runtrail/core/pipeline';
import type { JsonValue } from '@runtrail/core/schema';
import { connect, type ConnectionOptions } from '../connection';
import { CliError, describeError } from '../errors';
import { table } from '../format';
import { PipelineCache, sha256Text } from './cache';
import { executePipeline, type ExecuteResult } from './execute';
import { installPythonAssets, projectPython } from './pyassets';
import { pipelineStatus } from './status';
import { PipelineTracker, pipelineExperimentId } from './tracking';

/** Options of `pipeline run`. */
export interface RunOptions extends ConnectionOptions {
  project?: string;
  param?: string[];
  sweep?: string;
  only?: string[];
  force?: boolean;
  json?: boolean;
  python?: string;
  jobs?: string;
  offline?: boolean;
}

/** Options of `pipeline status`. */
export interface StatusOptions {
  project?: string;
  param?: string[];
  json?: boolean;
}

function loadSpec(project: string): PipelineSpec {
  const file = join(project, 'pipeline.yaml');
  if (!existsSync(file)) throw new CliError(`no pipeline.yaml in ${project}: promote a notebook cell first (runtrail pipeline promote)`, 2);
  try {
    return parsePipelineYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    if (error instanceof PipelineError) throw new CliError(error.message, 2);
    throw error;
  }
}

function usage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof PipelineError) throw new CliError(error.message, 2);
    throw error;
  }
}

/** A client when the backend answers its health probe within a second, else null. */
async function reachableTracker(options: RunOptions): Promise<ReturnType<typeof connect> | null> {
  if (options.offline) return null;
  const client = connect(options);
  const probe = client.call('health', {});
  const timeout = new Promise<null>((r) => setTimeout(() => r(null), 1000).unref());
  try {
    return (await Promise.race([probe, timeout])) ? client : null;
  } catch {
    return null;
  }
}

/** `runtrail pipeline run`. */
export async function runPipeline(options: RunOptions, print: (text: string) => void): Promise<void> {
  const project = resolve(options.project ?? '.');
  const spec = loadSpec(project);
  const base = usage(() => paramOverrides(spec, (options.param ?? []).map(parseParamAssignment)));
  const sweep = options.sweep ? usage(() => parseSweep(options.sweep!)) : undefined;
  if (sweep) usage(() => paramOverrides(spec, [{ key: sweep.key, value: null }], '--sweep'));
  usage(() => selectSteps(spec, topologicalOrder(spec), options.only ?? []));
  const jobs = options.jobs ? Number(options.jobs) : availableParallelism();
  if (!Number.isInteger(jobs) || jobs < 1) throw new CliError(`--jobs must be a positive integer, not "${options.jobs}"`, 2);
  const progress = options.json ? (line: string) => process.stderr.write(`${line}\n`) : print;
  const cache = new PipelineCache(project);
  cache.init();
  const assets = installPythonAssets(cache.root);
  const python = projectPython(project, options.python);
  const client = await reachableTracker(options);
  if (!client && !options.offline) progress('note: no backend answered; running untracked (outputs stay in the local cache)');

  const controller = new AbortController();
  const onSigint = () => {
    if (!controller.signal.aborted) progress('cancelling: stopping running steps...');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const runs: Array<ExecuteResult & { params: Record<string, JsonValue> }> = [];
  try {
    const variants: Array<Record<string, JsonValue>> = sweep ? sweep.values.map((v) => ({ ...base, [sweep.key]: v })) : [base];
    for (const overrides of variants) {
      if (controller.signal.aborted) break;
      const label = sweep ? `${sweep.key}=${JSON.stringify(overrides[sweep.key])}` : undefined;
      if (label) progress(`sweep ${label}`);
      const params = { ...spec.params, ...overrides } as Record<string, JsonValue>;
      let tracker: PipelineTracker | null = null;
      if (client) {
        const tags = label ? [{ key: 'runtrail.pipeline.sweep', value: label }] : [];
        const name = label ? `${spec.name} (${label})` : spec.name;
        tracker = await PipelineTracker.start(client, pipelineExperimentId(spec.name, sha256Text), spec.name, name, params, tags).catch((error: unknown) => {
          progress(`warning: the backend did not record the pipeline run (${describeError(error)}); running untracked`);
          return null;
        });
      }
      const result = await executePipeline(spec, {
        cache, python, assets, overrides, only: options.only ?? [], force: Boolean(options.force), jobs, tracker, signal: controller.signal, progress,
      });
      if (tracker) {
        await tracker.finish(tracker.runId, result.status).catch(() => undefined);
        result.runId = tracker.runId;
      }
      runs.push({ ...result, params });
    }
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
  if (options.json) print(JSON.stringify({ pipeline: spec.name, runs }, null, 2));
  else for (const run of runs) print(summary(run));
  if (controller.signal.aborted) throw new CliError('cancelled: running steps were stopped; nothing half-written was kept', 130);
  const failed = runs.flatMap((r) => r.steps.filter((s) => s.outcome === 'failed'));
  if (failed.length) {
    const blocked = runs.flatMap((r) => r.steps.filter((s) => s.outcome === 'blocked').map((s) => s.step));
    throw new CliError(`${failed.map((s) => s.error).join('; ')}${blocked.length ? `; not run: ${[...new Set(blocked)].join(', ')}` : ''}`);
  }
}

function summary(run: ExecuteResult): string {
  const counts = (o: string) => run.steps.filter((s) => s.outcome === o).length;
  const parts = [`${counts('ran')} ran`, `${counts('cached')} cached`];
  if (counts('failed')) parts.push(`${counts('failed')} failed`);
  if (counts('blocked')) parts.push(`${counts('blocked')} not run`);
  if (counts('cancelled')) parts.push(`${counts('cancelled')} cancelled`);
  return `pipeline ${run.status}: ${parts.join(', ')}${run.runId ? ` (run ${run.runId})` : ''}`;
}

/** `runtrail pipeline status`. */
export function showPipelineStatus(options: StatusOptions, print: (text: string) => void): void {
  const project = resolve(options.project ?? '.');
  const spec = loadSpec(project);
  const overrides = usage(() => paramOverrides(spec, (options.param ?? []).map(parseParamAssignment)));
  const steps = pipelineStatus(spec, new PipelineCache(project), overrides);
  if (options.json) {
    print(JSON.stringify({ pipeline: spec.name, steps }, null, 2));
    return;
  }
  print(table(['STEP', 'STATUS', 'WHY'], steps.map((s) => [s.step, s.state, s.reasons.join('; ') || '-'])));
}

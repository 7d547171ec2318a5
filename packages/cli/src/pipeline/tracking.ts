/**
 * Pipeline runs in the backend: one run per pipeline execution (experiment `pipeline <name>`), and one run per
 * step whose parent is that run. Lineage is recorded with what the schema holds: step params; tags naming the
 * cache key, whether the outputs came from the cache and which run computed them, and for each input its
 * fingerprint and producing step run; outputs as artifacts (blobs in the backend's content-addressed store) and,
 * for data values, as data snapshots carrying the same fingerprint a notebook capture would.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RuntrailClient } from '@runtrail/core/client';
import type { JsonValue } from '@runtrail/core/schema';
import { FORMAT_EXTENSIONS, type CachedOutput, type PipelineCache } from './cache';

/** A tag as the API takes it. */
export interface RunTag {
  key: string;
  value: string;
}

const SNAPSHOT_KINDS = new Set(['pandas', 'polars', 'numpy', 'arrow']);

/** Experiment id of a pipeline: stable per pipeline name. */
export function pipelineExperimentId(name: string, hash: (text: string) => string): string {
  return `pipeline-${hash(name).slice(0, 24)}`;
}

/** Records a pipeline execution and its steps in the backend. */
export class PipelineTracker {
  private constructor(
    private readonly client: RuntrailClient,
    private readonly experimentId: string,
    private readonly pipeline: string,
    /** The pipeline run. */
    readonly runId: string,
  ) {}

  /** Creates the experiment (idempotent) and the pipeline run. */
  static async start(
    client: RuntrailClient,
    experimentId: string,
    pipeline: string,
    runName: string,
    params: Record<string, JsonValue>,
    tags: RunTag[],
  ): Promise<PipelineTracker> {
    await client.call('createExperiment', { body: { id: experimentId, name: `pipeline ${pipeline}`, kind: 'named' } });
    const runId = randomUUID();
    await client.call('createRun', {
      body: { id: runId, experimentId, name: runName, source: { kind: 'pipeline', pipeline }, tags: [{ key: 'runtrail.pipeline', value: pipeline }, ...tags] },
    });
    const paramList = Object.entries(params).map(([key, value]) => ({ key, value, origin: 'explicit' as const }));
    if (paramList.length) await client.call('logBatch', { params: { runId }, body: { params: paramList } });
    return new PipelineTracker(client, experimentId, pipeline, runId);
  }

  /** Starts the run of one step under the pipeline run. */
  async startStep(step: string, params: Record<string, JsonValue>, tags: RunTag[]): Promise<string> {
    const id = randomUUID();
    await this.client.call('createRun', {
      body: {
        id,
        experimentId: this.experimentId,
        name: `${this.pipeline}/${step}`,
        source: { kind: 'pipeline', pipeline: this.pipeline, step },
        parentRunId: this.runId,
        tags: [{ key: 'runtrail.pipeline', value: this.pipeline }, { key: 'runtrail.pipeline.step', value: step }, ...tags],
      },
    });
    const paramList = Object.entries(params).map(([key, value]) => ({ key, value, origin: 'explicit' as const }));
    if (paramList.length) await this.client.call('logBatch', { params: { runId: id }, body: { params: paramList } });
    return id;
  }

  /** Adds tags to a run. */
  async tag(runId: string, tags: RunTag[]): Promise<void> {
    if (tags.length) await this.client.call('logBatch', { params: { runId }, body: { tags } });
  }

  /** Uploads the outputs to the blob store and attaches them to the step run (artifacts, data snapshots). */
  async attachOutputs(runId: string, outputs: CachedOutput[], cache: PipelineCache): Promise<void> {
    if (outputs.length === 0) return;
    for (const o of outputs) {
      const exists = await this.client.call('headBlob', { params: { sha256: o.sha256 } }).catch(() => false);
      if (!exists) await this.client.call('putBlob', { params: { sha256: o.sha256 }, bytes: readFileSync(cache.blobPath(o.sha256)) });
    }
    await this.client.call('attachArtifacts', {
      params: { runId },
      body: {
        artifacts: outputs.map((o) => ({
          path: `outputs/${o.name}.${FORMAT_EXTENSIONS[o.format]}`,
          size: o.size,
          sha256: o.sha256,
          blob: { sha256: o.sha256, size: o.size },
        })),
      },
    });
    const snapshots = outputs
      .filter((o) => SNAPSHOT_KINDS.has(o.kind))
      .map((o) => ({
        id: randomUUID(),
        name: o.name,
        kind: o.kind as 'pandas',
        fingerprint: o.fingerprint,
        shape: o.shape.slice(0, 32),
        blob: { sha256: o.sha256, size: o.size },
        capturedAt: Date.now(),
      }));
    if (snapshots.length) await this.client.call('attachSnapshots', { params: { runId }, body: { snapshots } });
  }

  /** Ends a run. */
  async finish(runId: string, status: 'finished' | 'failed' | 'killed'): Promise<void> {
    await this.client.call('finishRun', { params: { runId }, body: { status } });
  }

  /** Fetches a blob the local cache lost from the backend's store. */
  async fetchBlob(sha256: string): Promise<Uint8Array> {
    return this.client.call('getBlob', { params: { sha256 } });
  }
}

/**
 * The tracker behind a guard: when the backend stops answering mid-run the pipeline goes on untracked (one
 * warning), rather than failing steps that ran fine.
 */
export class SafeTracker {
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

  /** Starts a step run; undefined when untracked. */
  startStep(step: string, params: Record<string, JsonValue>, tags: RunTag[]): Promise<string | undefined> {
    return this.guard((t) => t.startStep(step, params, tags));
  }

  /** Ends a run. */
  async finish(runId: string, status: 'finished' | 'failed' | 'killed'): Promise<void> {
    await this.guard((t) => t.finish(runId, status));
  }

  /** Adds tags to a run. */
  async tag(runId: string, tags: RunTag[]): Promise<void> {
    await this.guard((t) => t.tag(runId, tags));
  }

  /** Uploads and attaches a step's outputs. */
  async outputs(runId: string, outputs: CachedOutput[], cache: PipelineCache): Promise<void> {
    await this.guard((t) => t.attachOutputs(runId, outputs, cache));
  }

  /** A blob from the backend's store; undefined when untracked or missing. */
  fetchBlob(sha256: string): Promise<Uint8Array | undefined> {
    return this.guard((t) => t.fetchBlob(sha256));
  }
}

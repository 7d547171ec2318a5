/**
 * Artifacts for MLflow clients: the mlflow-artifacts proxy (`PUT`/`GET /api/2.0/mlflow-artifacts/artifacts/
 * <experiment>/<run>/artifacts/<path>`, and listing with `?path=`) and `artifacts/list` of the tracking API.
 * Uploaded bytes become content-addressed blobs attached to the run (in its doc) as runtrail artifacts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, Hono } from 'hono';
import { Artifact, MLFLOW_ARTIFACTS_ROOT, type Run } from '@runtrail/core/schema';
import { attachArtifacts } from '@runtrail/core/sync';
import type { ApiContext } from '../api/context';
import type { AuthGate } from '../auth/gate';
import { ARTIFACTS_POLICY, type RoutePolicy } from '../auth/policy';
import { runArtifactUri } from './convert';
import { MlflowError, doesNotExist, invalidParameter } from './errors';
import type { MlflowHandlers } from './router';
import { authorizeMlflow, mlflowErrorResponse } from './router';
import type { MlflowRuns } from './runs';


/** One entry of an artifact listing. */
interface FileInfo {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/** The direct children of `dir` ('' = root) among a run's artifacts; paths relative to `dir`. */
export function listChildren(artifacts: Artifact[], dir: string): FileInfo[] {
  const prefix = dir ? `${dir}/` : '';
  const out = new Map<string, FileInfo>();
  for (const a of artifacts) {
    if (!a.path.startsWith(prefix)) continue;
    const rest = a.path.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash === -1) out.set(rest, { path: rest, is_dir: false, file_size: a.size });
    else out.set(rest.slice(0, slash), { path: rest.slice(0, slash), is_dir: true });
  }
  return [...out.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
}

function safePath(path: string): string {
  const clean = path.replace(/^\/+|\/+$/g, '');
  if (clean.split('/').some((part) => part === '..' || part === '.') || clean.includes('\\') || clean.includes('\u0000')) {
    throw invalidParameter(`Invalid artifact path '${path}': must be relative, without '.' or '..' segments`);
  }
  return clean;
}

/** Splits `<experiment>/<run>/artifacts/<path>` into its parts. */
function locate(fullPath: string): { experimentId: string; runId: string; path: string } {
  const m = /^([^/]+)\/([^/]+)\/artifacts(?:\/(.*))?$/.exec(safePath(fullPath));
  if (!m) throw doesNotExist(`No artifact at '${fullPath}': paths are <experiment_id>/<run_id>/artifacts/<path>`);
  return { experimentId: m[1]!, runId: m[2]!, path: m[3] ?? '' };
}

/**
 * Spools an upload to a temporary file while hashing it (blobs are addressed by content, which is only known at
 * the end), then stores it as a blob. Returns its sha256 and size; a body past `max` is a 413.
 */
async function storeUpload(c: Context, ctx: ApiContext): Promise<{ sha256: string; size: number }> {
  const max = ctx.blobMaxBytes;
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > max) throw new MlflowError(413, 'INVALID_PARAMETER_VALUE', `artifact is ${declared} bytes; the limit is ${max}`);
  const file = join(tmpdir(), `runtrail-upload-${randomBytes(8).toString('hex')}`);
  try {
    const hash = createHash('sha256');
    const out = createWriteStream(file);
    const closed = new Promise<void>((resolve, reject) => {
      out.once('close', resolve);
      out.once('error', reject);
    });
    let size = 0;
    try {
      const reader = c.req.raw.body?.getReader();
      for (;;) {
        const chunk = reader ? await reader.read() : { done: true as const, value: undefined };
        if (chunk.done) break;
        size += chunk.value.byteLength;
        if (size > max) throw new MlflowError(413, 'INVALID_PARAMETER_VALUE', `artifact exceeds ${max} bytes`);
        hash.update(chunk.value);
        if (!out.write(chunk.value)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      }
    } finally {
      out.end();
      await closed;
    }
    const sha256 = hash.digest('hex');
    await ctx.blobs.put(sha256, createReadStream(file), max);
    return { sha256, size };
  } finally {
    await rm(file, { force: true });
  }
}

/** Mounts the mlflow-artifacts proxy routes. */
export function mountMlflowArtifacts(app: Hono, ctx: ApiContext, runs: MlflowRuns, gate: AuthGate, onError?: (error: unknown) => void): void {
  async function runFor(experimentId: string, runId: string): Promise<Run> {
    const run = await runs.get(runId);
    if (run.experimentId !== experimentId) throw doesNotExist(`Run ${runId} is not in experiment ${experimentId}`);
    return run;
  }
  const relative = (c: Context) => decodeURIComponent(new URL(c.req.url).pathname.slice(MLFLOW_ARTIFACTS_ROOT.length + 1));
  // The run in the artifact path decides the workspace (ARTIFACTS_POLICY); paths that name no run check the caller's.
  const guard = (policy: RoutePolicy, fn: (c: Context) => Promise<Response>) => async (c: Context) => {
    try {
      const principal = await gate.authenticate(c.req.header('authorization'));
      const m = /^[^/]+\/([^/]+)\/artifacts(?:\/|$)/.exec(c.req.path === MLFLOW_ARTIFACTS_ROOT ? (c.req.query('path') ?? '') : relative(c));
      await authorizeMlflow(c, gate, principal, policy, m ? { run_id: m[1] } : {});
      return await fn(c);
    } catch (error) {
      return mlflowErrorResponse(c, error, onError);
    }
  };

  app.get(MLFLOW_ARTIFACTS_ROOT, guard(ARTIFACTS_POLICY.list, async (c) => {
    const { experimentId, runId, path } = locate(c.req.query('path') ?? '');
    const run = await runFor(experimentId, runId);
    const file = run.artifacts.find((a) => a.path === path);
    const files = file ? [{ path: path.split('/').at(-1)!, is_dir: false, file_size: file.size }] : listChildren(run.artifacts, path);
    return c.json({ files });
  }));

  app.put(`${MLFLOW_ARTIFACTS_ROOT}/:path{.+}`, guard(ARTIFACTS_POLICY.upload, async (c) => {
    const { experimentId, runId, path } = locate(relative(c));
    if (!path) throw invalidParameter('An artifact upload needs a file path after /artifacts/');
    await runFor(experimentId, runId);
    const { sha256, size } = await storeUpload(c, ctx);
    const parsed = Artifact.safeParse({ path, size, sha256, blob: { sha256, size } });
    if (!parsed.success) throw invalidParameter(`Invalid artifact path '${path}': ${parsed.error.issues[0]!.message}`);
    const artifact = parsed.data;
    await runs.mutate(runId, (map, _tx, doc) => doc.transact(() => attachArtifacts(map, [artifact])));
    return c.json({});
  }));

  app.get(`${MLFLOW_ARTIFACTS_ROOT}/:path{.+}`, guard(ARTIFACTS_POLICY.download, async (c) => {
    const { experimentId, runId, path } = locate(relative(c));
    const run = await runFor(experimentId, runId);
    const artifact = run.artifacts.find((a) => a.path === path);
    if (!artifact) throw doesNotExist(`No artifact '${path}' in run ${runId}`);
    const blob = await ctx.blobs.get(artifact.sha256);
    if (!blob) throw doesNotExist(`The content of artifact '${path}' is missing from the blob store`);
    return new Response(blob.body, { headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) } });
  }));
}

/** `artifacts/list` of the tracking API. */
export function mlflowArtifactListHandler(runs: MlflowRuns): Pick<MlflowHandlers, 'listArtifacts'> {
  return {
    async listArtifacts(req) {
      const run = await runs.get((req.run_id ?? req.run_uuid)!);
      const dir = safePath(req.path ?? '');
      const files = listChildren(run.artifacts, dir).map((f) => ({ ...f, path: dir ? `${dir}/${f.path}` : f.path }));
      return { root_uri: runArtifactUri(run), files };
    },
  };
}

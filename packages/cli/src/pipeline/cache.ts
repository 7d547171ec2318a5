/**
 * The local pipeline cache under `<project>/.runtrail/pipeline/` (decision 0013):
 * - `blobs/<sha256>`: step outputs, content-addressed (also uploaded to the backend's blob store when one is
 *   reachable, so a missing local copy is fetched back from there);
 * - `entries/<cache key>.json`: what a step produced for one key: its outputs, the files it read, its run;
 * - `steps/<name>.json`: the key parts of the step's latest entry, to explain why a step is stale;
 * - `tmp/`: work folders of running steps, removed when they end (a crash leaves only ignorable leftovers).
 * Every write is a temp file renamed into place, so a cancelled run never leaves a half-written entry or blob.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FileDependency, StepKeyParts } from '@runtrail/core/pipeline';

/** One stored output of a step. */
export interface CachedOutput {
  name: string;
  format: 'parquet' | 'npy' | 'json' | 'pickle';
  /** Data kind as the runner saw it: pandas | polars | arrow | numpy | object. */
  kind: string;
  sha256: string;
  size: number;
  fingerprint: string;
  shape: number[];
}

/** What a step produced for one cache key. */
export interface CacheEntry {
  key: string;
  parts: StepKeyParts;
  outputs: CachedOutput[];
  files: FileDependency[];
  /** The step run that computed these outputs (absent when it ran without a backend). */
  runId?: string;
  createdAt: number;
}

/** File extension of each output format. */
export const FORMAT_EXTENSIONS: Readonly<Record<CachedOutput['format'], string>> = { parquet: 'parquet', npy: 'npy', json: 'json', pickle: 'pickle' };

/** sha256 of a file's bytes, hex. */
export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** sha256 of a text, hex. */
export function sha256Text(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function writeAtomic(path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, content);
  renameSync(temp, path);
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** The cache of one project. */
export class PipelineCache {
  /** The cache folder. */
  readonly root: string;

  constructor(readonly project: string) {
    this.root = join(project, '.runtrail', 'pipeline');
  }

  /** Creates the cache folder, with a .gitignore so that git never picks up cached outputs. */
  init(): void {
    const ignore = join(this.root, '.gitignore');
    if (!existsSync(ignore)) writeAtomic(ignore, '# runtrail pipeline cache: local outputs, never committed\n*\n');
  }

  /** Path of a blob in the local store. */
  blobPath(sha256: string): string {
    return join(this.root, 'blobs', sha256);
  }

  /** The entry stored for `key`, if any. */
  entry(key: string): CacheEntry | undefined {
    return readJson<CacheEntry>(join(this.root, 'entries', `${key}.json`));
  }

  /** The key parts of the latest entry of `step`. */
  latestParts(step: string): StepKeyParts | undefined {
    return readJson<{ parts: StepKeyParts }>(join(this.root, 'steps', `${step}.json`))?.parts;
  }

  /** Moves a finished output file into the blob store; returns its address and size. */
  storeBlob(file: string): { sha256: string; size: number } {
    const sha256 = sha256File(file);
    const size = statSync(file).size;
    const target = this.blobPath(sha256);
    mkdirSync(dirname(target), { recursive: true });
    if (existsSync(target)) rmSync(file, { force: true });
    else renameSync(file, target);
    return { sha256, size };
  }

  /** Saves a blob fetched from elsewhere (the backend), verifying its address. */
  saveBlob(sha256: string, bytes: Uint8Array): void {
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== sha256) throw new Error(`blob ${sha256} arrived with content ${actual}`);
    writeAtomic(this.blobPath(sha256), bytes);
  }

  /** Records an entry (after its blobs are stored) and makes it the step's latest. */
  saveEntry(entry: CacheEntry): void {
    writeAtomic(join(this.root, 'entries', `${entry.key}.json`), JSON.stringify(entry, null, 1));
    writeAtomic(join(this.root, 'steps', `${entry.parts.step}.json`), JSON.stringify({ key: entry.key, parts: entry.parts }, null, 1));
  }

  /** A fresh work folder for a running step. */
  workDir(step: string): string {
    const dir = join(this.root, 'tmp', `${step}-${process.pid}-${randomBytes(4).toString('hex')}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Files an entry depends on whose content changed since (missing files count as changed). */
  changedFiles(entry: CacheEntry): string[] {
    return entry.files.filter((f) => fileDigest(join(this.project, f.path)) !== f.digest).map((f) => f.path);
  }
}

/** Digest of a file's content (`sha256:<hex>`), or `missing`. */
export function fileDigest(path: string): string {
  try {
    return `sha256:${sha256File(path)}`;
  } catch {
    return 'missing';
  }
}

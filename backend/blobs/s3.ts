/**
 * S3-compatible blob store: `<prefix>/<sha256>` objects in one bucket. An upload is hashed while it is spooled to
 * a local temp file and only then PUT under its final key, so a blob whose bytes do not match its address never
 * reaches the bucket (docs/decisions/0017-s3-blobs-spool-then-put.md).
 */
import {
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { ApiError } from '../errors';
import type { BlobStore } from './port';
import { drain, spoolVerified } from './spool';
import { describeS3Location, type S3BlobLocation } from './s3-url';

/** An S3 blob store that owns its client: `close()` releases the client's sockets. */
export interface S3BlobStore extends BlobStore {
  close(): void;
}

/** Options of {@link openS3BlobStore}. */
export interface S3BlobStoreOptions {
  /** Local folder for uploads in flight (created when missing); each is removed once stored or refused. */
  spoolDir: string;
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function isMissing(error: unknown): boolean {
  const name = (error as Error)?.name;
  return statusOf(error) === 404 || name === 'NotFound' || name === 'NoSuchKey';
}

/** Why the bucket cannot be used, in words (S3's HEAD answers carry no message of their own). */
function reasonOf(error: unknown): string {
  const status = statusOf(error);
  if (status === 404) return 'the bucket does not exist';
  if (status === 403) return 'access denied (check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)';
  if (status === 301) return 'the bucket is in another region (set ?region= or AWS_REGION)';
  const err = error as NodeJS.ErrnoException & { errors?: Error[] };
  const message = err?.message || err?.code || err?.errors?.[0]?.message || String(error);
  return status ? `HTTP ${status}: ${message}` : message;
}

/**
 * The 503 answered when the bucket fails at run time (endpoint down, credentials revoked): clients keep the upload
 * in their outbox and retry, instead of treating a bug-shaped 500 as final.
 */
function unavailable(location: S3BlobLocation, error: unknown): ApiError {
  return new ApiError(
    503,
    'BLOB_STORE_UNAVAILABLE',
    `the blob store, S3 bucket '${location.bucket}' (${describeS3Location(location)}), did not answer: ${reasonOf(error)}; retry later`,
  );
}

/** A client for `location`: region from the URL, else AWS_REGION / AWS_DEFAULT_REGION, else us-east-1. */
function clientFor(location: S3BlobLocation): S3Client {
  return new S3Client({
    region: location.region ?? (process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1'),
    ...(location.endpoint ? { endpoint: location.endpoint } : {}),
    ...(location.forcePathStyle !== undefined ? { forcePathStyle: location.forcePathStyle } : {}),
    // Extra checksums only when an operation requires them: many S3-compatible stores reject aws-chunked bodies.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/**
 * Opens the blob store at `location` after checking that its bucket answers; an Error starting with
 * `cannot use S3 bucket` names the bucket (and endpoint) when it does not.
 */
export async function openS3BlobStore(location: S3BlobLocation, options: S3BlobStoreOptions): Promise<S3BlobStore> {
  const client = clientFor(location);
  try {
    await client.send(new HeadBucketCommand({ Bucket: location.bucket }));
  } catch (error) {
    client.destroy();
    throw new Error(`cannot use S3 bucket '${location.bucket}' (${describeS3Location(location)}): ${reasonOf(error)}`);
  }
  const Bucket = location.bucket;
  const keyOf = (sha256: string) => (location.prefix ? `${location.prefix}/${sha256}` : sha256);
  /** PUTs under way, by address (across nodes, identical PUTs of the same bytes are harmless: the last one wins). */
  const inFlight = new Map<string, Promise<void>>();

  const store: S3BlobStore = {
    async stat(sha256) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket, Key: keyOf(sha256) }));
        return { size: head.ContentLength ?? 0 };
      } catch (error) {
        if (isMissing(error)) return null;
        throw unavailable(location, error);
      }
    },

    async put(sha256, body, maxBytes) {
      const existing = await store.stat(sha256);
      if (existing) {
        await drain(body);
        return { size: existing.size, created: false };
      }
      const { path: spool, size } = await spoolVerified(body, sha256, maxBytes, options.spoolDir);
      try {
        // Identical uploads in flight at once in this process PUT the bytes once; the others wait for that PUT.
        for (let pending = inFlight.get(sha256); pending; pending = inFlight.get(sha256)) {
          await pending.catch(() => undefined);
          if (await store.stat(sha256)) return { size, created: false };
        }
        const upload = client
          .send(
            new PutObjectCommand({
              Bucket,
              Key: keyOf(sha256),
              Body: createReadStream(spool),
              ContentLength: size,
              ContentType: 'application/octet-stream',
            }),
          )
          .then(
            () => undefined,
            (error: unknown) => {
              throw unavailable(location, error);
            },
          );
        inFlight.set(sha256, upload);
        try {
          await upload;
        } finally {
          if (inFlight.get(sha256) === upload) inFlight.delete(sha256);
        }
        return { size, created: true };
      } finally {
        await rm(spool, { force: true });
      }
    },

    async get(sha256) {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket, Key: keyOf(sha256) }));
        if (!object.Body) return null;
        return { size: object.ContentLength ?? 0, body: object.Body.transformToWebStream() as ReadableStream<Uint8Array> };
      } catch (error) {
        if (isMissing(error)) return null;
        throw unavailable(location, error);
      }
    },

    close() {
      client.destroy();
    },
  };
  return store;
}

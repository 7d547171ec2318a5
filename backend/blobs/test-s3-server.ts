/**
 * A throwaway S3-protocol server for tests: moto's `moto_server` (PyPI `moto[server]`, installed into its own
 * venv by the `s3` step of scripts/lib/setup.mjs) on 127.0.0.1 and a free port, in memory, stopped by `stop()`.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** moto's version; mirrors MOTO_VERSION in scripts/lib/setup.mjs, which installs it under .cache/s3/. */
const MOTO_VERSION = '5.2.5';

/** Credentials moto accepts (any are accepted); tests pass them through the standard AWS environment. */
export const TEST_S3_ENV = { AWS_ACCESS_KEY_ID: 'runtrail-test', AWS_SECRET_ACCESS_KEY: 'runtrail-test-secret', AWS_REGION: 'us-east-1' };

/** A running test server. */
export interface TestS3 {
  /** The endpoint, `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** Creates an empty bucket with a fresh name and returns the name. */
  createBucket(): Promise<string>;
  /** An `s3://` URL for `--blobs` on `bucket` under `prefix`. */
  blobsUrl(bucket: string, prefix?: string): string;
  /** Stops the server; safe to call twice. */
  stop(): Promise<void>;
}

/** Path of `moto_server`: $RUNTRAIL_MOTO_SERVER, else the venv the set-up step creates. */
export function findMotoServer(): string {
  if (process.env.RUNTRAIL_MOTO_SERVER) return process.env.RUNTRAIL_MOTO_SERVER;
  const root = fileURLToPath(new URL('../..', import.meta.url));
  return join(root, '.cache', 's3', `moto-${MOTO_VERSION}`, 'bin', 'moto_server');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilReady(endpoint: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}:\n${log()}`);
    try {
      await fetch(`${endpoint}/moto-api/`);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`moto_server did not answer in 30 s (${(error as Error).message}):\n${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Starts a fresh, empty server. */
export async function startTestS3(): Promise<TestS3> {
  const bin = findMotoServer();
  if (!existsSync(bin)) throw new Error(`moto_server is not installed at ${bin}: run \`node scripts/test.mjs unit\` once (its s3 set-up step)`);
  let child: ChildProcess | null = null;
  let endpoint = '';
  let output = '';
  for (let attempt = 0; attempt < 3 && !child; attempt++) {
    const port = await freePort();
    endpoint = `http://127.0.0.1:${port}`;
    const started = spawn(bin, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    output = '';
    started.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    started.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    try {
      await waitUntilReady(endpoint, started, () => output);
      child = started;
    } catch (error) {
      started.kill('SIGKILL');
      if (attempt === 2 || !/in use/i.test(output)) throw error;
    }
  }
  const server = child!;
  const admin = new S3Client({
    endpoint,
    forcePathStyle: true,
    region: TEST_S3_ENV.AWS_REGION,
    credentials: { accessKeyId: TEST_S3_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: TEST_S3_ENV.AWS_SECRET_ACCESS_KEY },
  });
  let buckets = 0;
  let stopping: Promise<void> | null = null;
  return {
    endpoint,
    async createBucket() {
      const name = `runtrail-test-${process.pid}-${++buckets}`;
      await admin.send(new CreateBucketCommand({ Bucket: name }));
      return name;
    },
    blobsUrl(bucket, prefix = '') {
      return `s3://${bucket}/${prefix}?endpoint=${encodeURIComponent(endpoint)}&forcePathStyle=true`;
    },
    stop() {
      stopping ??= (async () => {
        admin.destroy();
        if (server.exitCode !== null) return;
        const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
        server.kill('SIGTERM');
        const timer = setTimeout(() => server.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

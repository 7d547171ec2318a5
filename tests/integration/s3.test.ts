/**
 * `runtrail serve --blobs s3://...`: the bundled CLI keeping blobs in a real S3-protocol server (moto's
 * `moto_server`, started here on a free port and stopped afterwards). Artifacts uploaded over REST and through the
 * mlflow-artifacts proxy land in the bucket and read back, also from a second server with an empty data folder.
 */
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuntrailClient } from '@runtrail/core/client';
import { startTestS3, TEST_S3_ENV, type TestS3 } from '../../backend/blobs/test-s3-server';
import { CLI, ensureBuilt, startBackend, tempDataDir, type BackendProcess } from './harness';

let s3: TestS3;
let admin: S3Client;
const folders: { remove(): void }[] = [];
const backends: BackendProcess[] = [];
const savedEnv: Record<string, string | undefined> = {};

beforeAll(async () => {
  ensureBuilt();
  // The backend processes inherit the credentials through the standard AWS environment variables.
  for (const [key, value] of Object.entries(TEST_S3_ENV)) {
    savedEnv[key] = process.env[key];
    process.env[key] = value;
  }
  s3 = await startTestS3();
  admin = new S3Client({
    endpoint: s3.endpoint,
    forcePathStyle: true,
    region: TEST_S3_ENV.AWS_REGION,
    credentials: { accessKeyId: TEST_S3_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: TEST_S3_ENV.AWS_SECRET_ACCESS_KEY },
  });
});

afterAll(async () => {
  await Promise.all(backends.map((b) => b.stop()));
  admin?.destroy();
  await s3?.stop();
  for (const folder of folders) folder.remove();
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

async function serve(blobs: string): Promise<BackendProcess> {
  const data = tempDataDir();
  folders.push(data);
  const backend = await startBackend(data.dir, 's3-token', 0, ['--blobs', blobs]);
  backends.push(backend);
  return backend;
}

function serveFails(blobs: string): { status: number | null; stderr: string } {
  const data = tempDataDir();
  folders.push(data);
  const result = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--data', data.dir, '--blobs', blobs], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stderr: result.stderr };
}

async function keysIn(bucket: string): Promise<string[]> {
  const listed = await admin.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (listed.Contents ?? []).map((o) => o.Key!).sort();
}

function bytesOf(length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + (i >> 8)) & 0xff;
  return out;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('runtrail serve --blobs s3://', () => {
  it('stores artifacts uploaded over REST in the bucket and serves them back, also from a fresh server', async () => {
    const bucket = await s3.createBucket();
    const url = s3.blobsUrl(bucket, 'team/blobs');
    const first = await serve(url);
    const auth = { authorization: `Bearer ${first.token}` };
    const client = new RuntrailClient({ baseUrl: first.url, token: first.token });
    await client.call('createExperiment', { body: { id: 's3-exp', name: 'blobs on s3' } });
    await client.call('createRun', { body: { id: 's3-run', experimentId: 's3-exp', name: 'with a model' } });

    const model = bytesOf(3 * 1024 * 1024 + 17);
    const address = sha256(model);
    const put = await fetch(`${first.url}/api/v1/blobs/${address}`, { method: 'PUT', headers: auth, body: model });
    expect(put.status).toBe(201);
    expect(await put.json()).toEqual({ sha256: address, size: model.byteLength, created: true });
    const again = await fetch(`${first.url}/api/v1/blobs/${address}`, { method: 'PUT', headers: auth, body: model });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ created: false });
    await client.call('attachArtifacts', {
      params: { runId: 's3-run' },
      body: { artifacts: [{ path: 'model.bin', size: model.byteLength, sha256: address, blob: { sha256: address, size: model.byteLength } }] },
    });

    // Bytes that do not match their address are refused and never reach the bucket.
    const wrong = sha256(Buffer.from('not these bytes'));
    const refused = await fetch(`${first.url}/api/v1/blobs/${wrong}`, { method: 'PUT', headers: auth, body: Buffer.from('other bytes') });
    expect(refused.status).toBe(422);
    expect(await keysIn(bucket)).toEqual([`team/blobs/${address}`]);
    // Nothing was kept in the data folder: no blob folder, no spooled upload left behind.
    expect(existsSync(join(first.dataDir, 'blobs'))).toBe(false);
    expect(readdirSync(join(first.dataDir, 'blobs-spool'))).toEqual([]);

    const head = await fetch(`${first.url}/api/v1/blobs/${address}`, { method: 'HEAD', headers: auth });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(model.byteLength));
    expect((await fetch(`${first.url}/api/v1/blobs/${wrong}`, { method: 'HEAD', headers: auth })).status).toBe(404);
    expect(await first.stop('SIGTERM')).toBe(0);

    // A second server with an empty data folder on the same bucket serves the blob from S3.
    const second = await serve(url);
    const got = await fetch(`${second.url}/api/v1/blobs/${address}`, { headers: { authorization: `Bearer ${second.token}` } });
    expect(got.status).toBe(200);
    expect(got.headers.get('content-length')).toBe(String(model.byteLength));
    expect(Buffer.compare(Buffer.from(await got.arrayBuffer()), model)).toBe(0);
    const missing = await fetch(`${second.url}/api/v1/blobs/${'0'.repeat(64)}`, { headers: { authorization: `Bearer ${second.token}` } });
    expect(missing.status).toBe(404);
  });

  it('keeps MLflow artifacts uploaded through the mlflow-artifacts proxy in the bucket', async () => {
    const bucket = await s3.createBucket();
    const backend = await serve(s3.blobsUrl(bucket));
    const client = new RuntrailClient({ baseUrl: backend.url, token: backend.token });
    await client.call('createExperiment', { body: { id: 'ml-exp', name: 'mlflow on s3' } });
    await client.call('createRun', { body: { id: 'ml-run', experimentId: 'ml-exp', name: 'logged by mlflow' } });
    const auth = { authorization: `Bearer ${backend.token}` };
    const weights = bytesOf(200_000);
    const artifactUrl = `${backend.url}/api/2.0/mlflow-artifacts/artifacts/ml-exp/ml-run/artifacts/model/weights.bin`;
    const put = await fetch(artifactUrl, { method: 'PUT', headers: auth, body: weights });
    expect(put.status).toBe(200);
    expect(await keysIn(bucket)).toEqual([sha256(weights)]);
    const got = await fetch(artifactUrl, { headers: auth });
    expect(got.status).toBe(200);
    expect(Buffer.compare(Buffer.from(await got.arrayBuffer()), weights)).toBe(0);
  });

  it('takes the endpoint from AWS_ENDPOINT_URL_S3 when the URL names none', async () => {
    const bucket = await s3.createBucket();
    process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
    let backend: BackendProcess;
    try {
      backend = await serve(`s3://${bucket}/env?forcePathStyle=true`);
    } finally {
      delete process.env.AWS_ENDPOINT_URL_S3;
    }
    const bytes = Buffer.from('endpoint from the environment');
    const put = await fetch(`${backend.url}/api/v1/blobs/${sha256(bytes)}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${backend.token}` },
      body: bytes,
    });
    expect(put.status).toBe(201);
    expect(await keysIn(bucket)).toEqual([`env/${sha256(bytes)}`]);
  });

  it('exits 1 naming the bucket when it does not exist or its endpoint does not answer', () => {
    const noBucket = serveFails(s3.blobsUrl('no-such-bucket'));
    expect(noBucket.status).toBe(1);
    expect(noBucket.stderr).toContain(`runtrail: error: cannot use S3 bucket 'no-such-bucket' (s3://no-such-bucket at ${s3.endpoint}): the bucket does not exist`);

    const closed = serveFails('s3://runtrail-gone/x?endpoint=http://127.0.0.1:1&forcePathStyle=true');
    expect(closed.status).toBe(1);
    expect(closed.stderr).toContain("runtrail: error: cannot use S3 bucket 'runtrail-gone' (s3://runtrail-gone/x at http://127.0.0.1:1): ");
    expect(closed.stderr).toMatch(/ECONNREFUSED/);
  });

  it('exits 2 on a malformed --blobs URL, never echoing credentials put in it', () => {
    const withSecret = serveFails(`s3://AKIAEXAMPLE:hunter2@bucket-name/x?endpoint=${s3.endpoint}`);
    expect(withSecret.status).toBe(2);
    expect(withSecret.stderr).toContain('--blobs must not contain credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
    expect(withSecret.stderr).not.toContain('hunter2');

    const notS3 = serveFails('/var/blobs');
    expect(notS3.status).toBe(2);
    expect(notS3.stderr).toContain("--blobs must be an s3://bucket/prefix URL, got '/var/blobs'");

    const unknown = serveFails('s3://bucket-name/x?endpiont=http://127.0.0.1:9000');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("--blobs has unknown option 'endpiont'; known: endpoint, forcePathStyle, region");
  });
});

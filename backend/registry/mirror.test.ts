/**
 * Live registry views: a sync client on `/api/v1/sync/registry/default` (a real server on a free port, a real
 * WebSocket) sees models, versions, aliases and stages as they are committed, without polling, and cannot write.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { SyncClient, createExperimentDoc, readRegistryMirror, writeMirroredModel, type MirroredModel } from '@runtrail/core/sync';
import { startServer, type RunningServer } from '../server';

const TOKEN = 'mirror-token';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'runtrail-mirror-'));
  const server = await startServer({ dataDir, port: 0, token: TOKEN, log: () => undefined });
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }), () => server.close());
  return server;
}

async function call(server: RunningServer, method: string, path: string, body?: unknown): Promise<unknown> {
  const binary = body instanceof Uint8Array;
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': binary ? 'application/octet-stream' : 'application/json' },
    body: body === undefined ? undefined : binary ? body : JSON.stringify(body),
  });
  const text = await res.text();
  expect(res.ok, `${method} ${path} -> ${res.status} ${text}`).toBe(true);
  return text ? JSON.parse(text) : null;
}

function mirrorClient(server: RunningServer, workspace = 'default'): { doc: Y.Doc; client: SyncClient } {
  const doc = createExperimentDoc();
  const client = new SyncClient({
    doc,
    url: `${server.url.replace(/^http/, 'ws')}/api/v1/sync/registry/${workspace}?token=${TOKEN}`,
    createSocket: (target) => new WebSocket(target),
    initialDelayMs: 50,
    maxDelayMs: 200,
  });
  cleanups.push(() => client.dispose());
  return { doc, client };
}

/** Resolves once `probe` holds on the doc, checked on each update the doc receives (no polling of the server). */
function whenDoc<T>(doc: Y.Doc, probe: (models: MirroredModel[]) => T | undefined, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (doc.off('update', check), reject(new Error(`${what}: not seen within 5 s`))), 5_000);
    function check() {
      const found = probe(readRegistryMirror(doc));
      if (found === undefined) return;
      clearTimeout(timer);
      doc.off('update', check);
      resolve(found);
    }
    doc.on('update', check);
    check();
  });
}

async function runWithModelArtifact(server: RunningServer): Promise<void> {
  await call(server, 'POST', '/api/v1/experiments', { id: 'exp-1', name: 'e' });
  await call(server, 'POST', '/api/v1/runs', { id: 'run-1', experimentId: 'exp-1' });
  const bytes = new TextEncoder().encode('weights');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await call(server, 'PUT', `/api/v1/blobs/${sha256}`, bytes);
  await call(server, 'POST', '/api/v1/runs/run-1/artifacts', { artifacts: [{ path: 'model/model.pkl', size: bytes.length, sha256, blob: { sha256, size: bytes.length } }] });
}

describe('registry mirror doc', () => {
  it('shows new models, versions, aliases and stages to a sync client as they are committed', async () => {
    const server = await start();
    await runWithModelArtifact(server);
    const { doc } = mirrorClient(server);

    const created = whenDoc(doc, (models) => models.find((m) => m.model.name === 'churn'), 'new model');
    await call(server, 'POST', '/api/v1/models', { name: 'churn', description: 'churn model' });
    expect((await created).model).toMatchObject({ description: 'churn model', latestVersion: 0 });

    const versioned = whenDoc(doc, (models) => models.find((m) => m.model.name === 'churn')?.versions[0], 'new version');
    await call(server, 'POST', '/api/v1/models/churn/versions', { runId: 'run-1', path: 'model' });
    expect(await versioned).toMatchObject({ version: 1, runId: 'run-1', stage: 'None', aliases: [] });

    const aliased = whenDoc(doc, (models) => {
      const entry = models.find((m) => m.model.name === 'churn');
      return entry?.model.aliases.length ? entry : undefined;
    }, 'alias');
    await call(server, 'PUT', '/api/v1/models/churn/aliases/champion', { version: 1 });
    const entry = await aliased;
    expect(entry.model.aliases).toEqual([{ alias: 'champion', version: 1 }]);
    expect(entry.versions[0]!.aliases).toEqual(['champion']);

    // The MLflow API changes the same registry, and the mirror follows it too.
    const staged = whenDoc(doc, (models) => models.find((m) => m.model.name === 'churn')?.versions.find((v) => v.stage === 'Production'), 'stage');
    await call(server, 'POST', '/api/2.0/mlflow/model-versions/transition-stage', { name: 'churn', version: '1', stage: 'Production' });
    expect(await staged).toMatchObject({ version: 1 });

    const deleted = whenDoc(doc, (models) => (models.some((m) => m.model.name === 'churn') ? undefined : true), 'deleted model');
    await call(server, 'DELETE', '/api/v1/models/churn?confirm=churn');
    await deleted;
  });

  it('is read only for clients, and a late joiner gets the current state', async () => {
    const server = await start();
    await call(server, 'POST', '/api/v1/models', { name: 'fraud', description: '' });
    const writer = mirrorClient(server);
    await whenDoc(writer.doc, (models) => (models.length === 1 ? true : undefined), 'current state on connect');
    const model = readRegistryMirror(writer.doc)[0]!.model;
    // A client that writes into the mirror is cut off; nothing it wrote is stored.
    const status = new Promise<void>((resolve) => writer.client.onStatus((s) => s !== 'synced' && resolve()));
    writer.doc.transact(() => writeMirroredModel(writer.doc, 'forged', { model: { ...model, name: 'forged' }, versions: [] }));
    await status;
    const reader = mirrorClient(server);
    await whenDoc(reader.doc, (models) => (models.length === 1 ? true : undefined), 'state for a late joiner');
    await new Promise((r) => setTimeout(r, 200));
    expect(readRegistryMirror(reader.doc).map((m) => m.model.name)).toEqual(['fraud']);
  });

  it('refuses a registry path that names no valid workspace', async () => {
    const server = await start();
    const res = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/api/v1/sync/registry/..%2Fx?token=${TOKEN}`);
      socket.on('unexpected-response', (_req, response) => resolve(response.statusCode ?? 0));
      socket.on('error', () => undefined);
    });
    expect(res).toBe(404);
  });
});

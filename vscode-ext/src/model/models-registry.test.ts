// ModelRegistry against a real backend (in-process server on a free port) and a real cache file.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '@runtrail/backend';
import { RuntrailApiError, RuntrailClient } from '@runtrail/core/client';
import { fileModelsCache } from './models-cache';
import { ModelRegistry } from './models-registry';

const TOKEN = 'models-test-token';
let dir: string;
let server: RunningServer;
let client: RuntrailClient;
const registries: ModelRegistry[] = [];

function newRegistry(): ModelRegistry {
  const registry = new ModelRegistry({ openCache: () => fileModelsCache(join(dir, 'cache')) });
  registries.push(registry);
  return registry;
}

async function runWithArtifacts(): Promise<string> {
  const experiment = await client.call('createExperiment', { body: { name: 'models-test', kind: 'named' } });
  const run = await client.call('createRun', { body: { id: 'run-models-1', experimentId: experiment.id, name: 'trained' } });
  for (const [path, content] of [['model/MLmodel', 'flavors: {}'], ['model/model.pkl', 'weights'], ['plot.png', 'png']] as const) {
    const bytes = new TextEncoder().encode(content);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await client.call('putBlob', { params: { sha256 }, bytes });
    await client.call('attachArtifacts', { params: { runId: run.id }, body: { artifacts: [{ path, size: bytes.length, sha256, blob: { sha256, size: bytes.length } }] } });
  }
  return run.id;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runtrail-vscode-models-'));
  server = await startServer({ dataDir: join(dir, 'server'), port: 0, token: TOKEN, log: () => {} });
  client = new RuntrailClient({ baseUrl: server.url, token: TOKEN });
});

afterEach(async () => {
  for (const r of registries.splice(0)) r.dispose();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ModelRegistry', () => {
  it('registers versions from a run artifact, creating the model name when new, and lists them', async () => {
    const runId = await runWithArtifacts();
    const registry = newRegistry();
    await registry.connect({ serverUrl: server.url, token: TOKEN });
    expect(registry.state.kind).toBe('online');
    expect(registry.snapshot?.models).toEqual([]);
    expect((await registry.runArtifacts(runId)).map((a) => a.path).sort()).toEqual(['model/MLmodel', 'model/model.pkl', 'plot.png']);

    const v1 = await registry.registerVersion('churn', runId, 'model');
    const v2 = await registry.registerVersion('churn', runId, 'plot.png');
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(v1.artifacts.map((a) => a.path).sort()).toEqual(['model/MLmodel', 'model/model.pkl']);
    const [entry] = registry.snapshot!.models;
    expect(entry!.model.name).toBe('churn');
    expect(entry!.versions.map((v) => v.version).sort()).toEqual([1, 2]);
    expect(registry.modelNames()).toEqual([{ name: 'churn', latestVersion: 2 }]);
  });

  it('sets, moves and removes aliases, shows lineage, deletes only with the name confirmed', async () => {
    const runId = await runWithArtifacts();
    const registry = newRegistry();
    await registry.connect({ serverUrl: server.url, token: TOKEN });
    await registry.registerVersion('churn', runId, 'model');
    await registry.registerVersion('churn', runId, 'model');
    await registry.setAlias('churn', 'champion', 1);
    expect(registry.findVersion('churn', 1)?.aliases).toEqual(['champion']);
    await registry.setAlias('churn', 'champion', 2);
    expect(registry.findVersion('churn', 1)?.aliases).toEqual([]);
    expect(registry.findVersion('churn', 2)?.aliases).toEqual(['champion']);
    await registry.removeAlias('churn', 'champion');
    expect(registry.findVersion('churn', 2)?.aliases).toEqual([]);

    const lineage = await registry.lineage('churn', 2);
    expect(lineage.run?.name).toBe('trained');

    await expect(registry.deleteModel('churn', 'chur')).rejects.toMatchObject({ status: 400 });
    expect(registry.modelNames()).toHaveLength(1);
    await registry.deleteModel('churn', 'churn');
    expect(registry.modelNames()).toEqual([]);
  });

  it('reports what the server refused, naming the field', async () => {
    const runId = await runWithArtifacts();
    const registry = newRegistry();
    await registry.connect({ serverUrl: server.url, token: TOKEN });
    const error = await registry.registerVersion('churn', runId, 'weights').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuntrailApiError);
    expect((error as RuntrailApiError).path).toBe('body.path');
  });

  it('shows the cached list while the server is down, then the live one again', async () => {
    const runId = await runWithArtifacts();
    const first = newRegistry();
    await first.connect({ serverUrl: server.url, token: TOKEN });
    await first.registerVersion('churn', runId, 'model');
    first.dispose();
    expect(first.openCounts).toEqual({ listeners: 0, polling: false });
    first.dispose();

    const url = server.url;
    await server.close();
    const offline = newRegistry();
    let changes = 0;
    offline.onDidChange(() => changes++);
    await offline.connect({ serverUrl: url, token: TOKEN });
    expect(offline.state.kind).toBe('offline');
    expect(offline.modelNames()).toEqual([{ name: 'churn', latestVersion: 1 }]);
    expect(changes).toBeGreaterThan(0);
    await expect(offline.setAlias('churn', 'champion', 1)).rejects.toMatchObject({ status: 0 });
    // The cache stays as it was (a failed fetch never overwrites it).
    expect(JSON.parse(readFileSync(join(dir, 'cache', 'models.json'), 'utf8')).models).toHaveLength(1);
  });

  it('ignores an unreadable cache file and says the token was refused', async () => {
    const cacheDir = join(dir, 'cache');
    await fileModelsCache(cacheDir).save('{"not":"a snapshot"}');
    const registry = newRegistry();
    await registry.connect({ serverUrl: server.url, token: 'wrong' });
    expect(registry.state.kind).toBe('unauthorized');
    expect(registry.snapshot).toBeNull();
  });
});

/**
 * The model registry as the Models view sees it: every registered model with its versions, read over REST
 * (the backend has no registry doc to sync yet, see docs/decisions/0016), fetched again every 30 s, on
 * Refresh and after each change made here. The last list is kept in a cache file per server, so the view
 * shows the last known models while the server cannot be reached. No vscode import: tested against a real
 * backend with vitest.
 */
import { RuntrailApiError, RuntrailClient } from '@runtrail/core/client';
import type { Artifact, ModelLineage, ModelVersion } from '@runtrail/core/schema';
import type { Connection } from '../history/history';
import { Emitter } from '../history/emitter';
import { ModelsSnapshot, type ModelEntry } from './models';

/** Where the last known models list of one server is kept (a port: a file in VS Code, memory in tests). */
export interface ModelsCache {
  load(): Promise<string | null>;
  save(text: string): Promise<void>;
}

/**
 * `unconfigured`: no server. `loading`: first fetch in flight. `online`: the list is current. `offline`:
 * the last fetch failed (`reason`); the snapshot, if any, is the cached one. `unauthorized`: token refused.
 */
export type ModelsState =
  | { kind: 'unconfigured' }
  | { kind: 'loading' }
  | { kind: 'online' }
  | { kind: 'offline'; reason: string }
  | { kind: 'unauthorized'; reason: string };

/** Ports and tunables of a ModelRegistry. */
export interface ModelRegistryOptions {
  openCache: (serverUrl: string) => ModelsCache;
  /** How often the list is fetched again (the registry has no live sync yet). */
  pollMs?: number;
  fetch?: typeof fetch;
  log?: (line: string) => void;
}

const MAX_MODEL_PAGES = 50;

/** Registered models and versions of the connected server, with the actions of the Models view. */
export class ModelRegistry {
  private readonly changed = new Emitter<void>();
  private client: RuntrailClient | null = null;
  private cache: ModelsCache | null = null;
  private current: ModelsSnapshot | null = null;
  private stateValue: ModelsState = { kind: 'unconfigured' };
  private session = 0;
  private pollTimer: ReturnType<typeof setInterval> | null = null;
  private disposed = false;
  private readonly pollMs: number;

  constructor(private readonly options: ModelRegistryOptions) {
    this.pollMs = options.pollMs ?? 30_000;
  }

  /** The models as last fetched (or loaded from the cache); null before anything is known. */
  get snapshot(): ModelsSnapshot | null {
    return this.current;
  }

  /** Whether the snapshot is current, loading, or the cached one of an unreachable server. */
  get state(): ModelsState {
    return this.stateValue;
  }

  /** Calls `listener` when the snapshot or the state changed; returns the function that stops it. */
  onDidChange(listener: () => void): () => void {
    return this.changed.on(listener);
  }

  /** Switches to another server (or none): shows its cached list at once, then fetches. */
  async connect(connection: Connection | null): Promise<void> {
    if (this.disposed) return;
    const session = ++this.session;
    this.stopPolling();
    this.current = null;
    if (!connection) {
      this.client = this.cache = null;
      this.setState({ kind: 'unconfigured' });
      return;
    }
    this.client = new RuntrailClient({ baseUrl: connection.serverUrl, token: connection.token, fetch: this.options.fetch });
    this.cache = this.options.openCache(connection.serverUrl);
    this.setState({ kind: 'loading' });
    const cached = await this.loadCache();
    if (session !== this.session) return;
    if (cached) this.current = cached;
    await this.refresh();
    if (session === this.session && !this.disposed) this.pollTimer = setInterval(() => void this.refresh(), this.pollMs);
  }

  /** Fetches every model and its versions; on failure keeps what it had and says why. */
  async refresh(): Promise<void> {
    const client = this.client;
    if (!client || this.disposed) return;
    const session = this.session;
    try {
      const snapshot = await fetchModels(client);
      if (session !== this.session) return;
      this.current = snapshot;
      this.setState({ kind: 'online' });
      await this.cache?.save(JSON.stringify(snapshot)).catch((error: Error) => this.log(`models cache not saved: ${error.message}`));
    } catch (error) {
      if (session !== this.session) return;
      const e = error as Error;
      const refused = error instanceof RuntrailApiError && (error.status === 401 || error.status === 403);
      if (!refused) this.log(`models not listed: ${e.message}`);
      this.setState(refused ? { kind: 'unauthorized', reason: e.message } : { kind: 'offline', reason: e.message });
    }
  }

  /** The models currently known by name, with their latest version numbers. */
  modelNames(): { name: string; latestVersion: number }[] {
    return (this.current?.models ?? []).map((e) => ({ name: e.model.name, latestVersion: e.model.latestVersion }));
  }

  /** One version from the snapshot, or undefined. */
  findVersion(modelName: string, version: number): ModelVersion | undefined {
    return this.current?.models.find((e) => e.model.name === modelName)?.versions.find((v) => v.version === version);
  }

  /** The artifacts of a run, from the server (the run record lists them). */
  async runArtifacts(runId: string): Promise<Artifact[]> {
    const run = await this.online().call('getRun', { params: { runId } });
    return run.artifacts;
  }

  /**
   * Registers a version of `modelName` from a run's artifact (`path`: file, folder, '' for all); the model
   * name is registered first when no model has it. Resolves the new version (its number from the server).
   */
  async registerVersion(modelName: string, runId: string, path: string): Promise<ModelVersion> {
    const client = this.online();
    const exists = await client.call('getModel', { params: { modelName } }).then(
      () => true,
      (error: unknown) => {
        if (error instanceof RuntrailApiError && error.status === 404) return false;
        throw error;
      },
    );
    if (!exists) {
      await client.call('createModel', { body: { name: modelName } }).catch((error: unknown) => {
        // Someone registered the name meanwhile: that is what we wanted.
        if (!(error instanceof RuntrailApiError && error.status === 409)) throw error;
      });
    }
    const version = await client.call('createModelVersion', { params: { modelName }, body: { runId, path } });
    await this.refresh();
    return version;
  }

  /** Points `alias` at a version (moving it from another version of the model, if any). */
  async setAlias(modelName: string, alias: string, version: number): Promise<void> {
    await this.online().call('setModelAlias', { params: { modelName, alias }, body: { version } });
    await this.refresh();
  }

  /** Removes an alias from its model. */
  async removeAlias(modelName: string, alias: string): Promise<void> {
    await this.online().call('deleteModelAlias', { params: { modelName, alias } });
    await this.refresh();
  }

  /** Deletes a model and all its versions permanently; `confirm` must repeat its name (the route checks). */
  async deleteModel(modelName: string, confirm: string): Promise<void> {
    await this.online().call('deleteModel', { params: { modelName }, query: { confirm } });
    await this.refresh();
  }

  /** Version → run → data snapshots → code cells, from the server. */
  lineage(modelName: string, version: number): Promise<ModelLineage> {
    return this.online().call('modelVersionLineage', { params: { modelName, version } });
  }

  /** Stops polling and drops every listener. Safe to call more than once. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.session++;
    this.stopPolling();
    this.changed.clear();
  }

  /** Number of listeners and whether a poll timer runs, for tests that check disposal leaves nothing behind. */
  get openCounts(): { listeners: number; polling: boolean } {
    return { listeners: this.changed.size, polling: this.pollTimer !== null };
  }

  private online(): RuntrailClient {
    if (!this.client) throw new Error('not connected to a runtrail server (run "runtrail: Connect to Server")');
    return this.client;
  }

  private async loadCache(): Promise<ModelsSnapshot | null> {
    const text = await this.cache?.load().catch(() => null);
    if (!text) return null;
    try {
      return ModelsSnapshot.parse(JSON.parse(text));
    } catch (error) {
      this.log(`models cache ignored (unreadable): ${(error as Error).message.split('\n')[0]}`);
      return null;
    }
  }

  private setState(state: ModelsState): void {
    this.stateValue = state;
    this.changed.fire();
  }

  private stopPolling(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}

/** Every model (all pages) with its versions, fetched in parallel per model. */
async function fetchModels(client: RuntrailClient): Promise<ModelsSnapshot> {
  const fetchedAt = Date.now();
  const models = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_MODEL_PAGES; page++) {
    const answer = await client.call('listModels', { query: { pageSize: 100, cursor } });
    models.push(...answer.models);
    if (!answer.nextCursor) break;
    cursor = answer.nextCursor;
  }
  const entries: ModelEntry[] = await Promise.all(
    models.map(async (model) => {
      const { versions } = await client.call('listModelVersions', { params: { modelName: model.name } }).catch((error: unknown) => {
        // Deleted between the two calls: show it without versions until the next refresh drops it.
        if (error instanceof RuntrailApiError && error.status === 404) return { versions: [] };
        throw error;
      });
      return { model, versions };
    }),
  );
  return { fetchedAt, models: entries };
}

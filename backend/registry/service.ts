/**
 * The model registry's rules, shared by the runtrail routes (/api/v1/models) and the MLflow routes: versions
 * are numbered by the server from a per-model counter and never reused, a version is always made from a run's
 * artifacts (so its lineage is known), and every alias or stage change writes an audit entry in the same
 * transaction as the change.
 */
import type {
  AuditEntry,
  ModelAlias,
  ModelLineage,
  ModelStage,
  ModelVersion,
  RegisteredModel,
  Run,
  Tag,
} from '@runtrail/core/schema';
import { getRunMap, readCellExecutions } from '@runtrail/core/sync';
import { ApiError, notFound } from '../errors';
import type { ApiContext } from '../api/context';
import type { RegistryTx, StoredVersion, VersionQuery } from './port';
import { mirrorModel } from './mirror';

/** Models live in the default workspace until workspaces arrive. */
const DEFAULT_WORKSPACE = 'default';

/** Tag edits of an update. */
export interface TagChanges {
  description?: string;
  setTags: Tag[];
  deleteTags: string[];
}

/** What a new version is made from. */
export interface NewVersion {
  runId: string;
  path: string;
  description: string;
  tags: Tag[];
}

function applyTags(tags: Tag[], changes: TagChanges): Tag[] {
  const map = new Map(tags.map((t) => [t.key, t.value]));
  for (const key of changes.deleteTags) map.delete(key);
  for (const t of changes.setTags) map.set(t.key, t.value);
  return [...map].map(([key, value]) => ({ key, value }));
}

/** Artifacts of `run` at `path`: the file itself, or everything below the folder ('' = all). */
export function artifactsUnder(run: Run, path: string): Run['artifacts'] {
  const clean = path.replace(/\/+$/, '');
  if (clean === '') return run.artifacts;
  return run.artifacts.filter((a) => a.path === clean || a.path.startsWith(clean + '/'));
}

/** The registry bound to one backend's stores. */
export class ModelRegistry {
  constructor(private readonly ctx: ApiContext) {}

  private get store() {
    return this.ctx.store.registry;
  }

  /** Models whose mirror write failed, with their workspace; mirrored again with the next change (SQL committed). */
  private readonly unmirrored = new Map<string, string | undefined>();

  /** Runs a registry write, then mirrors the changed model to its workspace's doc for live views. */
  private async change<T>(name: string, fn: (tx: RegistryTx) => Promise<T>): Promise<T> {
    // The workspace before the change: a deleted model's entry is removed from the mirror it was in.
    const workspace = (await this.store.getModel(name))?.workspaceId;
    const result = await this.store.write(fn);
    this.unmirrored.set(name, workspace);
    for (const [pending, before] of [...this.unmirrored]) {
      try {
        await mirrorModel(this.ctx, pending, (v, m) => this.withAliases(v, m), before);
        this.unmirrored.delete(pending);
      } catch {
        // Kept for the next change; the mirror is a view, the change itself is committed.
      }
    }
    return result;
  }

  private audit(tx: RegistryTx, actor: string, model: string, action: AuditEntry['action'], target: string, from: string | null, to: string | null) {
    return tx.appendAudit({ id: this.ctx.newId(), at: this.ctx.now(), actor, modelName: model, action, target, from, to });
  }

  private async mustModel(tx: RegistryTx, name: string, path: string): Promise<RegisteredModel> {
    const model = await tx.getModel(name);
    if (!model) throw notFound('registered model', name, path);
    return model;
  }

  private async mustVersion(tx: RegistryTx, name: string, version: number, path: string): Promise<StoredVersion> {
    const found = await tx.getVersion(name, version);
    if (!found) throw notFound('model version', `${name}/${version}`, path);
    return found;
  }

  /** A stored version with the aliases that point at it. */
  withAliases(version: StoredVersion, model: RegisteredModel | null): ModelVersion {
    const aliases = (model?.aliases ?? []).filter((a) => a.version === version.version).map((a) => a.alias);
    return { ...version, aliases };
  }

  /** Registers a name; 409 when it exists. */
  createModel(input: { name: string; description: string; tags: Tag[] }, actor: string): Promise<RegisteredModel> {
    return this.change(input.name, async (tx) => {
      if (await tx.getModel(input.name)) {
        throw new ApiError(409, 'RESOURCE_ALREADY_EXISTS', `registered model '${input.name}' already exists`, 'body.name');
      }
      const now = this.ctx.now();
      const model: RegisteredModel = {
        name: input.name,
        workspaceId: DEFAULT_WORKSPACE,
        description: input.description,
        tags: applyTags([], { setTags: input.tags, deleteTags: [] }),
        aliases: [],
        latestVersion: 0,
        createdAt: now,
        updatedAt: now,
      };
      await tx.putModel(model);
      await this.audit(tx, actor, model.name, 'model.create', `model:${model.name}`, null, model.name);
      return model;
    });
  }

  /** The model, or a 404 naming `path`. */
  async getModel(name: string, path = 'params.modelName'): Promise<RegisteredModel> {
    const model = await this.store.getModel(name);
    if (!model) throw notFound('registered model', name, path);
    return model;
  }

  /** Models by name (LIKE pattern), `limit + 1` rows to tell whether more exist. */
  listModels(nameLike: string | undefined, limit: number, offset: number): Promise<RegisteredModel[]> {
    return this.store.listModels(nameLike, limit, offset);
  }

  /** Changes description and tags. */
  updateModel(name: string, changes: TagChanges, path = 'params.modelName'): Promise<RegisteredModel> {
    return this.change(name, async (tx) => {
      const model = await this.mustModel(tx, name, path);
      const next: RegisteredModel = {
        ...model,
        description: changes.description ?? model.description,
        tags: applyTags(model.tags, changes),
        updatedAt: this.ctx.now(),
      };
      await tx.putModel(next);
      return next;
    });
  }

  /** Deletes a model and its versions for good; the audit log keeps the record of it. */
  deleteModel(name: string, actor: string, path = 'params.modelName'): Promise<void> {
    return this.change(name, async (tx) => {
      const model = await this.mustModel(tx, name, path);
      for (const a of model.aliases) await this.audit(tx, actor, name, 'alias.delete', `alias:${a.alias}`, String(a.version), null);
      await tx.deleteModel(name);
      await this.audit(tx, actor, name, 'model.delete', `model:${name}`, `${model.latestVersion} versions assigned`, null);
    });
  }

  /**
   * Registers a new version from a run's artifacts at `path`, numbered by the server. The run must exist and
   * have artifacts there; data snapshots and the cells it ran are recorded as lineage.
   */
  async createVersion(name: string, input: NewVersion, actor: string, paths = { model: 'params.modelName', run: 'body.runId', path: 'body.path' }): Promise<ModelVersion> {
    const run = await this.ctx.store.getRun(input.runId);
    if (!run) throw notFound('run', input.runId, paths.run);
    const artifacts = artifactsUnder(run, input.path);
    if (artifacts.length === 0) {
      throw new ApiError(400, 'INVALID_PARAMETER_VALUE', `run '${run.id}' has no artifact at '${input.path}'`, paths.path);
    }
    const cellIds = await this.ctx.docs.read(run.experimentId, (doc) => {
      const map = getRunMap(doc, run.id);
      return map ? [...new Set(readCellExecutions(map).map((c) => c.cellId))] : [];
    });
    return this.change(name, async (tx) => {
      const model = await this.mustModel(tx, name, paths.model);
      const now = this.ctx.now();
      const version: StoredVersion = {
        modelName: name,
        version: model.latestVersion + 1,
        runId: run.id,
        source: input.path.replace(/\/+$/, ''),
        artifacts,
        snapshotIds: run.snapshots.map((s) => s.id),
        cellIds,
        stage: 'None',
        description: input.description,
        tags: applyTags([], { setTags: input.tags, deleteTags: [] }),
        createdBy: actor,
        createdAt: now,
        updatedAt: now,
      };
      await tx.putVersion(version);
      await tx.putModel({ ...model, latestVersion: version.version, updatedAt: now });
      await this.audit(tx, actor, name, 'version.create', `version:${version.version}`, null, `run:${run.id}/${version.source}`);
      return this.withAliases(version, model);
    });
  }

  /** One version with its aliases, or a 404. */
  async getVersion(name: string, version: number, path = 'params.version'): Promise<ModelVersion> {
    const [model, found] = await Promise.all([this.store.getModel(name), this.store.getVersion(name, version)]);
    if (!found) throw notFound('model version', `${name}/${version}`, path);
    return this.withAliases(found, model);
  }

  /** The version an alias points at, or a 404. */
  async getVersionByAlias(name: string, alias: string, path = 'params.alias'): Promise<ModelVersion> {
    const model = await this.getModel(name, path);
    const target = model.aliases.find((a) => a.alias === alias);
    if (!target) throw notFound('alias', `${name}@${alias}`, path);
    return this.getVersion(name, target.version, path);
  }

  /** Versions matching `query`, newest first, with their aliases. */
  async findVersions(query: VersionQuery): Promise<ModelVersion[]> {
    const found = await this.store.findVersions(query);
    const models = new Map<string, RegisteredModel | null>();
    for (const v of found) if (!models.has(v.modelName)) models.set(v.modelName, await this.store.getModel(v.modelName));
    return found.map((v) => this.withAliases(v, models.get(v.modelName) ?? null));
  }

  /** Changes a version's description and tags. */
  updateVersion(name: string, version: number, changes: TagChanges, path = 'params.version'): Promise<ModelVersion> {
    return this.change(name, async (tx) => {
      const model = await tx.getModel(name);
      const found = await this.mustVersion(tx, name, version, path);
      const next: StoredVersion = {
        ...found,
        description: changes.description ?? found.description,
        tags: applyTags(found.tags, changes),
        updatedAt: this.ctx.now(),
      };
      await tx.putVersion(next);
      return this.withAliases(next, model);
    });
  }

  /** Moves a version to `stage` (audited); `archiveExisting` archives the others in that stage (audited too). */
  transitionStage(name: string, version: number, stage: ModelStage, archiveExisting: boolean, actor: string, path = 'params.version'): Promise<ModelVersion> {
    return this.change(name, async (tx) => {
      const model = await tx.getModel(name);
      const found = await this.mustVersion(tx, name, version, path);
      const now = this.ctx.now();
      if (archiveExisting && stage !== 'None' && stage !== 'Archived') {
        for (const other of await tx.listVersions(name)) {
          if (other.version === version || other.stage !== stage) continue;
          await tx.putVersion({ ...other, stage: 'Archived', updatedAt: now });
          await this.audit(tx, actor, name, 'stage.transition', `version:${other.version}`, other.stage, 'Archived');
        }
      }
      const next: StoredVersion = { ...found, stage, updatedAt: now };
      if (found.stage !== stage) {
        await tx.putVersion(next);
        await this.audit(tx, actor, name, 'stage.transition', `version:${version}`, found.stage, stage);
      }
      return this.withAliases(next, model);
    });
  }

  /** Deletes a version for good; aliases pointing at it go too (each audited). */
  deleteVersion(name: string, version: number, actor: string, path = 'params.version'): Promise<void> {
    return this.change(name, async (tx) => {
      const model = await this.mustModel(tx, name, 'params.modelName');
      await this.mustVersion(tx, name, version, path);
      const dropped = model.aliases.filter((a) => a.version === version);
      for (const a of dropped) await this.audit(tx, actor, name, 'alias.delete', `alias:${a.alias}`, String(version), null);
      await tx.putModel({ ...model, aliases: model.aliases.filter((a) => a.version !== version), updatedAt: this.ctx.now() });
      await tx.deleteVersion(name, version);
      await this.audit(tx, actor, name, 'version.delete', `version:${version}`, String(version), null);
    });
  }

  /** Points `alias` at `version` (audited with the version it pointed at before). */
  setAlias(name: string, alias: string, version: number, actor: string, versionPath = 'body.version'): Promise<ModelAlias> {
    return this.change(name, async (tx) => {
      const model = await this.mustModel(tx, name, 'params.modelName');
      await this.mustVersion(tx, name, version, versionPath);
      const before = model.aliases.find((a) => a.alias === alias);
      if (before?.version !== version) {
        const aliases = [...model.aliases.filter((a) => a.alias !== alias), { alias, version }];
        await tx.putModel({ ...model, aliases, updatedAt: this.ctx.now() });
        await this.audit(tx, actor, name, 'alias.set', `alias:${alias}`, before ? String(before.version) : null, String(version));
      }
      return { modelName: name, alias, version };
    });
  }

  /** Removes an alias (audited); 404 when it is not set. */
  deleteAlias(name: string, alias: string, actor: string, path = 'params.alias'): Promise<void> {
    return this.change(name, async (tx) => {
      const model = await this.mustModel(tx, name, 'params.modelName');
      const before = model.aliases.find((a) => a.alias === alias);
      if (!before) throw notFound('alias', `${name}@${alias}`, path);
      await tx.putModel({ ...model, aliases: model.aliases.filter((a) => a.alias !== alias), updatedAt: this.ctx.now() });
      await this.audit(tx, actor, name, 'alias.delete', `alias:${alias}`, String(before.version), null);
    });
  }

  /** The audit log of a model, oldest first (also after the model was deleted). */
  async auditLog(name: string): Promise<AuditEntry[]> {
    const entries = await this.store.audit(name);
    if (entries.length === 0) await this.getModel(name);
    return entries;
  }

  /** Version -> run -> data snapshots -> code cells (the last execution of each cell in the run). */
  async lineage(name: string, version: number): Promise<ModelLineage> {
    const found = await this.getVersion(name, version);
    const run = await this.ctx.store.getRun(found.runId);
    if (!run) return { version: found, run: null, snapshots: [], cells: [] };
    const wanted = new Set(found.snapshotIds);
    const cells = await this.ctx.docs.read(run.experimentId, (doc) => {
      const map = getRunMap(doc, run.id);
      const last = new Map<string, ModelLineage['cells'][number]>();
      for (const c of map ? readCellExecutions(map) : []) {
        last.set(c.cellId, { cellId: c.cellId, executionCount: c.executionCount, source: c.source, sourceHash: c.sourceHash, startedAt: c.startedAt, status: c.status });
      }
      return found.cellIds.map((id) => last.get(id)).filter((c) => c !== undefined);
    });
    return { version: found, run, snapshots: run.snapshots.filter((s) => wanted.has(s.id)), cells };
  }
}

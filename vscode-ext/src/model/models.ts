/**
 * The Models view as data: registered model → version rows with labels, descriptions (aliases first, e.g.
 * "champion"), tooltips, icons and the `viewItem` values menus match on. The platform layer turns each node
 * into a TreeItem one to one, so everything a user reads in the view is decided (and tested) here.
 */
import { z } from 'zod';
import { ModelVersion, RegisteredModel } from '@runtrail/core/schema';
import { formatTimestamp, shortRunId } from './format';
import type { IconSpec } from './tree';

/** One registered model with its versions (newest first), as the registry lists them. */
export const ModelEntry = z.object({ model: RegisteredModel, versions: z.array(ModelVersion) });
export type ModelEntry = z.infer<typeof ModelEntry>;

/** The whole registry as last fetched; also the offline cache's file format. */
export const ModelsSnapshot = z.object({ fetchedAt: z.number(), models: z.array(ModelEntry) });
export type ModelsSnapshot = z.infer<typeof ModelsSnapshot>;

interface ModelsNodeBase {
  /** Stable across refreshes (`model:<name>`, `version:<name>/<n>`), so VS Code keeps expansion and selection. */
  id: string;
  label: string;
  description: string;
  tooltip: string;
  icon: IconSpec;
  modelName: string;
}

/** A registered model row; its children are its versions. */
export interface ModelNode extends ModelsNodeBase {
  kind: 'model';
  contextValue: 'model';
  versions: VersionNode[];
}

/** A version row. `contextValue` says whether it has aliases (so "Remove Alias" shows only where it can act). */
export interface VersionNode extends ModelsNodeBase {
  kind: 'version';
  contextValue: 'modelVersion' | 'modelVersionAliased';
  version: number;
  runId: string;
  aliases: string[];
}

/** A row of the Models view. */
export type ModelsViewNode = ModelNode | VersionNode;

/** The name of a run for a row, when the views know it (undefined: the row shows a short id). */
export type RunNameOf = (runId: string) => string | undefined;

/** MLflow's model URI: `models:/<name>/<version>`, `models:/<name>@<alias>` or `models:/<name>` alone. */
export function modelUri(name: string, ref?: number | string): string {
  if (ref === undefined) return `models:/${name}`;
  return typeof ref === 'number' ? `models:/${name}/${ref}` : `models:/${name}@${ref}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A version row: "Version 3", description "champion · Production · run baseline". */
export function versionNode(version: ModelVersion, runName: RunNameOf): VersionNode {
  const run = runName(version.runId) ?? shortRunId(version.runId);
  const parts = [...version.aliases.map((a) => `@${a}`), ...(version.stage === 'None' ? [] : [version.stage]), `run ${run}`];
  const source = version.source === '' ? 'all artifacts' : version.source;
  const tooltip = [
    `${modelUri(version.modelName, version.version)}`,
    version.aliases.length ? `Aliases: ${version.aliases.join(', ')}` : 'No alias',
    `Stage: ${version.stage}`,
    `Source run: ${run} (${version.runId})`,
    `Artifact: ${source} (${plural(version.artifacts.length, 'file')})`,
    `Registered ${formatTimestamp(version.createdAt)} by ${version.createdBy}`,
    ...(version.description ? [version.description] : []),
  ].join('\n');
  return {
    kind: 'version',
    id: `version:${version.modelName}/${version.version}`,
    label: `Version ${version.version}`,
    description: parts.join(' · '),
    tooltip,
    icon: version.aliases.length ? { id: 'bookmark', color: 'charts.green' } : version.stage === 'Archived' ? { id: 'archive' } : { id: 'versions' },
    contextValue: version.aliases.length ? 'modelVersionAliased' : 'modelVersion',
    modelName: version.modelName,
    version: version.version,
    runId: version.runId,
    aliases: [...version.aliases],
  };
}

/** A model row: its name, with its aliases and version count as the description. */
export function modelNode(entry: ModelEntry, runName: RunNameOf): ModelNode {
  const { model, versions } = entry;
  const aliases = [...model.aliases].sort((a, b) => a.alias.localeCompare(b.alias)).map((a) => `@${a.alias} → v${a.version}`);
  const description = [plural(versions.length, 'version'), ...aliases].join(' · ');
  const tooltip = [
    model.name,
    ...(model.description ? [model.description] : []),
    `${plural(versions.length, 'version')} (latest number ${model.latestVersion})`,
    aliases.length ? `Aliases: ${aliases.join(', ')}` : 'No alias',
    ...(model.tags.length ? [`Tags: ${model.tags.map((t) => `${t.key}=${t.value}`).join(', ')}`] : []),
    `Updated ${formatTimestamp(model.updatedAt)}`,
  ].join('\n');
  return {
    kind: 'model',
    id: `model:${model.name}`,
    label: model.name,
    description,
    tooltip,
    icon: { id: 'package' },
    contextValue: 'model',
    modelName: model.name,
    versions: [...versions].sort((a, b) => b.version - a.version).map((v) => versionNode(v, runName)),
  };
}

/** The rows of the view: models by name, each with its versions newest first. */
export function buildModelsView(snapshot: ModelsSnapshot | null, runName: RunNameOf): ModelNode[] {
  if (!snapshot) return [];
  return [...snapshot.models].sort((a, b) => a.model.name.localeCompare(b.model.name)).map((e) => modelNode(e, runName));
}

/** The model or version a command argument names: a view node, or `{ modelName, version? }` from a caller. */
export function modelTargetOf(arg: unknown): { modelName: string; version?: number } | null {
  if (!arg || typeof arg !== 'object') return null;
  const { modelName, version } = arg as { modelName?: unknown; version?: unknown };
  if (typeof modelName !== 'string' || !modelName) return null;
  return typeof version === 'number' && Number.isInteger(version) && version > 0 ? { modelName, version } : { modelName };
}

/** The message above the Models view for a registry state (undefined: none; an empty online list shows the welcome text). */
export function modelsViewMessage(state: { kind: string; reason?: string }, snapshot: ModelsSnapshot | null): string | undefined {
  switch (state.kind) {
    case 'offline':
      return snapshot
        ? `Offline: showing the last known models (fetched ${formatTimestamp(snapshot.fetchedAt)}).`
        : `Offline: cannot reach the server (${state.reason ?? 'no answer'}), and no models list was saved from it yet.`;
    case 'unauthorized':
      return 'The server refused the token. Run "runtrail: Connect to Server" to enter a new one.';
    case 'loading':
      return snapshot ? undefined : 'Loading registered models…';
    default:
      return undefined;
  }
}

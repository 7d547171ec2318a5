/**
 * What the Models commands ask and offer: the artifacts of a run to register (files and the folders above
 * them), model names (existing ones, or a new one), alias and delete-confirmation checks with the registry's
 * own rules, and the lineage of a version as quick-pick rows.
 */
import { AliasName, ModelName, type Artifact, type ModelLineage } from '@runtrail/core/schema';
import { formatTimestamp, shortRunId } from './format';

/** An artifact choice: a file, a folder (every artifact under it), or '' for all of a run's artifacts. */
export interface ArtifactPickItem {
  label: string;
  description: string;
  /** The `path` the create-version route takes. */
  path: string;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/**
 * Folders first (a model is usually a folder: `model/` with MLmodel and weights), then files, each sorted by
 * path; "All artifacts" last when there is more than one file. Empty when the run has no artifacts.
 */
export function artifactPickItems(artifacts: readonly Artifact[]): ArtifactPickItem[] {
  const folders = new Map<string, { files: number; bytes: number }>();
  for (const a of artifacts) {
    const parts = a.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const folder = parts.slice(0, i).join('/');
      const sum = folders.get(folder) ?? { files: 0, bytes: 0 };
      folders.set(folder, { files: sum.files + 1, bytes: sum.bytes + a.size });
    }
  }
  const folderItems = [...folders.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([path, sum]) => ({ label: `$(folder) ${path}/`, description: `${sum.files} file${sum.files === 1 ? '' : 's'}, ${formatBytes(sum.bytes)}`, path }));
  const fileItems = [...artifacts]
    .sort((a, b) => a.path.localeCompare(b.path))
    .map((a) => ({ label: `$(file) ${a.path}`, description: formatBytes(a.size), path: a.path }));
  const total = artifacts.reduce((n, a) => n + a.size, 0);
  const all = artifacts.length > 1 ? [{ label: '$(files) All artifacts', description: `${artifacts.length} files, ${formatBytes(total)}`, path: '' }] : [];
  return [...folderItems, ...fileItems, ...all];
}

/** A model name choice: an existing model, or a new name (registered first, then given its version 1). */
export interface ModelNamePickItem {
  label: string;
  description: string;
  name: string;
  isNew: boolean;
  /** Why the typed new name cannot be registered (the item then only explains), or null. */
  error: string | null;
}

/** Why `text` cannot name a model (the registry's rule), or null when it can. */
export function modelNameError(text: string): string | null {
  const parsed = ModelName.safeParse(text);
  return parsed.success ? null : `A model name ${parsed.error.issues[0]?.message ?? 'is not valid'}.`;
}

/**
 * Existing models (with their latest version number), plus "New model: <typed>" when the typed text is a
 * valid name no model has yet (first, so Enter registers what was typed).
 */
export function modelNamePickItems(models: readonly { name: string; latestVersion: number }[], typed: string): ModelNamePickItem[] {
  const name = typed.trim();
  const existing = [...models]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((m) => ({ label: `$(package) ${m.name}`, description: `next version after v${m.latestVersion}`, name: m.name, isNew: false, error: null }));
  if (!name || models.some((m) => m.name === name)) return existing;
  const error = modelNameError(name);
  const fresh = { label: `$(add) New model: ${name}`, description: error ?? 'registers the name, then version 1', name, isNew: true, error };
  return error ? [...existing, fresh] : [fresh, ...existing];
}

/** Why `text` cannot be an alias (the registry's rule), or null when it can. */
export function aliasError(text: string): string | null {
  const parsed = AliasName.safeParse(text.trim());
  return parsed.success ? null : `An alias ${parsed.error.issues[0]?.message ?? 'is not valid'}.`;
}

/** What the delete confirmation box says about the typed text: null once it is exactly the model's name. */
export function deleteConfirmationError(typed: string, modelName: string): string | null {
  return typed === modelName ? null : `Type "${modelName}" to delete the model and all its versions permanently.`;
}

/** A lineage row: what it is, and what picking it opens (a run, or a cell's code). */
export interface LineagePickItem {
  label: string;
  description: string;
  detail?: string;
  /** `separator` rows title a group (VS Code's QuickPickItemKind.Separator). */
  kind: 'separator' | 'version' | 'run' | 'snapshot' | 'cell' | 'none';
  runId?: string;
  /** The cell's source, for `cell` rows. */
  code?: string;
}

function firstLine(text: string, max = 80): string {
  const line = text.split('\n').find((l) => l.trim()) ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * Version → run → data snapshots → code cells, as grouped quick-pick rows. An empty group gets a row saying so
 * (a quick pick shows a separator only above an item).
 */
export function lineagePickItems(lineage: ModelLineage): LineagePickItem[] {
  const { version, run, snapshots, cells } = lineage;
  const items: LineagePickItem[] = [
    { kind: 'separator', label: 'Version', description: '' },
    {
      kind: 'version',
      label: `$(versions) ${version.modelName} v${version.version}`,
      description: [...version.aliases.map((a) => `@${a}`), version.stage].join(' · '),
      detail: `artifact ${version.source || '(all)'} · ${version.artifacts.length} file(s) · registered ${formatTimestamp(version.createdAt)}`,
    },
    { kind: 'separator', label: 'Source run', description: '' },
    run
      ? { kind: 'run', label: `$(beaker) ${run.name || shortRunId(run.id)}`, description: run.status, detail: `${run.id} · open the run`, runId: run.id }
      : { kind: 'run', label: `$(warning) run ${shortRunId(version.runId)}`, description: 'no longer on the server', detail: version.runId },
    { kind: 'separator', label: `Data snapshots (${snapshots.length})`, description: '' },
    ...snapshots.map((s): LineagePickItem => ({
      kind: 'snapshot',
      label: `$(database) ${s.name}`,
      description: [s.kind, s.shape.join(' × ')].filter(Boolean).join(' · '),
      detail: `fingerprint ${s.fingerprint}${s.sampled ? ' (sampled)' : ''}`,
    })),
    ...(snapshots.length ? [] : [{ kind: 'none' as const, label: '$(info) No data snapshot was recorded in this run', description: '' }]),
    { kind: 'separator', label: `Code cells (${cells.length})`, description: '' },
    ...cells.map((c): LineagePickItem => ({
      kind: 'cell',
      label: `$(code) [${c.executionCount ?? ' '}] ${firstLine(c.source) || '(empty cell)'}`,
      description: `${c.status} · cell ${c.cellId}`,
      detail: `${c.source.split('\n').length} line(s) · ${formatTimestamp(c.startedAt)} · open the code`,
      code: c.source,
    })),
    ...(cells.length ? [] : [{ kind: 'none' as const, label: '$(info) No code cell was recorded in this run', description: '' }]),
  ];
  return items;
}

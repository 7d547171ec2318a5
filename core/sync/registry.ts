/**
 * Y.Doc layout of a workspace's model registry mirror. The registry is server-authoritative in SQL; after each
 * committed change the server rewrites the changed model's entry here, so clients syncing this doc see new
 * versions, aliases, stages and tags live, without polling. Clients only read it (the server refuses their writes).
 *
 *   models: Y.Map   model name -> { model: RegisteredModel, versions: ModelVersion[] (newest first) }
 *
 * Entries are plain JSON values replaced whole: a model's record is small and the server is its only writer.
 */
import type * as Y from 'yjs';
import type { ModelVersion, RegisteredModel } from '../schema';

/** Sync path segment of registry mirrors: `/api/v1/sync/registry/<workspaceId>`. */
export const REGISTRY_SYNC_SEGMENT = 'registry/';

/** Doc name of the mirror of workspace `workspaceId` (not a valid experiment id, so the two never collide). */
export function registryDocName(workspaceId: string): string {
  return `registry:${workspaceId}`;
}

/** The workspace of a registry mirror doc name, or null when `docName` is not one. */
export function registryWorkspaceOf(docName: string): string | null {
  return docName.startsWith('registry:') ? docName.slice('registry:'.length) : null;
}

/** One model as mirrored: its record and its versions (with their aliases), newest first. */
export interface MirroredModel {
  model: RegisteredModel;
  versions: ModelVersion[];
}

function modelsMap(doc: Y.Doc): Y.Map<MirroredModel> {
  return doc.getMap<MirroredModel>('models');
}

/** Replaces the entry of model `name` (null removes it: the model was deleted). Server side only. */
export function writeMirroredModel(doc: Y.Doc, name: string, entry: MirroredModel | null): void {
  const models = modelsMap(doc);
  if (entry) models.set(name, entry);
  else if (models.has(name)) models.delete(name);
}

/** Every mirrored model, by name. */
export function readRegistryMirror(doc: Y.Doc): MirroredModel[] {
  return [...modelsMap(doc).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entry]) => entry);
}

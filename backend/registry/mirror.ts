/**
 * Keeps each workspace's registry mirror doc (core/sync/registry.ts) in step with SQL: after a committed change
 * the model's entry is rewritten through the doc manager, so it is stored, fanned out to other nodes and sent to
 * every sync client like any doc update.
 */
import { registryDocName, writeMirroredModel } from '@runtrail/core/sync';
import type { ModelVersion, RegisteredModel } from '@runtrail/core/schema';
import type { ApiContext } from '../api/context';
import type { StoredVersion } from './port';

/** Versions mirrored per model (newest first); older ones stay available over REST. */
export const MIRRORED_VERSIONS = 1000;

/** Where a model with no known workspace is mirrored (the registry's default). */
const DEFAULT_WORKSPACE = 'default';

/**
 * Rewrites model `name`'s entry (or removes it when the model is gone, from the mirror of `workspaceBefore`). SQL
 * is read inside the doc write, so of two changes mirrored one after the other the last carries the newest state.
 */
export async function mirrorModel(
  ctx: Pick<ApiContext, 'store' | 'docs'>,
  name: string,
  withAliases: (version: StoredVersion, model: RegisteredModel | null) => ModelVersion,
  workspaceBefore?: string,
): Promise<void> {
  const current = await ctx.store.registry.getModel(name);
  const workspace = current?.workspaceId ?? workspaceBefore ?? DEFAULT_WORKSPACE;
  await ctx.docs.mutate(registryDocName(workspace), async (doc) => {
    const model = await ctx.store.registry.getModel(name);
    const versions = model ? await ctx.store.registry.findVersions({ modelName: name, limit: MIRRORED_VERSIONS, offset: 0 }) : [];
    doc.transact(() => writeMirroredModel(doc, name, model ? { model, versions: versions.map((v) => withAliases(v, model)) } : null));
  });
}

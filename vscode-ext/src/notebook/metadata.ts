/**
 * The experiment id in a notebook's metadata, as VS Code's ipynb serializer exposes it: the nbformat notebook
 * metadata sits under `metadata` of the notebook document's metadata (under `custom.metadata` in older
 * versions), so `runtrail.experimentId` ends up in the .ipynb file where JupyterLab keeps it too.
 */

/** Key of runtrail's entry in the nbformat notebook metadata (shared with the JupyterLab extension). */
export const METADATA_KEY = 'runtrail';

type Metadata = Record<string, unknown>;

const object = (value: unknown): Metadata | undefined => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Metadata) : undefined);

/** The nbformat metadata inside a notebook document's metadata. */
function nbformatMetadata(documentMetadata: Metadata): Metadata | undefined {
  return object(documentMetadata.metadata) ?? object(object(documentMetadata.custom)?.metadata);
}

/** The experiment id saved in the notebook, or null. */
export function experimentIdOf(documentMetadata: Metadata | undefined): string | null {
  const entry = object(nbformatMetadata(documentMetadata ?? {})?.[METADATA_KEY]);
  const id = entry?.experimentId;
  return typeof id === 'string' && id.length > 0 ? id : null;
}

/** The notebook document's metadata with `experimentId` saved (other keys untouched). */
export function withExperimentId(documentMetadata: Metadata | undefined, experimentId: string): Metadata {
  const current = documentMetadata ?? {};
  const entry = { ...object(nbformatMetadata(current)?.[METADATA_KEY]), experimentId };
  const custom = object(current.custom);
  if (!object(current.metadata) && object(custom?.metadata)) {
    return { ...current, custom: { ...custom, metadata: { ...object(custom!.metadata), [METADATA_KEY]: entry } } };
  }
  return { ...current, metadata: { ...object(current.metadata), [METADATA_KEY]: entry } };
}

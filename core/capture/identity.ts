/**
 * Which experiment a notebook belongs to. The id lives in the notebook's metadata (`runtrail.experimentId`)
 * so it survives renames; a copy of the notebook carries the same id, so a frontend that remembers where it
 * last saw the id tells the two apart: the old path still existing means a copy, which gets a new experiment.
 * Until the notebook is saved its file has no id: a reload then finds the experiment by path.
 */

/** What to do with the notebook's experiment id. */
export type IdentityDecision =
  | { kind: 'new'; experimentId: string }
  | { kind: 'same'; experimentId: string }
  | { kind: 'renamed'; experimentId: string; from: string }
  | { kind: 'copied'; experimentId: string; copiedFrom: string };

/**
 * Decides the experiment of the notebook at `path`. `knownPath` is where `metadataId` was last seen (if
 * ever); `knownPathExists` says whether a notebook is still there.
 */
export function decideExperimentIdentity(input: {
  metadataId: string | null;
  path: string;
  knownPath: string | undefined;
  knownPathExists: boolean;
  /** The experiment this frontend last used for a notebook at `path` (metadata not saved yet, e.g. a reload). */
  idForPath?: string | undefined;
  newId: () => string;
}): IdentityDecision {
  const { metadataId, path, knownPath, knownPathExists } = input;
  if (!metadataId) return input.idForPath ? { kind: 'same', experimentId: input.idForPath } : { kind: 'new', experimentId: input.newId() };
  if (!knownPath || knownPath === path) return { kind: 'same', experimentId: metadataId };
  if (knownPathExists) return { kind: 'copied', experimentId: input.newId(), copiedFrom: knownPath };
  return { kind: 'renamed', experimentId: metadataId, from: knownPath };
}

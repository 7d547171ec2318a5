/**
 * Browser persistence of capture (IndexedDB): the outbox, each notebook's capture state, and which path
 * each experiment id belongs to (to tell a renamed notebook from a copied one). Experiment docs persist
 * through y-indexeddb (see connection.ts).
 */
import { createStore, del, entries, get, set } from 'idb-keyval';
import type { OutboxItem, OutboxStorage, OutboxPayload } from '@runtrail/core/sync';
import { CaptureState } from '@runtrail/core/capture';

const outboxStore = createStore('runtrail-outbox', 'items');
const stateStore = createStore('runtrail-capture-state', 'states');
const pathStore = createStore('runtrail-experiment-paths', 'paths');
const byPathStore = createStore('runtrail-path-experiments', 'experiments');

/** The outbox items of this browser profile. */
export const idbOutboxStorage: OutboxStorage<OutboxPayload> = {
  load: async () => (await entries<string, OutboxItem<OutboxPayload>>(outboxStore)).map(([, v]) => v),
  put: (item) => set(item.id, item, outboxStore),
  delete: (id) => del(id, outboxStore),
};

/** A notebook's capture state and the kernel it belongs to (a reload with the same kernel continues the run). */
export interface StoredCapture {
  kernelId: string | null;
  state: CaptureState;
}

/** Reads the stored capture of an experiment, if valid. */
export async function loadCapture(experimentId: string): Promise<StoredCapture | null> {
  const stored = await get<{ kernelId: string | null; state: unknown }>(experimentId, stateStore);
  if (!stored) return null;
  const state = CaptureState.safeParse(stored.state);
  return state.success ? { kernelId: stored.kernelId, state: state.data } : null;
}

/** Stores the capture of an experiment (fire and forget: a lost write only costs run continuity). */
export function saveCapture(experimentId: string, capture: StoredCapture): void {
  void set(experimentId, capture, stateStore).catch(() => undefined);
}

/** The path an experiment id was last seen at in this browser. */
export function knownPath(experimentId: string): Promise<string | undefined> {
  return get<string>(experimentId, pathStore);
}

/** Remembers the path of an experiment id, and the experiment of the path. */
export async function rememberPath(experimentId: string, path: string): Promise<void> {
  await Promise.all([set(experimentId, path, pathStore), set(path, experimentId, byPathStore)]);
}

/** The experiment last used for a notebook at `path` in this browser. */
export function experimentAtPath(path: string): Promise<string | undefined> {
  return get<string>(path, byPathStore);
}

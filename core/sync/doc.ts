/**
 * The Y.Doc layout of one experiment's history, and the only functions that read or write it.
 *
 * Layout (top-level types of the doc):
 *   experiment: Y.Map   id, projectId, name, kind, notebookPath, lifecycle, createdAt
 *   runs:       Y.Map   runId -> Y.Map (one per run):
 *     id, experimentId, name, status, startTime, endTime, parentRunId   plain values
 *     source, environment                                               JSON values
 *     params:    Y.Map key -> { value, origin }
 *     metrics:   Y.Map key -> MetricSummary (series live in SQL, never here)
 *     tags:      Y.Map key -> string
 *     note:      Y.Text (edited together)
 *     cells:     Y.Array of CellExecution (append-only); cellIds: Y.Map id -> index, for idempotent appends
 *     snapshots: Y.Map id -> DataSnapshot
 *     artifacts: Y.Map path -> Artifact
 * Every writer goes through these helpers so the layout has one owner.
 */
import * as Y from 'yjs';
import type {
  Artifact,
  CellExecution,
  DataSnapshot,
  Environment,
  Experiment,
  Metric,
  MetricSummary,
  Param,
  Run,
  RunSource,
  RunStatus,
  Tag,
} from '../schema';

type RunMap = Y.Map<unknown>;

/** Origin tag of transactions made by these helpers on behalf of a REST write. */
export const LOCAL_ORIGIN = 'runtrail-local';

/**
 * A new experiment doc with its root types defined. Define them before applying any update: a root type that
 * first arrives in an update is created generic and replaced by a Y.Map on first `getMap`, and a transaction
 * recorded before that replacement names the old object, so its new runs would go unnoticed by indexers.
 */
export function createExperimentDoc(options?: ConstructorParameters<typeof Y.Doc>[0]): Y.Doc {
  const doc = new Y.Doc(options);
  doc.getMap('experiment');
  doc.getMap('runs');
  return doc;
}

/** The runs map of an experiment doc. */
export function runsMap(doc: Y.Doc): Y.Map<RunMap> {
  return doc.getMap<RunMap>('runs');
}

/** Writes the experiment record into its doc (fields not given stay as they are). */
export function writeExperiment(doc: Y.Doc, experiment: Experiment): void {
  doc.transact(() => {
    const map = doc.getMap<unknown>('experiment');
    for (const [key, value] of Object.entries(experiment)) {
      if (map.get(key) !== value) map.set(key, value);
    }
  }, LOCAL_ORIGIN);
}

/** Reads the experiment record of a doc, or null when the doc holds none yet. */
export function readExperiment(doc: Y.Doc): Experiment | null {
  const map = doc.getMap<unknown>('experiment');
  if (!map.has('id')) return null;
  return map.toJSON() as Experiment;
}

/** Fields that start a run. */
export interface RunInit {
  id: string;
  experimentId: string;
  name: string;
  startTime: number;
  source: RunSource;
  parentRunId: string | null;
  environment: Environment | null;
}

/** Creates a run in the doc; returns false when a run with this id already exists (nothing changed). */
export function createRun(doc: Y.Doc, init: RunInit): boolean {
  const runs = runsMap(doc);
  if (runs.has(init.id)) return false;
  doc.transact(() => {
    const run = new Y.Map<unknown>();
    run.set('id', init.id);
    run.set('experimentId', init.experimentId);
    run.set('name', init.name);
    run.set('status', 'running');
    run.set('startTime', init.startTime);
    run.set('endTime', null);
    run.set('source', init.source);
    run.set('parentRunId', init.parentRunId);
    run.set('environment', init.environment);
    for (const key of ['params', 'metrics', 'tags', 'cellIds', 'snapshots', 'artifacts']) run.set(key, new Y.Map());
    run.set('cells', new Y.Array());
    run.set('note', new Y.Text());
    runs.set(init.id, run);
  }, LOCAL_ORIGIN);
  return true;
}

function child<T>(run: RunMap, key: string): T {
  return run.get(key) as T;
}

/** The run's Y.Map, or undefined when the doc does not hold it. */
export function getRunMap(doc: Y.Doc, runId: string): RunMap | undefined {
  return runsMap(doc).get(runId);
}

/** Appends cell executions, ignoring ids already present. Returns how many were new. */
export function appendCellExecutions(run: RunMap, executions: CellExecution[]): number {
  const ids = child<Y.Map<number>>(run, 'cellIds');
  const cells = child<Y.Array<CellExecution>>(run, 'cells');
  const fresh: CellExecution[] = [];
  const batchIds = new Set<string>();
  for (const e of executions) {
    if (ids.has(e.id) || batchIds.has(e.id)) continue;
    batchIds.add(e.id);
    fresh.push(e);
  }
  if (fresh.length === 0) return 0;
  let index = cells.length;
  for (const e of fresh) ids.set(e.id, index++);
  cells.push(fresh);
  return fresh.length;
}

/** Adds snapshot ids to a recorded cell execution (cells are append-only; this replaces the one value). */
export function linkSnapshots(run: RunMap, executionId: string, snapshotIds: string[]): boolean {
  const index = child<Y.Map<number>>(run, 'cellIds').get(executionId);
  const cells = child<Y.Array<CellExecution>>(run, 'cells');
  const execution = index === undefined ? undefined : cells.get(index);
  if (index === undefined || !execution || execution.id !== executionId) return false;
  const fresh = snapshotIds.filter((id) => !execution.snapshotIds.includes(id));
  if (fresh.length === 0) return false;
  cells.delete(index, 1);
  cells.insert(index, [{ ...execution, snapshotIds: [...execution.snapshotIds, ...fresh] }]);
  return true;
}

/** Params of a run as stored. */
export function readParams(run: RunMap): Map<string, Param> {
  const out = new Map<string, Param>();
  child<Y.Map<Omit<Param, 'key'>>>(run, 'params').forEach((v, key) => out.set(key, { key, ...v }));
  return out;
}

/** Sets params (callers have already checked that no existing value changes). Returns how many were new. */
export function writeParams(run: RunMap, params: Param[]): number {
  const map = child<Y.Map<Omit<Param, 'key'>>>(run, 'params');
  let created = 0;
  for (const p of params) {
    if (!map.has(p.key)) created++;
    map.set(p.key, { value: p.value, origin: p.origin });
  }
  return created;
}

/** Sets tags (last write wins per key). */
export function writeTags(run: RunMap, tags: Tag[]): void {
  const map = child<Y.Map<string>>(run, 'tags');
  for (const t of tags) if (map.get(t.key) !== t.value) map.set(t.key, t.value);
}

/** Removes tags by key; returns how many existed. */
export function deleteTags(run: RunMap, keys: string[]): number {
  const map = child<Y.Map<string>>(run, 'tags');
  let removed = 0;
  for (const key of keys) {
    if (!map.has(key)) continue;
    map.delete(key);
    removed++;
  }
  return removed;
}

/** Renames a run. */
export function renameRun(run: RunMap, name: string): void {
  if (run.get('name') !== name) run.set('name', name);
}

/** Merges newly stored metric points (duplicates already removed) into the run's per-key summaries. */
export function mergeMetricSummaries(run: RunMap, inserted: Metric[]): void {
  const map = child<Y.Map<MetricSummary>>(run, 'metrics');
  const next = new Map<string, MetricSummary>();
  for (const m of inserted) {
    const prev = next.get(m.key) ?? map.get(m.key);
    const value = Number.isFinite(m.value) ? m.value : null;
    const isLater = !prev || m.step > prev.step || (m.step === prev.step && m.timestamp >= prev.timestamp);
    next.set(m.key, {
      key: m.key,
      last: isLater ? value : prev.last,
      step: isLater ? m.step : prev.step,
      timestamp: isLater ? m.timestamp : prev.timestamp,
      min: value === null ? (prev?.min ?? null) : Math.min(value, prev?.min ?? value),
      max: value === null ? (prev?.max ?? null) : Math.max(value, prev?.max ?? value),
      count: (prev?.count ?? 0) + 1,
    });
  }
  for (const [key, summary] of next) map.set(key, summary);
}

/** Marks a run ended. */
export function finishRun(run: RunMap, status: Exclude<RunStatus, 'running'>, endTime: number): void {
  run.set('status', status);
  run.set('endTime', endTime);
}

/** Attaches snapshots by id; returns how many were new. */
export function attachSnapshots(run: RunMap, snapshots: DataSnapshot[]): number {
  const map = child<Y.Map<DataSnapshot>>(run, 'snapshots');
  let created = 0;
  for (const s of snapshots) {
    if (map.has(s.id)) continue;
    map.set(s.id, s);
    created++;
  }
  return created;
}

/** Attaches artifacts by path (a new upload at the same path replaces it); returns how many changed. */
export function attachArtifacts(run: RunMap, artifacts: Artifact[]): number {
  const map = child<Y.Map<Artifact>>(run, 'artifacts');
  let changed = 0;
  for (const a of artifacts) {
    if (map.get(a.path)?.sha256 === a.sha256) continue;
    map.set(a.path, a);
    changed++;
  }
  return changed;
}

/** The cell executions of a run, in execution order. */
export function readCellExecutions(run: RunMap): CellExecution[] {
  return child<Y.Array<CellExecution>>(run, 'cells').toArray();
}

/** The run's collaborative note. */
export function noteText(run: RunMap): Y.Text {
  return child<Y.Text>(run, 'note');
}

/** Reads one run as a plain record. */
export function readRun(run: RunMap): Run {
  const values = <T>(key: string) => [...child<Y.Map<T>>(run, key).values()];
  return {
    id: run.get('id') as string,
    experimentId: run.get('experimentId') as string,
    name: run.get('name') as string,
    status: run.get('status') as RunStatus,
    startTime: run.get('startTime') as number,
    endTime: (run.get('endTime') as number | null) ?? null,
    source: run.get('source') as RunSource,
    parentRunId: (run.get('parentRunId') as string | null) ?? null,
    environment: (run.get('environment') as Environment | null) ?? null,
    params: [...readParams(run).values()],
    metrics: values<MetricSummary>('metrics'),
    tags: [...child<Y.Map<string>>(run, 'tags').entries()].map(([key, value]) => ({ key, value })),
    note: noteText(run).toString(),
    snapshots: values<DataSnapshot>('snapshots'),
    artifacts: values<Artifact>('artifacts'),
    cellCount: child<Y.Array<unknown>>(run, 'cells').length,
  };
}

/** Ids of the runs a transaction touched (for re-indexing after a sync update). */
export function changedRunIds(doc: Y.Doc, transaction: Y.Transaction): Set<string> {
  const runs: unknown = runsMap(doc);
  const ids = new Set<string>();
  for (const [type, keys] of transaction.changed) {
    if (type === runs) {
      for (const key of keys) if (key !== null) ids.add(key);
      continue;
    }
    // Walk up from the changed type to the run map that contains it.
    let item = type._item;
    while (item) {
      const parent = item.parent as Y.AbstractType<unknown> | null;
      if (parent === runs) {
        if (item.parentSub) ids.add(item.parentSub);
        break;
      }
      item = parent?._item ?? null;
    }
  }
  return ids;
}

/**
 * The storage port: what the backend needs from a database. Adapters (sqlite, postgres) implement
 * it and run the same test suite (store.contract.test.ts).
 */
import type { Experiment, Metric, Run, SearchRunsRequest } from '@runtrail/core/schema';
import type { z } from 'zod';
import type { RegistryStore } from '../registry/port';
import type { SearchRunsRequest as SearchSchema } from '@runtrail/core/schema';

/** A parsed search request (defaults applied). */
export type RunSearch = z.output<typeof SearchSchema>;
export type { SearchRunsRequest };

/** Writes that happen inside one database transaction. */
export interface StoreTx {
  /** Inserts metric points, ignoring (run, key, step) already stored; returns the points actually inserted. */
  insertMetrics(runId: string, metrics: Metric[]): Promise<Metric[]>;
  /** Appends one Y.Doc update of a doc; stores shared by several nodes return its sequence number. */
  appendDocUpdate(docName: string, update: Uint8Array): Promise<number | void>;
  /**
   * Stores shared by several nodes (PostgreSQL): the doc's updates stored after `afterSeq`, read under the write
   * lock, so a node brings its in-memory doc up to date before it writes (see backend/sync/fanout.ts).
   */
  docUpdatesAfter?(docName: string, afterSeq: number): Promise<DocUpdates>;
  /** Projects a run into the search index (replaces its previous projection). */
  indexRun(run: Run): Promise<void>;
  /** Projects an experiment into the SQL tables. */
  indexExperiment(experiment: Experiment): Promise<void>;
}

/** A page of rows with an opaque cursor for the next one. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The stored updates of one doc, with the sequence number of the last one (for compaction). */
export interface DocUpdates {
  updates: Uint8Array[];
  lastSeq: number;
}

/** Everything the backend stores in a database. */
export interface Store {
  /** Runs `fn` in one transaction: all of its writes land, or none. Transactions are serialized. */
  transact<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  getExperiment(id: string): Promise<Experiment | null>;
  /** The experiment with this exact name (MLflow names are unique), or null. */
  findExperimentByName(name: string): Promise<Experiment | null>;
  listExperiments(pageSize: number, cursor: string | undefined): Promise<Page<Experiment>>;
  getRun(id: string): Promise<Run | null>;
  searchRuns(search: RunSearch): Promise<Page<Run>>;
  metricHistory(runId: string, key: string): Promise<{ step: number; value: number | null; timestamp: number }[]>;
  loadDocUpdates(docName: string): Promise<DocUpdates>;
  /** Stores shared by several nodes: the doc's updates stored after `afterSeq` (`lastSeq` = afterSeq when none). */
  loadDocUpdatesAfter?(docName: string, afterSeq: number): Promise<DocUpdates>;
  /**
   * Replaces updates up to `upToSeq` with one merged state update, atomically. Stores shared by several nodes
   * return the state row's sequence number when no other update of the doc came after `upToSeq` (the caller's doc
   * then holds everything up to that row).
   */
  compactDoc(docName: string, state: Uint8Array, upToSeq: number): Promise<number | void>;
  /** The model registry's tables in the same database. */
  registry: RegistryStore;
  close(): Promise<void>;
}

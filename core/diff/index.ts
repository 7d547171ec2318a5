/** Run compare: params, metrics, code per cell and data snapshots of two runs; the compare table of many. */
export {
  CellDiff,
  ChangeStatus,
  CompareRow,
  CompareTable,
  Hunk,
  MetricDiff,
  ParamDiff,
  RunDiff,
  RunWithCells,
  SnapshotDiff,
} from './model';
export { diffRuns } from './run';
export { diffMany } from './table';
export { diffParams, diffMetrics } from './params';
export { diffCode, diffSource } from './code';
export { diffSnapshots } from './data';

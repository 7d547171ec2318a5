/**
 * Pipelines: the `pipeline.yaml` model (zod), promotion of a notebook cell to a step and demotion (pure plans of
 * the files to write), step module generation, the .ipynb tag edits that mark promoted cells, and for
 * `pipeline run`: cache-key text and staleness reasons, --param/--sweep parsing, and step scheduling; for
 * `pipeline export`: Argo, Kubeflow and Airflow definitions (export/).
 */
export {
  PipelineSpec,
  PipelineStep,
  PipelineStepInput,
  PipelineStepOutput,
  PythonName,
  StepName,
  ValueFormat,
  findCycle,
  topologicalOrder,
} from './model';
export { PipelineError, formatPath } from './errors';
export { parsePipelineYaml, stringifyPipeline } from './yaml';
export { STEP_TAG_PREFIX, deriveCellId, editCellTags, planCellTagEdit, readNotebookCells, stepOfTags, stepTag } from './ipynb';
export type { CellTagEdit } from './ipynb';
export { planDemotion, planPromotion, resolveCell } from './promote';
export { PlanApplyError, applyPlanFiles } from './apply';
export type { PlanFileSystem } from './apply';
export type {
  CellRef,
  DemotionPlan,
  PlannedFile,
  PromotionNotebook,
  PromotionOptions,
  PromotionPlan,
  PromotionPreview,
} from './promote';
export { pythonLiteral, renderStepModule } from './stepfile';
export type { StepModuleParts, StepParameter } from './stepfile';
export { SNAPSHOT_FORMATS, bindInputs, snapshotsByName } from './inputs';
export { lastRunSnapshots } from './snapshots';
export type { LastRunSnapshots, LastRunSnapshotsOptions } from './snapshots';
export type { BindingContext, BoundInputs, PreviewInput, ValueSnapshot } from './inputs';
export { cacheKeyMaterial, canonicalJson, importedModules, localModuleCandidates, stalenessReasons, stepParamValues } from './cachekey';
export type { FileDependency, StepKeyParts } from './cachekey';
export { paramOverrides, parseParamAssignment, parseParamValue, parseSweep } from './params';
export type { ParamAssignment } from './params';
export { dependentsOf, readySteps, selectSteps, upstreamOf } from './schedule';
export type { StepState } from './schedule';
export {
  EXPORT_TARGETS,
  defaultExportFile,
  defaultImage,
  exportPipeline,
  parseExportTarget,
} from './export';
export type { ExportTarget, ExportedDefinition, PipelineExportOptions, StepCode } from './export';

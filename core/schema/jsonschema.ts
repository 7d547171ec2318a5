/** JSON Schema export of the records, for tools outside TypeScript (Python helper, pipeline.yaml editors). */
import { z } from 'zod';
import * as records from './records';
import * as registry from './registry';
import { PipelineSpec, PipelineStep } from '../pipeline/model';

const exported = {
  Workspace: records.Workspace,
  Project: records.Project,
  Experiment: records.Experiment,
  Run: records.Run,
  CellExecution: records.CellExecution,
  Param: records.Param,
  Metric: records.Metric,
  DataSnapshot: records.DataSnapshot,
  Artifact: records.Artifact,
  BlobRef: records.BlobRef,
  Environment: records.Environment,
  RegisteredModel: registry.RegisteredModel,
  ModelVersion: registry.ModelVersion,
  ModelAlias: registry.ModelAlias,
  AuditEntry: registry.AuditEntry,
  /** The `pipeline.yaml` file, as `runtrail pipeline promote` writes it (core/pipeline). */
  PipelineSpec,
  PipelineStep,
};

/** Every record schema as JSON Schema (draft 2020-12), keyed by record name. */
export function exportJsonSchemas(): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(exported).map(([name, schema]) => [name, z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })]),
  );
}

/**
 * `runtrail pipeline export --target argo|kubeflow|airflow [--out PATH] [--image IMAGE]`: reads pipeline.yaml and
 * the digests of the steps' code, has core/pipeline/export write the engine's definition, and writes it atomically
 * (an error leaves no file behind). Default file: `export/<pipeline>.<target>.yaml` or `export/<pipeline>_dag.py`
 * under the project folder.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import {
  PipelineError,
  defaultExportFile,
  exportPipeline,
  parseExportTarget,
  parsePipelineYaml,
  type ExportedDefinition,
  type PipelineSpec,
  type StepCode,
} from '@runtrail/core/pipeline';
import { CliError } from '../errors';
import { applyFileChanges } from './atomic';
import { codeDigests } from './keys';

/** Options of `pipeline export`. */
export interface ExportOptions {
  target: string;
  out?: string;
  image?: string;
  project?: string;
  json?: boolean;
}

function usage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof PipelineError) throw new CliError(error.message, 2);
    throw error;
  }
}

function readSpec(project: string): PipelineSpec {
  const file = join(project, 'pipeline.yaml');
  if (!existsSync(file)) throw new CliError(`no pipeline.yaml in ${project}: promote a notebook cell first (runtrail pipeline promote)`, 2);
  return usage(() => parsePipelineYaml(readFileSync(file, 'utf8')));
}

function stepCode(project: string, spec: PipelineSpec): StepCode {
  const code: StepCode = {};
  for (const step of spec.steps) {
    try {
      code[step.name] = codeDigests(project, step);
    } catch (error) {
      throw new CliError((error as Error).message, 2);
    }
  }
  return code;
}

/** `runtrail pipeline export`. */
export function exportPipelineCommand(options: ExportOptions, print: (text: string) => void): void {
  const target = usage(() => parseExportTarget(options.target));
  if (options.image !== undefined && target === 'airflow') {
    throw new CliError('--image: the Airflow DAG runs steps with the Python of its workers, not in an image; use it with argo or kubeflow', 2);
  }
  if (options.image !== undefined && !/^[^\s{}]+$/.test(options.image)) {
    throw new CliError(`--image: "${options.image}" is not an image reference (no spaces or braces)`, 2);
  }
  const project = resolve(options.project ?? '.');
  const spec = readSpec(project);
  const code = stepCode(project, spec);
  const exported: ExportedDefinition = usage(() =>
    exportPipeline(spec, target, { ...(options.image !== undefined ? { image: options.image } : {}), projectDir: project, code }),
  );
  const file = options.out !== undefined ? resolve(options.out) : join(project, defaultExportFile(spec, target));
  if (existsSync(file) && statSync(file).isDirectory()) throw new CliError(`--out: ${options.out ?? file} is a folder; name the file to write`, 2);
  try {
    applyFileChanges([{ path: file, content: exported.text }]);
  } catch (error) {
    throw new CliError(`cannot write ${file}, nothing was written: ${(error as Error).message}`);
  }
  const shown = relative(process.cwd(), file) || file;
  if (options.json) {
    print(JSON.stringify({ target, file, steps: spec.steps.map((s) => s.name), notes: exported.notes }, null, 2));
    return;
  }
  for (const note of exported.notes) print(`note: ${note}`);
  print(`Wrote ${shown} (${target}, ${spec.steps.length} step${spec.steps.length === 1 ? '' : 's'}).`);
}

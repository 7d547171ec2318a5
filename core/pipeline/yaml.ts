/** Reading and writing `pipeline.yaml` with the `yaml` package; comments of an existing file are kept. */
import { Document, parseDocument } from 'yaml';
import { PipelineError, formatPath } from './errors';
import { PipelineSpec } from './model';

/** The header of a newly written `pipeline.yaml`. */
const HEADER = ' runtrail pipeline: steps promoted from notebook cells (runtrail pipeline promote / demote).';

/** Parses and validates `pipeline.yaml`; every problem is a PipelineError naming the step and field. */
export function parsePipelineYaml(text: string, file = 'pipeline.yaml'): PipelineSpec {
  const doc = parseDocument(text);
  const yamlError = doc.errors[0];
  if (yamlError) {
    const at = yamlError.linePos?.[0];
    const where = at ? ` at line ${at.line}, column ${at.col}` : '';
    throw new PipelineError(`invalid YAML${where}: ${yamlError.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`, file);
  }
  const data: unknown = doc.toJS();
  const parsed = PipelineSpec.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const [first, index] = issue.path;
  const steps = (data as { steps?: Array<{ name?: unknown }> } | null)?.steps;
  const stepName = first === 'steps' && typeof index === 'number' ? steps?.[index]?.name : undefined;
  throw new PipelineError(issue.message, `${file}: ${formatPath(issue.path) || '(root)'}`, typeof stepName === 'string' ? stepName : undefined);
}

/** Serialises `spec`; given the previous text, keeps its comments and key order. */
export function stringifyPipeline(spec: PipelineSpec, previous?: string): string {
  const plain = JSON.parse(JSON.stringify(spec)) as Record<string, unknown>;
  if (previous !== undefined && previous.trim() !== '') {
    const doc = parseDocument(previous);
    if (doc.errors.length === 0 && doc.contents) {
      // Only changed values are replaced, so comments on everything else (and on unchanged steps) survive.
      const old = (doc.toJS() ?? {}) as Record<string, unknown>;
      const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
      for (const key of ['version', 'name', 'params']) if (!same(old[key], plain[key])) doc.set(key, doc.createNode(plain[key]));
      const oldSteps = Array.isArray(old.steps) ? old.steps : [];
      const steps = plain.steps as unknown[];
      if (!Array.isArray(old.steps)) doc.set('steps', doc.createNode(steps));
      else {
        steps.forEach((step, i) => {
          if (i >= oldSteps.length) doc.addIn(['steps'], doc.createNode(step));
          else if (!same(oldSteps[i], step)) doc.setIn(['steps', i], doc.createNode(step));
        });
        for (let i = oldSteps.length - 1; i >= steps.length; i--) doc.deleteIn(['steps', i]);
      }
      return doc.toString({ lineWidth: 0 });
    }
  }
  const doc = new Document(plain);
  doc.commentBefore = HEADER;
  return doc.toString({ lineWidth: 0 });
}

/**
 * Names the engines accept. Argo and Kubeflow name tasks, templates and pipelines with Kubernetes DNS-1123 labels
 * (lowercase letters, digits and `-`, at most 63 characters, starting and ending with a letter or digit), which a
 * step name such as `load_data` is not: it is mapped (`load-data`), the mapping is reported, and two steps that
 * would map to the same label are refused with an error naming both.
 */
import { PipelineError } from '../errors';
import type { PipelineSpec } from '../model';

/** The most characters a DNS-1123 label may have. */
export const DNS_LABEL_MAX = 63;

/** `load_data` -> `load-data`: lowercase, other characters to `-`, trimmed to a valid label; never empty. */
export function dnsLabel(name: string, max = DNS_LABEL_MAX): string {
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, max)
    .replace(/-+$/, '');
  return label === '' ? 'pipeline' : label;
}

/** The engine name of every step, and the notes that tell the user which names were changed. */
export interface EngineNames {
  /** Step name -> DNS-1123 label. */
  steps: Map<string, string>;
  /** The pipeline's name as a label. */
  pipeline: string;
  /** One line per changed name. */
  notes: string[];
}

/** Maps every step and the pipeline to DNS-1123 labels for `engine`; refuses two steps mapping to one label. */
export function kubernetesNames(spec: PipelineSpec, engine: string): EngineNames {
  const steps = new Map<string, string>();
  const owner = new Map<string, number>();
  const notes: string[] = [];
  spec.steps.forEach((step, i) => {
    const label = dnsLabel(step.name);
    const taken = owner.get(label);
    if (taken !== undefined) {
      throw new PipelineError(
        `${engine} needs DNS-1123 names; "${step.name}" and "${spec.steps[taken]!.name}" both become "${label}": rename one of them`,
        `steps[${i}].name`,
        step.name,
      );
    }
    owner.set(label, i);
    steps.set(step.name, label);
    if (label !== step.name) notes.push(`step "${step.name}" is named "${label}" in ${engine} (DNS-1123: lowercase letters, digits, "-")`);
  });
  const pipeline = dnsLabel(spec.name);
  if (pipeline !== spec.name) notes.push(`pipeline "${spec.name}" is named "${pipeline}" in ${engine}`);
  return { steps, pipeline, notes };
}

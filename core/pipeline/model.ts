/**
 * The `pipeline.yaml` model. One zod schema is the source of the TypeScript types, of validation with errors that
 * name the step and field, and of the published JSON Schema (`exportJsonSchemas().PipelineSpec`).
 *
 * ```yaml
 * version: 1
 * name: churn
 * params: { lr: 0.1 }
 * steps:
 *   - name: train
 *     source: pipeline/steps/train.py
 *     function: train
 *     notebook: churn.ipynb
 *     cell: 5d1f0c2e
 *     inputs:
 *       - { name: features, from: step, step: featurize, output: features, type: pandas.DataFrame }
 *       - { name: labels, from: data, snapshot: 9f2c..., type: pandas.DataFrame }
 *     outputs:
 *       - { name: model, type: object, format: pickle }
 *     params: [lr]
 * ```
 */
import { z } from 'zod';
import { JsonValue } from '../schema/primitives';

const PYTHON_KEYWORDS = new Set(
  ('False None True and as assert async await break class continue def del elif else except finally for from global if '
    + 'import in is lambda nonlocal not or pass raise return try while with yield').split(' '),
);

/** A Python identifier that is not a keyword (input, output and param names). */
export const PythonName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a Python identifier (letters, digits, "_"; not starting with a digit)')
  .refine((s) => !PYTHON_KEYWORDS.has(s), 'must not be a Python keyword');

/** A step name: a lowercase Python identifier, also the function and file name of the step. */
export const StepName = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,63}$/, 'must be a lowercase Python identifier of at most 64 characters')
  .refine((s) => !PYTHON_KEYWORDS.has(s), 'must not be a Python keyword');

/** A project-relative path with forward slashes, no `..` and no leading `/`. */
const RelativePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !/^[A-Za-z]:/.test(p) && !p.split('/').includes('..') && !p.includes('\\'), {
    message: 'must be a relative path inside the project, with "/" separators and no ".."',
  });

/** How a value is stored between steps. */
export const ValueFormat = z.enum(['parquet', 'npy', 'json', 'pickle']);
export type ValueFormat = z.infer<typeof ValueFormat>;

/** A step input: another step's output, or data bound to a snapshot from a notebook run. */
export const PipelineStepInput = z.discriminatedUnion('from', [
  z
    .object({
      name: PythonName,
      from: z.literal('step'),
      step: StepName,
      output: PythonName,
      type: z.string().min(1).optional(),
    })
    .strict(),
  z
    .object({
      name: PythonName,
      from: z.literal('data'),
      /** Fingerprint of the value's snapshot in the last captured run; absent when none was captured. */
      snapshot: z.string().min(1).optional(),
      type: z.string().min(1).optional(),
      format: ValueFormat.optional(),
    })
    .strict(),
]);
export type PipelineStepInput = z.infer<typeof PipelineStepInput>;

/** A value a step returns. `type` is the Python annotation, `format` how the runner stores it. */
export const PipelineStepOutput = z
  .object({ name: PythonName, type: z.string().min(1).default('object'), format: ValueFormat.default('pickle') })
  .strict();
export type PipelineStepOutput = z.infer<typeof PipelineStepOutput>;

/** One step: a function in `source`, promoted from a notebook cell. */
export const PipelineStep = z
  .object({
    name: StepName,
    source: RelativePath.refine((p) => p.endsWith('.py'), 'must be a .py file'),
    function: PythonName,
    notebook: RelativePath,
    cell: z.string().min(1),
    inputs: z.array(PipelineStepInput).default([]),
    outputs: z.array(PipelineStepOutput).default([]),
    params: z.array(PythonName).default([]),
  })
  .strict();
export type PipelineStep = z.infer<typeof PipelineStep>;

/** The whole `pipeline.yaml`, checked across steps: unique names, wired inputs exist, params declared, no cycles. */
export const PipelineSpec = z
  .object({
    version: z.literal(1),
    name: z.string().min(1).max(200),
    // An object with catch-all values rather than z.record: zod's record rejects a `constructor` key, which is a
    // valid Python name; keys are checked here instead.
    params: z
      .object({})
      .catchall(JsonValue)
      .superRefine((params, ctx) => {
        for (const key of Object.keys(params)) {
          const check = PythonName.safeParse(key);
          if (!check.success) ctx.addIssue({ code: 'custom', path: [key], message: `param name ${check.error.issues[0]!.message}` });
        }
      })
      .default({}),
    steps: z.array(PipelineStep).default([]),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const byName = new Map<string, PipelineStep>();
    spec.steps.forEach((step, i) => {
      if (byName.has(step.name)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'name'], message: `step name "${step.name}" is used twice` });
      byName.set(step.name, step);
    });
    spec.steps.forEach((step, i) => {
      const seen = new Set<string>();
      step.inputs.forEach((input, j) => {
        if (seen.has(input.name)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'inputs', j, 'name'], message: `input "${input.name}" is listed twice` });
        seen.add(input.name);
        if (input.from !== 'step') return;
        const upstream = byName.get(input.step);
        if (!upstream) {
          ctx.addIssue({ code: 'custom', path: ['steps', i, 'inputs', j, 'step'], message: `no step named "${input.step}"` });
        } else if (!upstream.outputs.some((o) => o.name === input.output)) {
          ctx.addIssue({ code: 'custom', path: ['steps', i, 'inputs', j, 'output'], message: `step "${input.step}" has no output "${input.output}"` });
        }
      });
      step.params.forEach((param, j) => {
        if (!Object.hasOwn(spec.params, param)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'params', j], message: `param "${param}" is not declared in params` });
      });
    });
    const cycle = findCycle(spec.steps);
    if (cycle) {
      const at = spec.steps.findIndex((s) => s.name === cycle[0]);
      ctx.addIssue({ code: 'custom', path: ['steps', at, 'inputs'], message: `cyclic dependency: ${cycle.join(' -> ')}` });
    }
  });
export type PipelineSpec = z.infer<typeof PipelineSpec>;

/** The first dependency cycle among steps as a closed path of names (`a -> b -> a`), or undefined. */
export function findCycle(steps: ReadonlyArray<Pick<PipelineStep, 'name' | 'inputs'>>): string[] | undefined {
  const deps = new Map(steps.map((s) => [s.name, s.inputs.flatMap((i) => (i.from === 'step' ? [i.step] : []))]));
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done' || !deps.has(name)) return undefined;
    if (state.get(name) === 'open') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'open');
    path.push(name);
    for (const d of deps.get(name)!) {
      const found = visit(d);
      if (found) return found;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const s of steps) {
    const found = visit(s.name);
    if (found) return found;
  }
  return undefined;
}

/** Steps in an order where every step comes after the steps it reads from (stable for independent steps). */
export function topologicalOrder(spec: PipelineSpec): PipelineStep[] {
  const placed = new Set<string>();
  const order: PipelineStep[] = [];
  let remaining = [...spec.steps];
  while (remaining.length) {
    const ready = remaining.filter((s) => s.inputs.every((i) => i.from !== 'step' || placed.has(i.step)));
    if (ready.length === 0) throw new Error(`cyclic dependency: ${findCycle(remaining)?.join(' -> ') ?? remaining.map((s) => s.name).join(', ')}`);
    for (const s of ready) {
      placed.add(s.name);
      order.push(s);
    }
    remaining = remaining.filter((s) => !placed.has(s.name));
  }
  return order;
}

/**
 * What a step module needs from earlier cells besides its inputs: import statements, and the functions and classes
 * the cell calls (copied with their own imports, helpers and literal constants, transitively).
 */
import { analyzeCell, namespaceBefore, PYTHON_BUILTINS, type CellAnalysis, type CellInput } from '../analysis';
import type { JsonValue } from '../schema/primitives';
import { PipelineError } from './errors';

/** The import statement that binds `input.name` as the cell that made it did. */
export function importLine(analyses: Array<CellAnalysis | null>, input: CellInput): string {
  const binding = analyses[input.fromCell]?.imports.filter((b) => b.bound === input.name).at(-1);
  if (!binding) return `import ${input.name}`;
  if (binding.name === null) {
    return binding.bound === binding.module.split('.')[0] ? `import ${binding.module}` : `import ${binding.module} as ${binding.bound}`;
  }
  return `from ${binding.module} import ${binding.name}${binding.bound === binding.name ? '' : ` as ${binding.bound}`}`;
}

/** Helpers to copy into a step module. */
export interface ResolvedHelpers {
  /** Source of each definition, in notebook order. */
  sources: string[];
  definitions: string[];
  imports: CellInput[];
  constants: Array<{ name: string; value: JsonValue }>;
}

/** Follows the definitions a cell uses to everything they need; refuses helpers that read non-literal values. */
export function resolveHelpers(roots: CellInput[], analyses: Array<CellAnalysis | null>, step: string): ResolvedHelpers {
  const found = new Map<string, { cell: number; from: number; source: string }>();
  const imports = new Map<string, CellInput>();
  const constants = new Map<string, JsonValue>();
  const queue = [...roots];
  while (queue.length) {
    const input = queue.shift()!;
    if (found.has(input.name)) continue;
    const producer = analyses[input.fromCell]!;
    const def = producer.definitions.filter((d) => d.name === input.name).at(-1);
    if (!def) continue;
    const source = producer.python.slice(def.from, def.to);
    found.set(input.name, { cell: input.fromCell, from: def.from, source });
    const helper = analyzeCell(source);
    const namespace = namespaceBefore(analyses, input.fromCell + 1);
    for (const name of [...helper.reads, ...helper.builtins]) {
      const made = namespace.get(name);
      if (!made) {
        if (PYTHON_BUILTINS.has(name)) continue;
        throw new PipelineError(`helper "${input.name}" (cell ${input.fromCell}) reads "${name}", which no cell defines`, 'inputs', step);
      }
      if (made.kind === 'import') imports.set(name, made);
      else if (made.kind === 'definition') queue.push(made);
      else {
        const literals = analyses[made.fromCell]!.literals;
        if (!Object.hasOwn(literals, name)) {
          throw new PipelineError(
            `helper "${input.name}" (cell ${input.fromCell}) reads the notebook value "${name}"; only literal constants can be copied into a step, so pass it as an argument`,
            'inputs', step,
          );
        }
        constants.set(name, literals[name] as JsonValue);
      }
    }
  }
  const ordered = [...found].sort(([, a], [, b]) => a.cell - b.cell || a.from - b.from);
  return {
    sources: ordered.map(([, h]) => h.source),
    definitions: ordered.map(([name]) => name),
    imports: [...imports.values()],
    constants: [...constants].map(([name, value]) => ({ name, value })),
  };
}

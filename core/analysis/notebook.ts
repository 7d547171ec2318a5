/**
 * Notebook-level dataflow: cells in notebook order, each reading the namespace the cells above it left. This is
 * the order a "Run all" gives, which is what a promoted step reproduces (not the order cells happened to run in).
 */
import { PYTHON_BUILTINS } from './builtins';
import { analyzeCell, type CellAnalysis } from './cell';

/** One cell of a notebook, as the analysis needs it. */
export interface NotebookCellSource {
  kind: 'code' | 'markdown' | 'raw';
  source: string;
  id?: string;
  tags?: string[];
}

/** What kind of thing a name an earlier cell made is. */
export type ProducedKind = 'value' | 'import' | 'definition';

/** A name cell C needs from an earlier cell. */
export interface CellInput {
  name: string;
  /** Index (in the cell list) of the last cell above C that binds or changes the name. */
  fromCell: number;
  kind: ProducedKind;
}

/** A value cell C leaves that later cells read. */
export interface CellOutput {
  name: string;
  /** Indexes of the later cells that read this value as C left it. */
  readBy: number[];
}

/** Inputs and outputs of one cell within its notebook. */
export interface CellDataflow {
  inputs: CellInput[];
  outputs: CellOutput[];
  /** Names C reads that no cell above defines (and that are not builtins): running C alone would fail. */
  missing: string[];
}

/** Analyses every code cell; other cells get `null`. */
export function analyzeNotebook(cells: NotebookCellSource[]): Array<CellAnalysis | null> {
  return cells.map((c) => (c.kind === 'code' ? analyzeCell(c.source) : null));
}

function producedKind(analysis: CellAnalysis, name: string): ProducedKind {
  if (analysis.imports.some((i) => i.bound === name)) return 'import';
  if (analysis.definitions.some((d) => d.name === name)) return 'definition';
  return 'value';
}

/** Which cell above `index` each name was last bound or changed by, and what it is. */
export function namespaceBefore(analyses: Array<CellAnalysis | null>, index: number): Map<string, CellInput> {
  const names = new Map<string, CellInput>();
  analyses.slice(0, index).forEach((a, cell) => {
    if (!a) return;
    for (const name of a.deletes) names.delete(name);
    for (const name of a.writes) names.set(name, { name, fromCell: cell, kind: producedKind(a, name) });
    for (const m of a.mutations) names.set(m.name, { name: m.name, fromCell: cell, kind: names.get(m.name)?.kind ?? 'value' });
  });
  return names;
}

/** Everything a cell takes from the notebook's namespace: reads plus builtins an earlier cell shadowed. */
function needed(a: CellAnalysis, namespace: Map<string, CellInput>): string[] {
  return [...a.reads, ...a.builtins.filter((n) => namespace.has(n))];
}

/** Inputs (names C reads that cells above write) and outputs (values C writes that cells below read). */
export function cellDataflow(analyses: Array<CellAnalysis | null>, index: number): CellDataflow {
  const own = analyses[index];
  if (!own) return { inputs: [], outputs: [], missing: [] };
  const namespace = namespaceBefore(analyses, index);
  const inputs: CellInput[] = [];
  const missing: string[] = [];
  for (const name of needed(own, namespace)) {
    const made = namespace.get(name);
    if (made) inputs.push(made);
    else if (!PYTHON_BUILTINS.has(name)) missing.push(name);
  }
  const produced = [...new Set([...own.writes.filter((n) => producedKind(own, n) === 'value'), ...own.mutations.map((m) => m.name)])];
  const current = new Set(produced);
  const readBy = new Map<string, number[]>();
  for (let k = index + 1; k < analyses.length && current.size > 0; k++) {
    const later = analyses[k];
    if (!later) continue;
    for (const name of [...later.reads, ...later.builtins]) {
      if (current.has(name)) readBy.set(name, [...(readBy.get(name) ?? []), k]);
    }
    for (const name of [...later.writes, ...later.deletes]) current.delete(name);
  }
  const outputs = produced.filter((n) => readBy.has(n)).map((name) => ({ name, readBy: readBy.get(name)! }));
  return { inputs, outputs, missing };
}

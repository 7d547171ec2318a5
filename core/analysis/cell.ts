/** Dataflow of one code cell: what it reads from the notebook, what it leaves there, and how. */
import { parser } from '@lezer/python';
import { PYTHON_BUILTINS } from './builtins';
import { preprocessCell, type Magic } from './magics';
import type { Mutation } from './scopes';
import { CellWalker, type Definition, type ImportBinding } from './walker';
import { rewriteWithItems } from './with-items';

/** A syntax error of a cell, at a 1-based line and column of the cell's source. */
export interface CellSyntaxError {
  message: string;
  line: number;
  column: number;
}

/** What one code cell does with names. Lists keep the order of first appearance. */
export interface CellAnalysis {
  /** Names read before the cell binds them (including names function bodies use and the cell never binds). */
  reads: string[];
  /** Python builtins the cell uses without defining them (notebook inputs only when an earlier cell shadows them). */
  builtins: string[];
  /** Names the cell leaves bound: assignments, imports, definitions, loop/with targets, walrus, `global` writes. */
  writes: string[];
  /** In-place changes of values the cell did not create itself (`df["a"] = 1`, `model.fit(X)`, `x += 1`). */
  mutations: Mutation[];
  /** Names removed with `del`. */
  deletes: string[];
  imports: ImportBinding[];
  /** Top-level functions and classes, with their source spans (offsets into `python`). */
  definitions: Definition[];
  functions: string[];
  classes: string[];
  /** Names declared `global` / `nonlocal` at the top level of the cell. */
  globals: string[];
  nonlocals: string[];
  /** Top-level `name = <literal>` assignments still in force at the end of the cell (params candidates). */
  literals: Record<string, unknown>;
  magics: Magic[];
  /** Set when the cell is a cell magic whose body is not Python (`%%bash`, `%%writefile`); nothing else is known. */
  foreignCellMagic?: string;
  /** Set when the cell is not valid Python (after IPython syntax is taken out). */
  syntaxError?: CellSyntaxError;
  /**
   * The cell as plain Python: IPython lines replaced by same-length `pass`/`...`, so line numbers and columns
   * match the cell (except inside a multi-line parenthesised `with` header).
   */
  python: string;
}

function firstSyntaxError(walker: CellWalker, python: string, tree: ReturnType<typeof parser.parse>): CellSyntaxError | undefined {
  let at = -1;
  let python2Print = false;
  tree.iterate({
    enter: (node) => {
      if (at >= 0) return false;
      if (node.type.isError) at = node.from;
      // The grammar accepts Python 2's `print x` so editors can highlight it; Python 3 does not.
      if (node.name === 'PrintStatement') [at, python2Print] = [node.from, true];
      return undefined;
    },
  });
  if (at < 0) return undefined;
  if (python2Print) return { message: "missing parentheses in call to 'print'", line: walker.lineOf(at), column: walker.columnOf(at) };
  const token = /^\s*(\S{1,20})/.exec(python.slice(at))?.[1];
  const message = token === undefined ? 'invalid syntax: unexpected end of cell' : `invalid syntax near "${token}"`;
  const pos = token === undefined ? at : at + python.slice(at).indexOf(token);
  return { message, line: walker.lineOf(pos), column: walker.columnOf(pos) };
}

/** Analyses one code cell's source. Never throws: a syntax error is reported in `syntaxError`. */
export function analyzeCell(source: string): CellAnalysis {
  const pre = preprocessCell(source);
  const { python, tupleTargets } = rewriteWithItems(pre.python);
  const walker = new CellWalker(python, pre.magicReads, tupleTargets, pre.magicWrites);
  const tree = parser.parse(python);
  const syntaxError = pre.foreignCellMagic ? undefined : firstSyntaxError(walker, python, tree);
  walker.walkScript(tree.topNode);
  const cell = walker.cell;
  for (const names of pre.magicWrites.values()) for (const name of names) cell.writes.add(name);
  const allReads = [...cell.reads];
  return {
    reads: allReads.filter((n) => !PYTHON_BUILTINS.has(n)),
    builtins: allReads.filter((n) => PYTHON_BUILTINS.has(n)),
    writes: [...cell.writes],
    mutations: cell.mutations.filter((m) => cell.reads.has(m.name)),
    deletes: [...cell.deletes],
    imports: walker.imports,
    definitions: walker.definitions,
    functions: walker.definitions.filter((d) => d.kind === 'function').map((d) => d.name),
    classes: walker.definitions.filter((d) => d.kind === 'class').map((d) => d.name),
    globals: [...cell.declared.global],
    nonlocals: [...cell.declared.nonlocal],
    literals: Object.fromEntries(walker.literals),
    magics: pre.magics,
    ...(pre.foreignCellMagic ? { foreignCellMagic: pre.foreignCellMagic } : {}),
    ...(syntaxError ? { syntaxError } : {}),
    python,
  };
}

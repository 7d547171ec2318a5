/**
 * Python dataflow of notebook cells with @lezer/python: per cell the names it reads, writes, mutates, imports and
 * defines (IPython magics and `!shell` lines understood); per notebook the inputs and outputs of a cell.
 */
export { analyzeCell } from './cell';
export type { CellAnalysis, CellSyntaxError } from './cell';
export { analyzeNotebook, cellDataflow, namespaceBefore } from './notebook';
export type { CellDataflow, CellInput, CellOutput, NotebookCellSource, ProducedKind } from './notebook';
export type { Magic } from './magics';
export type { Mutation, MutationKind } from './scopes';
export type { Definition, ImportBinding } from './walker';
export { MUTATING_METHODS } from './walker';
export { PYTHON_BUILTINS } from './builtins';

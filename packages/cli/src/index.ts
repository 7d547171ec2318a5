/** Public API of the CLI package (for tests and embedding). */
export { buildProgram, runCli } from './program';

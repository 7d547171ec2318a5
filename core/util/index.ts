/** Small pure helpers shared by the packages. */
export { hashText } from './hash';
export { matchesAnyGlob } from './glob';

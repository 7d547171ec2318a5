/** Small pure helpers shared by the packages. */
export { hashText } from './hash';
export { matchesAnyGlob } from './glob';
export { textSplice, mapThroughSplice, type TextSplice } from './splice';

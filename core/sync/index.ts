/** Y.Doc layout of experiment history and the helpers that read and write it. */
export * from './doc';

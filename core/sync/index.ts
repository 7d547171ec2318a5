/** Y.Doc layout of experiment history and the helpers that read and write it. */
export * from './doc';
/** The sync wire protocol (pure encode/decode on top of y-protocols). */
export * from './protocol';
/** The client that keeps a local doc in sync with the backend over a WebSocket. */
export * from './client';
export * from './history';
export * from './outbox';
export * from './delivery';
/** User edits of run notes and tags (minimal note deltas, validated and redacted tags). */
export * from './edit';
/** The workspace model registry mirror (server-written, read by clients for live views). */
export * from './registry';

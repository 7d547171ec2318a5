/** Public API of the backend package. */
export { createApp, type AppOptions } from './app';
export { startServer, type RunningServer, type ServerOptions } from './server';
export { openSqliteStore } from './store/sqlite';
export { openPostgresStore, redactDatabaseUrl } from './store/postgres';
export { openFsBlobStore } from './blobs/fs';
export { DocManager } from './sync/docs';
export { ApiError } from './errors';
export { TOKEN_FILE, loadOrCreateToken } from './auth/token';
export { VERSION } from './version';
export { bootstrapAdmin, type BootstrappedAdmin } from './auth/bootstrap';
export { AUTH_ROUTES } from './auth/routes';
export { parseLifetime } from './auth/tokens';
export * as authSchema from './auth/schema';

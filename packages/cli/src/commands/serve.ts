/** `runtrail serve`: the backend (embedded SQLite, or PostgreSQL with --db; S3 blobs with --blobs), until SIGINT/SIGTERM. */
import { join } from 'node:path';
import { redactDatabaseUrl, startServer, TOKEN_FILE } from '@runtrail/backend';
import { CliError } from '../errors';
import { dataDir } from '../connection';

/** Options of `runtrail serve`. */
export interface ServeOptions {
  data?: string;
  db?: string;
  blobs?: string;
  host: string;
  port: string;
  json?: boolean;
}

/** Starts the server, prints its URL, and shuts down cleanly on a signal. */
export async function serve(options: ServeOptions): Promise<void> {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be 0-65535, got '${options.port}'`, 2);
  const dir = dataDir(options.data);
  let server;
  try {
    server = await startServer({ dataDir: dir, db: options.db, blobs: options.blobs, host: options.host, port, token: process.env.RUNTRAIL_TOKEN || undefined });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new CliError(`port ${port} on ${options.host} is already in use; pick another with --port`);
    const message = (error as Error).message ?? '';
    if (message.startsWith('--db ') || message.startsWith('--blobs ')) throw new CliError(message, 2);
    if (options.blobs && message.startsWith('cannot use S3 bucket')) throw new CliError(message);
    if (options.db && message.startsWith('cannot use PostgreSQL')) throw new CliError(message);
    throw error;
  }
  const tokenSource = process.env.RUNTRAIL_TOKEN ? 'RUNTRAIL_TOKEN' : join(dir, TOKEN_FILE);
  const db = options.db ? redactDatabaseUrl(options.db) : null;
  // The URL holds no secrets: startServer refuses credentials in it.
  const blobs = options.blobs ?? null;
  if (options.json) {
    process.stdout.write(JSON.stringify({ url: server.url, dataDir: dir, db, blobs, tokenSource, pid: process.pid }) + '\n');
  } else {
    process.stdout.write(`runtrail backend listening on ${server.url}\n  data:  ${dir}\n${db ? `  db:    ${db}\n` : ''}${blobs ? `  blobs: ${blobs}\n` : ''}  token: ${tokenSource}\n`);
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.stderr.write(`runtrail: ${signal} received, shutting down\n`);
      server.close().then(resolve, resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

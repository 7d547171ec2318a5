/** Where the CLI finds the backend: --url/--token, RUNTRAIL_URL/RUNTRAIL_TOKEN, or the local data folder. */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { RuntrailClient } from '@runtrail/core/client';
import { TOKEN_FILE } from '@runtrail/backend';

/** Default address of the embedded backend. */
export const DEFAULT_URL = 'http://127.0.0.1:8734';

/** The data folder: --data, RUNTRAIL_DATA, or ~/.runtrail. */
export function dataDir(explicit?: string): string {
  return explicit ?? process.env.RUNTRAIL_DATA ?? join(homedir(), '.runtrail');
}

/** Options every client command accepts. */
export interface ConnectionOptions {
  url?: string;
  token?: string;
  data?: string;
}

/** A client for the configured backend; the token falls back to the one the local server generated. */
export function connect(options: ConnectionOptions): RuntrailClient {
  const baseUrl = options.url ?? process.env.RUNTRAIL_URL ?? DEFAULT_URL;
  let token = options.token ?? process.env.RUNTRAIL_TOKEN;
  if (!token) {
    try {
      token = readFileSync(join(dataDir(options.data), TOKEN_FILE), 'utf8').trim();
    } catch {
      token = undefined;
    }
  }
  return new RuntrailClient({ baseUrl, token });
}

/** The local single-user token: `RUNTRAIL_TOKEN`, or one generated into the data folder on first start. */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Name of the token file inside the data folder (local clients read it). */
export const TOKEN_FILE = 'token';

/** Returns the token to require: the explicit one, else the stored one, else a new one written with mode 0600. */
export async function loadOrCreateToken(dataDir: string, explicit?: string): Promise<string> {
  if (explicit) return explicit;
  const file = join(dataDir, TOKEN_FILE);
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored) return stored;
  } catch {
    // first start: create below
  }
  await mkdir(dataDir, { recursive: true });
  const token = randomBytes(24).toString('base64url');
  // 'wx' fails if another process created it meanwhile: then read theirs.
  try {
    await writeFile(file, token + '\n', { mode: 0o600, flag: 'wx' });
    return token;
  } catch {
    return (await readFile(file, 'utf8')).trim();
  }
}

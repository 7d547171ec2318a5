/** `npm start` (scripts/start.mjs): sets up, builds, and brings the backend up, printing its URL. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { REPO, tempDataDir } from './harness';

describe('npm start', () => {
  it('prints the backend URL, serves health, and stops on SIGTERM', async () => {
    const data = tempDataDir();
    const child = spawn(process.execPath, [join(REPO, 'scripts/start.mjs'), '--port', '0', '--data', data.dir], {
      cwd: REPO,
      env: { ...process.env, RUNTRAIL_TOKEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const lines = createInterface({ input: child.stdout! });
        lines.on('line', (line) => {
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
          if (match) resolve(match[1]!);
        });
        child.once('exit', (code) => reject(new Error(`npm start exited with ${code}`)));
      });
      const health = await fetch(`${url}/api/v1/health`);
      expect(await health.json()).toMatchObject({ status: 'ok' });
      const runs = await fetch(`${url}/api/v1/experiments`);
      expect(runs.status).toBe(401);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      data.remove();
    }
  });
});

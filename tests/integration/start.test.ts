/** `npm start` (scripts/start.mjs): sets up, builds, brings up the backend and JupyterLab with the extension. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { REPO, tempDataDir } from './harness';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('npm start', () => {
  it('prints the backend and JupyterLab URLs and the .vsix path; JupyterLab serves the runtrail extension; SIGTERM stops both', async () => {
    const data = tempDataDir();
    const notebooks = mkdtempSync(join(tmpdir(), 'runtrail-nb-'));
    const jupyterPort = await freePort();
    const child = spawn(process.execPath, [join(REPO, 'scripts/start.mjs'), '--port', '0', '--data', data.dir], {
      cwd: REPO,
      env: { ...process.env, RUNTRAIL_TOKEN: '', RUNTRAIL_JUPYTER_PORT: String(jupyterPort), RUNTRAIL_NOTEBOOKS: notebooks },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const urls = await new Promise<{ backend: string; lab: string; vsix: string }>((resolve, reject) => {
        let backend = '';
        let lab_ = '';
        createInterface({ input: child.stdout! }).on('line', (line) => {
          backend ||= /runtrail backend\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1] ?? '';
          const lab = /JupyterLab\s+(http:\/\/127\.0\.0\.1:\d+\/lab\?token=\w+)/.exec(line)?.[1];
          if (lab && backend) lab_ = lab;
          const vsix = /VS Code extension\s+(\S+\.vsix)/.exec(line)?.[1];
          if (vsix && lab_) resolve({ backend, lab: lab_, vsix });
        });
        child.once('exit', (code) => reject(new Error(`npm start exited with ${code}`)));
      });
      expect(await (await fetch(`${urls.backend}/api/v1/health`)).json()).toMatchObject({ status: 'ok' });
      expect((await fetch(`${urls.backend}/api/v1/experiments`)).status).toBe(401);
      const page = await (await fetch(urls.lab)).text();
      expect(page).toContain('runtrail-jupyterlab');
      expect(existsSync(urls.vsix)).toBe(true);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      data.remove();
      rmSync(notebooks, { recursive: true, force: true });
    }
  });
});

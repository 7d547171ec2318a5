/**
 * A throwaway PostgreSQL server for tests: `initdb` into a temp folder, `postgres` on 127.0.0.1 and a free
 * port, stopped and deleted by `stop()`. PostgreSQL refuses to run as root, so under root (CI) the folder is
 * handed to the `postgres` system user (the Debian package creates it) and the server runs as that user.
 * Needs the Debian `postgresql` package (scripts/lib/setup.mjs installs it); nothing must be running already.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** A running test server. */
export interface TestPostgres {
  /** Connection URL of `database` (default `postgres`). */
  url(database?: string): string;
  /** Creates an empty database with a fresh name and returns its URL. */
  createDatabase(): Promise<string>;
  /** Stops the server (fast shutdown) and deletes its folder; safe to call twice. */
  stop(): Promise<void>;
}

const USER = 'runtrail';

/** Folder of initdb/postgres: $RUNTRAIL_PG_BIN, else PATH, else the newest /usr/lib/postgresql/<v>/bin (Debian). */
export function findPostgresBin(): string | null {
  if (process.env.RUNTRAIL_PG_BIN) return process.env.RUNTRAIL_PG_BIN;
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return join(onPath, '..');
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb')));
  versions.sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs `cmd` as the postgres system user when we are root, else as ourselves. */
function asServerUser(cmd: string, args: string[]): [string, string[]] {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return root ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

function handFolderToServerUser(dir: string): void {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('running as root needs the `postgres` system user (Debian package postgresql)');
  chownSync(dir, uid, gid);
}

async function waitUntilReady(url: string, server: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`postgres exited with ${server.exitCode}:\n${log()}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections in 30 s (${(error as Error).message}):\n${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Starts a fresh server. `durable: false` (the default) turns fsync off for speed; durability tests pass true.
 */
export async function startTestPostgres(options: { durable?: boolean } = {}): Promise<TestPostgres> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed: install the Debian package `postgresql` (npm test does it as root)');
  const dir = mkdtempSync(join(tmpdir(), 'runtrail-pg-'));
  const data = join(dir, 'data');
  let output = '';
  try {
    handFolderToServerUser(dir);
    const [initCmd, initArgs] = asServerUser(join(bin, 'initdb'), [
      '-D', data, '-U', USER, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync',
    ]);
    const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`initdb failed (exit ${init.status}): ${init.stderr || init.stdout}`);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  let server: ChildProcess | null = null;
  let port = 0;
  for (let attempt = 0; attempt < 3 && !server; attempt++) {
    port = await freePort();
    const [cmd, args] = asServerUser(join(bin, 'postgres'), [
      '-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`,
      '-c', `fsync=${options.durable ? 'on' : 'off'}`, '-c', 'max_connections=200',
    ]);
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const url = `postgres://${USER}@127.0.0.1:${port}/postgres`;
    try {
      await waitUntilReady(url, child, () => output);
      server = child;
    } catch (error) {
      child.kill('SIGKILL');
      if (attempt === 2 || !/could not bind|already in use/i.test(output)) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
  const running = server!;
  const url = (database = 'postgres') => `postgres://${USER}@127.0.0.1:${port}/${database}`;
  let created = 0;
  let stopping: Promise<void> | null = null;

  return {
    url,
    async createDatabase() {
      const name = `t${process.pid}_${++created}`;
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    stop() {
      stopping ??= (async () => {
        if (running.exitCode === null) {
          const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
          // Under runuser the postmaster is a grandchild: signal it by the pid it wrote (SIGINT = fast shutdown).
          const pidFile = join(data, 'postmaster.pid');
          const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : NaN;
          if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGINT');
          else running.kill('SIGINT');
          const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(timer);
        }
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

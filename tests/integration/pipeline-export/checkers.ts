/**
 * The engines' own tooling for the export tests, each in its own venv under `.cache/export/<tool>-<version>/`
 * (not in .venv: Airflow and kfp pin versions of shared libraries that the project's packages do not want),
 * created on first use from PyPI with exact pins and marked finished by a stamp, so a killed install is redone.
 * The three installs run at the same time; a warm cache costs three `existsSync` calls.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../harness';

/** What each checker venv holds. kfp 2.17.3 needs a certifi release PyPI mirrors may not have yet: 2.17.0. */
export const CHECKERS = {
  kfp: { version: '2.17.0', requirements: ['kfp==2.17.0'] },
  hera: { version: '7.1.0', requirements: ['hera==7.1.0', 'PyYAML==6.0.3'] },
  airflow: { version: '3.3.2', requirements: ['apache-airflow==3.3.2'] },
} as const;

/** A checker's name. */
export type Checker = keyof typeof CHECKERS;

/** The Python of a checker's venv. */
export function checkerPython(name: Checker): string {
  return join(checkerDir(name), 'bin', 'python');
}

function checkerDir(name: Checker): string {
  return join(REPO, '.cache', 'export', `${name}-${CHECKERS[name].version}`);
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PIP_REQUIRE_VIRTUALENV: '1' } });
    child.stdout!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-8000)));
    child.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-8000)));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`))));
  });
}

async function install(name: Checker): Promise<number> {
  const dir = checkerDir(name);
  const stamp = join(dir, '.installed');
  if (existsSync(stamp)) return 0;
  const started = performance.now();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(REPO, '.cache', 'export'), { recursive: true });
  await run(process.env.PYTHON ?? 'python3', ['-m', 'venv', dir]);
  await run(checkerPython(name), ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-q', ...CHECKERS[name].requirements]);
  writeFileSync(stamp, `${CHECKERS[name].requirements.join('\n')}\n`);
  return performance.now() - started;
}

/** Installs the checkers that are missing; resolves with the seconds each install took (0 when cached). */
export async function ensureExportCheckers(): Promise<Record<Checker, number>> {
  const names = Object.keys(CHECKERS) as Checker[];
  const took = await Promise.all(names.map(install));
  return Object.fromEntries(names.map((n, i) => [n, Math.round(took[i]! / 100) / 10])) as Record<Checker, number>;
}

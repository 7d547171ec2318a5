/**
 * The Python side of `pipeline run`: the step runner (step_runner.py) and the kernel helper whose fingerprint()
 * it uses travel inside the bundled CLI as text; they are written once per version into the project's cache
 * folder (`runner/<hash>/`) and run from there, so the CLI needs no files beside its bundle.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import kernelSource from '../../../kernel/runtrail_kernel.py';
import runnerSource from './step_runner.py';
import { sha256Text } from './cache';

/** Paths of the installed runner and kernel helper. */
export interface PythonAssets {
  runner: string;
  kernel: string;
}

/** Writes the runner and the kernel helper under `cacheRoot` unless this version is already there. */
export function installPythonAssets(cacheRoot: string): PythonAssets {
  const dir = join(cacheRoot, 'runner', sha256Text(runnerSource + kernelSource).slice(0, 16));
  const assets = { runner: join(dir, 'step_runner.py'), kernel: join(dir, 'runtrail_kernel.py') };
  if (existsSync(assets.runner) && existsSync(assets.kernel)) return assets;
  const temp = `${dir}.${process.pid}.tmp`;
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp, { recursive: true });
  writeFileSync(join(temp, 'step_runner.py'), runnerSource);
  writeFileSync(join(temp, 'runtrail_kernel.py'), kernelSource);
  try {
    renameSync(temp, dir);
  } catch (error) {
    // Another run installed the same version first.
    rmSync(temp, { recursive: true, force: true });
    if (!existsSync(assets.runner)) throw error;
  }
  return assets;
}

/** The Python to run steps with: --python, RUNTRAIL_PYTHON, the project's .venv, else python3 on PATH. */
export function projectPython(project: string, explicit?: string): string {
  if (explicit) return explicit;
  if (process.env.RUNTRAIL_PYTHON) return process.env.RUNTRAIL_PYTHON;
  const venv = process.platform === 'win32' ? join(project, '.venv', 'Scripts', 'python.exe') : join(project, '.venv', 'bin', 'python');
  return existsSync(venv) ? venv : 'python3';
}

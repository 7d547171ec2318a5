/** Shared helpers of the in-host suites. */
import * as vscode from 'vscode';
import type { RuntrailExtensionApi } from '../../src/extension';

/** The extension under test, activated, with its API. */
export async function runtrail(): Promise<RuntrailExtensionApi> {
  const extension = vscode.extensions.getExtension<RuntrailExtensionApi>('runtrail.runtrail-vscode');
  if (!extension) throw new Error('runtrail.runtrail-vscode is not installed');
  return extension.activate();
}

/** Polls until `fn` returns a truthy value. */
export async function until<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Labels of every open editor tab. */
export function tabLabels(): string[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label));
}

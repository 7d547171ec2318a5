/** The commands of package.json, run through vscode.commands like a user (or a keybinding) would. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { runtrail, tabLabels, until } from './helpers';

const COMMANDS = ['runtrail.connect', 'runtrail.refresh', 'runtrail.compareSelected', 'runtrail.copyRunId', 'runtrail.openRun', 'runtrail.showOutput',
  // Notebook capture (src/platform/notebooks.ts).
  'runtrail.restartKernel', 'runtrail.newRun', 'runtrail.setJupyterServer', 'runtrail.showCaptureLevel',
  // Runs view (src/platform/view-commands.ts).
  'runtrail.filterRuns', 'runtrail.clearFilter', 'runtrail.searchRuns', 'runtrail.openRunInBrowser',
  // Models view (src/platform/models-commands.ts).
  'runtrail.refreshModels', 'runtrail.registerModelFromRun', 'runtrail.copyModelUri', 'runtrail.copyModelName', 'runtrail.openModelSourceRun',
  'runtrail.setModelAlias', 'runtrail.removeModelAlias', 'runtrail.showModelLineage', 'runtrail.deleteModel',
  // Pipeline steps (src/platform/pipeline.ts).
  'runtrail.promoteCell', 'runtrail.demoteCell'];

/** Registers the commands suite. */
export function commandSuite(): void {
  describe('commands', () => {
    let runs: { id: string; name: string }[] = [];
    before(async () => {
      const api = await runtrail();
      await until(() => api.history.state.kind === 'online', 'online');
      runs = await until(() => {
        const all = api.history.entries().flatMap((e) => e.runs);
        return all.length >= 2 ? all.map((r) => ({ id: r.id, name: r.name })) : null;
      }, 'two runs');
    });
    afterEach(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

    it('registers every command of package.json', async () => {
      const registered = new Set(await vscode.commands.getCommands(true));
      assert.deepEqual(COMMANDS.filter((c) => !registered.has(c)), []);
      const declared = (vscode.extensions.getExtension('runtrail.runtrail-vscode')!.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
      assert.deepEqual([...declared].sort(), [...COMMANDS].sort());
    });

    it('Open Run opens a run panel, once per run', async () => {
      const api = await runtrail();
      const run = runs[0]!;
      await vscode.commands.executeCommand('runtrail.openRun', run.id);
      await vscode.commands.executeCommand('runtrail.openRun', { kind: 'run', runId: run.id });
      await until(() => tabLabels().includes(`Run ${run.name}`), `the tab "Run ${run.name}"`);
      assert.equal(api.panels.size, 1);
    });

    it('Compare Selected opens a compare of the given runs', async () => {
      const [a, b] = runs;
      await vscode.commands.executeCommand('runtrail.compareSelected', { kind: 'run', runId: a!.id }, [
        { kind: 'run', runId: a!.id },
        { kind: 'run', runId: b!.id },
      ]);
      await until(() => tabLabels().includes(`Compare ${a!.name} ↔ ${b!.name}`), 'the compare tab');
    });

    it('Copy Run Id puts the id on the clipboard', async () => {
      await vscode.commands.executeCommand('runtrail.copyRunId', { kind: 'run', runId: runs[1]!.id });
      assert.equal(await vscode.env.clipboard.readText(), runs[1]!.id);
    });

    it('Refresh lists again without losing the runs', async () => {
      const api = await runtrail();
      await vscode.commands.executeCommand('runtrail.refresh');
      assert.equal(api.history.state.kind, 'online');
      assert.ok(api.history.entries().flatMap((e) => e.runs).length >= 2);
    });

    it('panels close with their editors and leave nothing registered', async () => {
      const api = await runtrail();
      await vscode.commands.executeCommand('runtrail.openRun', runs[0]!.id);
      await until(() => api.panels.size === 1, 'one panel');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await until(() => api.panels.size === 0, 'no panels');
    });
  });
}

/**
 * The Models view and its commands in the real extension host, against the e2e suite's seeded backend
 * (churn-classifier v1 from baseline, v2 from tuned, champion → v2). Commands get their answers as arguments
 * instead of through the quick picks and input boxes (the e2e suite types into those).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ModelVersion } from '@runtrail/core/schema';
import { runtrail, tabLabels, until } from './helpers';

const MODEL = 'churn-classifier';

/** Registers the Models suite. */
export function modelsSuite(): void {
  describe('Models view and Register Model from Run', () => {
    let tuned = '';
    before(async () => {
      const api = await runtrail();
      await until(() => api.models.state.kind === 'online' && api.modelsTree.roots.some((m) => m.modelName === MODEL), 'the seeded model');
      tuned = await until(() => api.history.entries().flatMap((e) => e.runs).find((r) => r.name === 'tuned')?.id, 'the run tuned');
    });
    afterEach(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

    it('shows the model with its versions newest first and the alias on its version', async () => {
      const api = await runtrail();
      const model = api.modelsTree.roots.find((m) => m.modelName === MODEL)!;
      assert.match(model.description, /@champion → v2/);
      const v2 = model.versions.find((v) => v.version === 2)!;
      assert.deepEqual(v2.aliases, ['champion']);
      assert.match(v2.description, /^@champion · run tuned$/);
      assert.equal(v2.contextValue, 'modelVersionAliased');
      assert.deepEqual(model.versions.map((v) => v.version).slice(-2), [2, 1]);
    });

    it('Register Model from Run with arguments adds the next version of an existing model', async () => {
      const api = await runtrail();
      const before = api.models.modelNames().find((m) => m.name === MODEL)!.latestVersion;
      const created = (await vscode.commands.executeCommand('runtrail.registerModelFromRun', { kind: 'run', runId: tuned }, { path: 'model/model.pkl', modelName: MODEL })) as ModelVersion;
      assert.equal(created.version, before + 1);
      assert.equal(created.runId, tuned);
      assert.deepEqual(created.artifacts.map((a) => a.path), ['model/model.pkl']);
      const node = api.modelsTree.roots.find((m) => m.modelName === MODEL)!.versions[0]!;
      assert.equal(node.version, created.version, 'the new version is the first row');
    });

    it('Register Model from Run refuses an artifact path the run does not have, and registers nothing', async () => {
      const api = await runtrail();
      const before = api.models.modelNames();
      const result = await vscode.commands.executeCommand('runtrail.registerModelFromRun', tuned, { path: 'no/such/file', modelName: MODEL });
      assert.equal(result, null);
      assert.deepEqual(api.models.modelNames(), before);
    });

    it('Set Alias and Remove Alias change the version rows; a reserved alias is refused', async () => {
      const api = await runtrail();
      const target = { modelName: MODEL, version: 1 };
      assert.deepEqual(await vscode.commands.executeCommand('runtrail.setModelAlias', target, 'inhost'), { modelName: MODEL, alias: 'inhost', version: 1 });
      assert.ok(api.models.findVersion(MODEL, 1)!.aliases.includes('inhost'));
      assert.equal(await vscode.commands.executeCommand('runtrail.setModelAlias', target, 'latest'), null);
      assert.ok(!api.models.findVersion(MODEL, 1)!.aliases.includes('latest'));
      assert.deepEqual(await vscode.commands.executeCommand('runtrail.removeModelAlias', target, 'inhost'), { modelName: MODEL, alias: 'inhost' });
      assert.ok(!api.models.findVersion(MODEL, 1)!.aliases.includes('inhost'));
    });

    it("Copy Model URI and Copy Model Name put MLflow's URI and the name on the clipboard", async () => {
      assert.equal(await vscode.commands.executeCommand('runtrail.copyModelUri', { modelName: MODEL, version: 2 }), `models:/${MODEL}/2`);
      assert.equal(await vscode.env.clipboard.readText(), `models:/${MODEL}/2`);
      await vscode.commands.executeCommand('runtrail.copyModelName', { modelName: MODEL, version: 2 });
      assert.equal(await vscode.env.clipboard.readText(), MODEL);
    });

    it('Open Source Run opens the run detail of the version', async () => {
      const api = await runtrail();
      const node = api.modelsTree.roots.find((m) => m.modelName === MODEL)!.versions.find((v) => v.version === 2)!;
      assert.equal(await vscode.commands.executeCommand('runtrail.openModelSourceRun', node), tuned);
      await until(() => tabLabels().includes('Run tuned'), 'the tab "Run tuned"');
    });

    it('Delete Model deletes only when the confirmation repeats the name', async () => {
      const api = await runtrail();
      const name = `inhost-delete-${Date.now()}`;
      await vscode.commands.executeCommand('runtrail.registerModelFromRun', tuned, { path: 'model', modelName: name });
      assert.ok(api.models.modelNames().some((m) => m.name === name));
      assert.equal(await vscode.commands.executeCommand('runtrail.deleteModel', { modelName: name }, name.slice(0, -1)), null);
      assert.ok(api.models.modelNames().some((m) => m.name === name), 'a wrong confirmation keeps the model');
      assert.equal(await vscode.commands.executeCommand('runtrail.deleteModel', { modelName: name }, name), name);
      assert.ok(!api.models.modelNames().some((m) => m.name === name));
      assert.ok(!api.modelsTree.roots.some((m) => m.modelName === name));
    });

    it('Refresh Models fetches the list again', async () => {
      const api = await runtrail();
      const before = api.models.snapshot!.fetchedAt;
      assert.equal(await vscode.commands.executeCommand('runtrail.refreshModels'), 'online');
      assert.ok(api.models.snapshot!.fetchedAt >= before);
    });
  });
}

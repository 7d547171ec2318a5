/**
 * The Runs view's filter, search, Open Run in Browser and the status bar's pending uploads, through the
 * commands a user runs (with their arguments instead of typing into the quick pick; the e2e suite types).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Outbox, memoryOutboxStorage } from '@runtrail/core/sync';
import type { RunsViewNode } from '../../src/model/hierarchy';
import { runtrail, tabLabels, until } from './helpers';

function runLabels(nodes: readonly RunsViewNode[]): string[] {
  return nodes.flatMap((n) => (n.kind === 'run' ? [n.label] : runLabels(n.children)));
}

/** Registers the views suite. */
export function viewsSuite(): void {
  describe('Runs view: filter, search, browser link, status bar', () => {
    let runs: { id: string; name: string }[] = [];
    before(async () => {
      const api = await runtrail();
      await until(() => api.history.state.kind === 'online', 'online');
      runs = await until(() => {
        const all = api.history.entries().flatMap((e) => e.runs);
        return all.some((r) => r.name === 'baseline') && all.some((r) => r.name === 'tuned') ? all.map((r) => ({ id: r.id, name: r.name })) : null;
      }, 'the seeded runs');
    });
    afterEach(async () => {
      await vscode.commands.executeCommand('runtrail.clearFilter');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('Filter Runs keeps the runs that match the expression, and Clear Filter shows all again', async () => {
      const api = await runtrail();
      const all = runLabels(api.runsTree.roots);
      assert.equal(await vscode.commands.executeCommand('runtrail.filterRuns', 'params.lr < 0.005'), 'params.lr < 0.005');
      const shown = runLabels(api.runsTree.roots);
      assert.ok(shown.includes('tuned'), `tuned (lr 0.001) is shown: ${shown.join(', ')}`);
      assert.ok(!shown.includes('baseline'), `baseline (lr 0.01) is hidden: ${shown.join(', ')}`);
      assert.match(api.runsTree.description, /^params\.lr < 0\.005 \(\d+ of \d+ runs\)$/);
      assert.equal(await vscode.commands.executeCommand('runtrail.clearFilter'), null);
      assert.deepEqual(runLabels(api.runsTree.roots), all);
      assert.equal(api.runsTree.description, '');
    });

    it('a filter that is not valid is refused and the current one stays', async () => {
      const api = await runtrail();
      await vscode.commands.executeCommand('runtrail.filterRuns', "params.optimizer = 'adam'");
      const before = runLabels(api.runsTree.roots);
      assert.equal(await vscode.commands.executeCommand('runtrail.filterRuns', 'metrics.loss >'), "params.optimizer = 'adam'");
      assert.equal(await vscode.commands.executeCommand('runtrail.filterRuns', 'adam'), "params.optimizer = 'adam'");
      assert.deepEqual(runLabels(api.runsTree.roots), before);
    });

    it('Search Runs with part of an id opens that run', async () => {
      const tuned = runs.find((r) => r.name === 'tuned')!;
      assert.equal(await vscode.commands.executeCommand('runtrail.searchRuns', tuned.id.slice(-12)), tuned.id);
      await until(() => tabLabels().includes('Run tuned'), 'the tab "Run tuned"');
    });

    it('Open Run in Browser opens <server>/r/<run-id>', async () => {
      const api = await runtrail();
      const baseline = runs.find((r) => r.name === 'baseline')!;
      const url = await vscode.commands.executeCommand('runtrail.openRunInBrowser', { kind: 'run', runId: baseline.id });
      assert.equal(url, `${api.settings.serverUrl().replace(/\/$/, '')}/r/${baseline.id}`);
    });

    it('the status bar shows captured writes waiting to upload until they are delivered', async () => {
      const api = await runtrail();
      assert.doesNotMatch(api.statusBar.view.text, /cloud-upload/);
      let n = 0;
      const outbox = new Outbox<string>(memoryOutboxStorage<string>(), () => `item-${n++}`);
      const tracking = api.statusBar.trackPendingUploads(outbox);
      try {
        await outbox.add('lane', 'a');
        await outbox.add('lane', 'b');
        assert.match(api.statusBar.view.text, /\$\(cloud-upload\) 2$/);
        assert.match(api.statusBar.view.tooltip, /2 captured writes waiting to upload/);
        await outbox.flush(async () => ({ kind: 'done' }));
        assert.doesNotMatch(api.statusBar.view.text, /cloud-upload/);
      } finally {
        tracking.dispose();
        tracking.dispose();
      }
      await outbox.add('lane', 'c');
      assert.doesNotMatch(api.statusBar.view.text, /cloud-upload/, 'an untracked outbox no longer counts');
    });
  });
}

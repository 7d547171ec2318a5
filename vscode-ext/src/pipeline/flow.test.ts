// The promote/demote flow with the real planner on a fixture notebook, a scripted user and files in a Map.
import { readFileSync } from 'node:fs';
import { readNotebookCells, type PlanFileSystem } from '@runtrail/core/pipeline';
import { describe, expect, it } from 'vitest';
import { demoteCell, promoteCell, stepNameError, type PromoteNotebook, type PromoteUi } from './flow';
import type { PreviewAction, PreviewView } from './preview';

const FIXTURE = new URL('../../../tests/fixtures/notebooks/customers.ipynb', import.meta.url);

function project(failWrite?: string) {
  const files = new Map<string, string>();
  const fs: PlanFileSystem = {
    read: async (path) => files.get(path) ?? null,
    write: async (path, content) => {
      if (path === failWrite) throw new Error(`no space left writing ${path}`);
      files.set(path, content);
    },
    remove: async (path) => void files.delete(path),
  };
  const tags: Array<{ index: number; add: string[] }> = [];
  const notebook: PromoteNotebook = {
    path: 'customers.ipynb',
    cells: readNotebookCells(readFileSync(FIXTURE, 'utf8')),
    applyCellTag: async (cellTag) => void tags.push({ index: cellTag.index, add: cellTag.add }),
  };
  return { files, fs, notebook, tags };
}

/** A user who answers the name box and the previews from two scripts, recording what was shown. */
function user(names: Array<string | undefined>, actions: Array<PreviewAction | undefined>) {
  const shown: PreviewView[] = [];
  const prefills: string[] = [];
  const ui: PromoteUi = {
    askName: async (prefill) => (prefills.push(prefill), names.shift()),
    choose: async (view) => (shown.push(view), actions.shift()),
  };
  return { ui, shown, prefills };
}

describe('promote flow', () => {
  it('prefills the default name, previews, then writes the module, pipeline.yaml and the tag', async () => {
    const p = project();
    const u = user(['lookup'], ['apply']);
    const outcome = await promoteCell(u.ui, p.fs, p.notebook, { index: 5 }, { snapshots: {} });
    expect(outcome).toEqual({ kind: 'written', step: 'lookup', update: false });
    expect(u.prefills).toEqual(['lookup']);
    expect(u.shown[0]!.title).toBe('runtrail: Promote cell 5 (id lookup) of customers.ipynb to step "lookup"');
    expect(u.shown[0]!.rows.map((r) => r.label)).toContain('$(arrow-left) weights: object');
    expect([...p.files.keys()]).toEqual(['pipeline/steps/lookup.py', 'pipeline.yaml']);
    expect(p.tags).toEqual([{ index: 5, add: ['runtrail-step:lookup'] }]);
  });

  it('writes nothing when the preview is cancelled or dismissed', async () => {
    for (const action of ['cancel', undefined] as const) {
      const p = project();
      expect(await promoteCell(user(['lookup'], [action]).ui, p.fs, p.notebook, { index: 5 }, { snapshots: {} })).toEqual({ kind: 'cancelled' });
      expect(p.files.size).toBe(0);
      expect(p.tags).toEqual([]);
    }
  });

  it('shows a refusal naming step and field, lets the user choose another name, then writes', async () => {
    const p = project();
    const u = user(['features', 'feature_table'], ['rename', 'apply']);
    const outcome = await promoteCell(u.ui, p.fs, p.notebook, { index: 7 }, { snapshots: {} });
    expect(u.shown[0]!.title).toBe('runtrail: nothing was written: step "features": name: the step function "features" would collide with an output of the same name; choose another name');
    expect(u.prefills).toEqual(['features', 'features']);
    expect(outcome).toEqual({ kind: 'written', step: 'feature_table', update: false });
  });

  it('adds the note about snapshots to the warnings when a data input stays unbound', async () => {
    const p = project();
    await promoteCell(user(['lookup'], ['apply']).ui, p.fs, p.notebook, { index: 5 }, { snapshots: {} });
    const u = user(['report'], ['cancel']);
    await promoteCell(u.ui, p.fs, p.notebook, { index: 9 }, { snapshots: {}, note: 'no captured run of experiment e1 yet' });
    expect(u.shown[0]!.rows.map((r) => r.label)).toContain('$(warning) no captured run of experiment e1 yet');
  });

  it('puts the files back and reports when writing fails', async () => {
    const p = project('pipeline.yaml');
    const u = user(['lookup'], ['apply', 'cancel']);
    const outcome = await promoteCell(u.ui, p.fs, p.notebook, { index: 5 }, { snapshots: {} });
    expect(outcome).toEqual({ kind: 'refused', message: 'cannot write the changes, nothing was changed: no space left writing pipeline.yaml' });
    expect(p.files.size).toBe(0);
    expect(p.tags).toEqual([]);
  });
});

describe('demote flow', () => {
  it('refuses a cell that is not a step, and demotes one that is', async () => {
    const p = project();
    const refused = user([], [undefined]);
    expect(await demoteCell(refused.ui, p.fs, p.notebook, { index: 5 })).toEqual({ kind: 'refused', message: 'pipeline.yaml: there is no pipeline.yaml: nothing to demote' });
    await promoteCell(user(['lookup'], ['apply']).ui, p.fs, p.notebook, { index: 5 }, { snapshots: {} });
    const u = user([], ['apply']);
    expect(await demoteCell(u.ui, p.fs, p.notebook, { index: 5 })).toEqual({ kind: 'demoted', step: 'lookup' });
    expect(u.shown[0]!.title).toBe('runtrail: Demote step "lookup" (cell 5 of customers.ipynb)');
    expect([...p.files.keys()]).toEqual(['pipeline.yaml']);
    expect(p.tags.at(-1)).toEqual({ index: 5, add: [] });
  });
});

describe('step name box', () => {
  it('says what is wrong with a name as it is typed', () => {
    expect(stepNameError('clean_data')).toBeUndefined();
    expect(stepNameError('Bad Name')).toMatch(/./);
  });
});

import { describe, expect, it } from 'vitest';
import { testExperiment, testRun } from '../test-data';
import { buildRunsView, childrenOf, folderOf, parentsOf, projectOf, type ProjectNode, type WorkspaceNode } from './hierarchy';

const NOW = 1_700_000_100_000;

const notebook = (id: string, path: string, startTime: number) => ({
  experiment: testExperiment(id, { kind: 'notebook', notebookPath: path }),
  runs: [testRun(`${id}-r`, { experimentId: id, startTime: 1_700_000_000_000 + startTime })],
});

describe('projectOf', () => {
  it('takes the folder of the notebook, either slash, and names it by its last segment', () => {
    expect(folderOf('notebooks/vision/train.ipynb')).toBe('notebooks/vision');
    expect(folderOf('C:\\work\\nb\\a.ipynb')).toBe('C:/work/nb');
    expect(folderOf('a.ipynb')).toBe('');
    expect(folderOf('/a.ipynb')).toBe('/');
    const p = projectOf(testExperiment('e', { kind: 'notebook', notebookPath: 'notebooks/vision/train.ipynb' }));
    expect(p).toMatchObject({ key: 'folder:notebooks/vision', label: 'vision', description: 'notebooks/vision' });
    expect(projectOf(testExperiment('e', { kind: 'notebook', notebookPath: 'train.ipynb' })).label).toBe('(top folder)');
  });

  it('uses a real server project over the folder, and groups named experiments together', () => {
    expect(projectOf(testExperiment('e', { projectId: 'proj-7', notebookPath: 'x/a.ipynb' })).key).toBe('project:proj-7');
    expect(projectOf(testExperiment('e')).key).toBe('named');
  });
});

describe('buildRunsView', () => {
  it('shows experiments at the top when they are all in one project (no level with a single row)', () => {
    const roots = buildRunsView([notebook('a', 'nb/a.ipynb', 10), notebook('b', 'nb/b.ipynb', 20)], NOW);
    expect(roots.map((n) => [n.kind, n.label])).toEqual([['experiment', 'b'], ['experiment', 'a']]);
  });

  it('groups experiments by project, most recently active project first, with counts', () => {
    const roots = buildRunsView(
      [notebook('a', 'vision/a.ipynb', 10), notebook('b', 'nlp/b.ipynb', 30), notebook('c', 'vision/c.ipynb', 20), { experiment: testExperiment('m'), runs: [] }],
      NOW,
    ) as ProjectNode[];
    expect(roots.map((n) => [n.kind, n.label])).toEqual([['project', 'nlp'], ['project', 'vision'], ['project', 'Named experiments']]);
    expect(roots[1]!.children.map((e) => e.label)).toEqual(['c', 'a']);
    expect(roots[1]!.description).toBe('2 experiments, 2 runs');
    expect(roots[1]).toMatchObject({ id: 'folder:vision', contextValue: 'project', icon: { id: 'folder' }, expanded: true });
  });

  it('leaves deleted experiments out of projects', () => {
    const gone = { experiment: testExperiment('g', { lifecycle: 'deleted', notebookPath: 'old/g.ipynb', kind: 'notebook' }), runs: [] };
    expect(buildRunsView([notebook('a', 'nb/a.ipynb', 10), gone], NOW).map((n) => n.label)).toEqual(['a']);
  });

  it('adds the workspace row only when the server reports a workspace', () => {
    const entries = [notebook('a', 'vision/a.ipynb', 10), notebook('b', 'nlp/b.ipynb', 30)];
    expect(buildRunsView(entries, NOW, null).every((n) => n.kind === 'project')).toBe(true);
    const [ws] = buildRunsView(entries, NOW, { id: 'w1', name: 'local' }) as WorkspaceNode[];
    expect(ws).toMatchObject({ kind: 'workspace', id: 'workspace:w1', label: 'local', description: '2 experiments', expanded: true });
    expect(ws!.children.map((n) => n.label)).toEqual(['nlp', 'vision']);
  });

  it('knows every row\'s parent, down to runs, for reveal', () => {
    const roots = buildRunsView([notebook('a', 'vision/a.ipynb', 10), notebook('b', 'nlp/b.ipynb', 30)], NOW, { id: 'w', name: 'local' });
    const parents = parentsOf(roots);
    expect(parents.get('run:a-r')?.id).toBe('experiment:a');
    expect(parents.get('experiment:a')?.id).toBe('folder:vision');
    expect(parents.get('folder:vision')?.id).toBe('workspace:w');
    expect(parents.has('workspace:w')).toBe(false);
    expect(childrenOf(roots[0]!).length).toBe(2);
  });
});

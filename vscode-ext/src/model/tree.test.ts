import { describe, expect, it } from 'vitest';
import { testExperiment, testMetric, testRun } from '../test-data';
import { buildRunsTree, runDescription, runLabel, runNode, runStatusIcon, runTooltip } from './tree';

const NOW = 1_700_000_100_000;

describe('buildRunsTree', () => {
  it('lists experiments by latest activity and their runs newest first', () => {
    const old = { experiment: testExperiment('old', { createdAt: 1 }), runs: [testRun('a', { startTime: 10 })] };
    const busy = {
      experiment: testExperiment('busy', { createdAt: 1 }),
      runs: [testRun('b', { startTime: 20 }), testRun('c', { startTime: 30 })],
    };
    const tree = buildRunsTree([old, busy], NOW);
    expect(tree.map((n) => n.label)).toEqual(['busy', 'old']);
    expect(tree[0]!.children.map((n) => n.runId)).toEqual(['c', 'b']);
    expect(tree[0]!.description).toBe('2 runs');
    expect(tree[1]!.description).toBe('1 run');
  });

  it('gives stable ids, context values for menus and experiment icons by kind', () => {
    const [node] = buildRunsTree(
      [{ experiment: testExperiment('e', { kind: 'notebook', notebookPath: 'a.ipynb' }), runs: [testRun('r')] }],
      NOW,
    );
    expect(node).toMatchObject({ id: 'experiment:e', contextValue: 'experiment', icon: { id: 'notebook' } });
    expect(node!.tooltip).toContain('notebook a.ipynb');
    expect(node!.children[0]).toMatchObject({ id: 'run:r', runId: 'r', experimentId: 'exp-1', contextValue: 'run' });
  });

  it('counts running runs and leaves deleted experiments out', () => {
    const tree = buildRunsTree(
      [
        { experiment: testExperiment('live'), runs: [testRun('r1', { status: 'running', endTime: null }), testRun('r2')] },
        { experiment: testExperiment('gone', { lifecycle: 'deleted' }), runs: [] },
      ],
      NOW,
    );
    expect(tree.map((n) => n.label)).toEqual(['live']);
    expect(tree[0]!.description).toBe('2 runs, 1 running');
  });

  it('expands every experiment when there are few, else only the most recent', () => {
    const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ experiment: testExperiment(`e${i}`, { createdAt: i }), runs: [] }));
    expect(buildRunsTree(entries(5), NOW).every((n) => n.expanded)).toBe(true);
    expect(buildRunsTree(entries(6), NOW).map((n) => n.expanded)).toEqual([true, false, false, false, false, false]);
  });
});

describe('run nodes', () => {
  it('labels unnamed runs by their short id', () => {
    expect(runLabel(testRun('01a208b2-0910-7254-a383-b54e20c7399f', { name: '  ' }))).toBe('run 20c7399f');
    expect(runLabel(testRun('x', { name: 'baseline' }))).toBe('baseline');
  });

  it('describes a run by its first two metrics and its duration', () => {
    const run = testRun('r', { metrics: [testMetric('loss', 0.123456), testMetric('acc', 0.9), testMetric('zeta', 1)] });
    expect(runDescription(run, NOW)).toBe('acc=0.9 · loss=0.1235 · 42 s');
    expect(runDescription(testRun('r', { status: 'running', endTime: null, startTime: NOW - 65_000 }), NOW)).toBe('running 1m 05s');
  });

  it('shows status with a themed codicon', () => {
    expect(runStatusIcon('running')).toEqual({ id: 'sync~spin', color: 'charts.blue' });
    expect(runStatusIcon('finished').id).toBe('pass');
    expect(runStatusIcon('failed')).toEqual({ id: 'error', color: 'testing.iconFailed' });
    expect(runStatusIcon('killed').id).toBe('circle-slash');
    expect(runNode(testRun('r', { status: 'failed' }), NOW).icon.id).toBe('error');
  });

  it('lists params and metrics in the tooltip, capped', () => {
    const params = Array.from({ length: 14 }, (_, i) => ({ key: `p${String(i).padStart(2, '0')}`, value: i, origin: 'explicit' as const }));
    const tooltip = runTooltip(testRun('r', { params, metrics: [testMetric('loss', 0.5, 3)] }), NOW);
    expect(tooltip).toContain('p00 = 0');
    expect(tooltip).toContain('… and 2 more');
    expect(tooltip).toContain('loss = 0.5 (step 2)');
    expect(tooltip).not.toContain('p13');
  });
});

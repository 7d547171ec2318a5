import { describe, expect, it, vi } from 'vitest';
import type { HostToView } from '@runtrail/ui/messages';
import { RuntrailApiError } from '@runtrail/core/client';
import { createExperimentDoc, createRun, getRunMap, readRun } from '@runtrail/core/sync';
import type { RunWithCells, SeriesPoint } from '../history/history';
import { testMetric, testRun } from '../test-data';
import { PanelController, autoChartKeys, panelTitle, type PanelHost } from './controller';
import { compareSubject, runSubject } from './subject';

const flush = () => new Promise((r) => setTimeout(r, 0));

function fakeHost(runs: Record<string, RunWithCells>, series: (runId: string, key: string) => Promise<SeriesPoint[]>) {
  const posted: HostToView[] = [];
  const calls: string[] = [];
  const host: PanelHost & { title: string } = {
    title: '',
    post: (m) => void posted.push(m),
    setTitle(title) {
      this.title = title;
    },
    findRun: (id) => runs[id] ?? null,
    metricSeries: (runId, key) => {
      calls.push(`${runId}/${key}`);
      return series(runId, key);
    },
    openRun: (id) => void calls.push(`open ${id}`),
    compare: (ids) => void calls.push(`compare ${ids.join(',')}`),
    copyRunId: (id) => void calls.push(`copy ${id}`),
    editRun: () => false,
    log: (line) => void calls.push(`log ${line}`),
  };
  return { host, posted, calls };
}

const withCells = (run: ReturnType<typeof testRun>): RunWithCells => ({ run, executions: [] });

describe('PanelController', () => {
  const a = testRun('a', { name: 'baseline', params: [{ key: 'lr', value: 0.01, origin: 'explicit' }], metrics: [testMetric('loss', 0.4, 5)] });
  const b = testRun('b', { name: 'tuned', params: [{ key: 'lr', value: 0.001, origin: 'explicit' }], metrics: [testMetric('loss', 0.2, 5)] });

  it('sends nothing before ready, then the run, then its charts', async () => {
    const { host, posted, calls } = fakeHost({ a: withCells(a) }, async () => [{ step: 0, value: 1 }]);
    const panel = new PanelController(runSubject('a'), host);
    panel.refresh();
    expect(posted).toEqual([]);
    expect(host.title).toBe('Run baseline');
    panel.handle({ type: 'ready' });
    expect(posted[0]).toMatchObject({ type: 'show-run', run: { id: 'a' }, series: {} });
    await flush();
    expect(calls).toContain('a/loss');
    expect(posted.at(-1)).toMatchObject({ type: 'show-run', series: { loss: [{ step: 0, value: 1 }] } });
  });

  it('re-sends only when the content changed, keeping loaded series', async () => {
    const runs = { a: withCells(a) };
    const { host, posted } = fakeHost(runs, async () => [{ step: 0, value: 1 }]);
    const panel = new PanelController(runSubject('a'), host);
    panel.handle({ type: 'ready' });
    await flush();
    const count = posted.length;
    panel.refresh();
    expect(posted).toHaveLength(count);
    runs.a = withCells({ ...a, note: 'changed' });
    panel.refresh();
    expect(posted).toHaveLength(count + 1);
    expect(posted.at(-1)).toMatchObject({ run: { note: 'changed' }, series: { loss: [{ step: 0, value: 1 }] } });
  });

  it('compares two runs as a diff and says which are missing', () => {
    const { host, posted } = fakeHost({ a: withCells(a), b: withCells(b) }, async () => []);
    new PanelController(compareSubject(['a', 'b']), host).handle({ type: 'ready' });
    const message = posted[0] as Extract<HostToView, { type: 'show-compare' }>;
    expect(message.diff?.params.find((p) => p.key === 'lr')?.status).toBe('changed');
    expect(message.runNames).toEqual({ a: 'baseline', b: 'tuned' });
    expect(host.title).toBe('Compare baseline ↔ tuned');

    const missing = fakeHost({ a: withCells(a) }, async () => []);
    new PanelController(compareSubject(['a', 'zz']), missing.host).handle({ type: 'ready' });
    expect(missing.posted[0]).toMatchObject({ type: 'error' });
    expect((missing.posted[0] as { message: string }).message).toContain('zz');
  });

  it('compares 3+ runs as a table', () => {
    const c = testRun('c', { name: 'third' });
    const { host, posted } = fakeHost({ a: withCells(a), b: withCells(b), c: withCells(c) }, async () => []);
    new PanelController(compareSubject(['a', 'b', 'c']), host).handle({ type: 'ready' });
    expect(posted[0]).toMatchObject({ type: 'show-compare', table: { runIds: ['a', 'b', 'c'] } });
    expect(host.title).toBe('Compare baseline ↔ tuned (+1)');
  });

  it('routes view requests to the host and ignores malformed messages', () => {
    const { host, calls } = fakeHost({ a: withCells(a) }, async () => []);
    const panel = new PanelController(runSubject('a'), host);
    panel.handle({ type: 'open-run', runId: 'b' });
    panel.handle({ type: 'compare', runIds: ['a', 'b'] });
    panel.handle({ type: 'copy-run-id', runId: 'a' });
    panel.handle({ type: 'compare', runIds: ['a'] });
    panel.handle({ type: 'nope' });
    panel.handle('ready');
    expect(calls.slice(0, 3)).toEqual(['open b', 'compare a,b', 'copy a']);
    expect(calls.filter((c) => c.startsWith('log webview: ignored'))).toHaveLength(3);
  });

  it('reports a series that cannot load and charts again once the server answers', async () => {
    let up = false;
    const series = vi.fn(async () => {
      if (!up) throw new RuntrailApiError(0, 'UNREACHABLE', 'cannot reach', '');
      return [{ step: 0, value: 2 }];
    });
    const { host, posted } = fakeHost({ a: withCells(a) }, series);
    const panel = new PanelController(runSubject('a'), host);
    panel.handle({ type: 'ready' });
    await flush();
    expect(posted.at(-1)).toMatchObject({ type: 'error' });
    up = true;
    panel.refresh();
    await flush();
    expect(posted.at(-1)).toMatchObject({ type: 'show-run', series: { loss: [{ step: 0, value: 2 }] } });
  });

  it('drops late results after dispose', async () => {
    let resolve: (points: SeriesPoint[]) => void = () => {};
    const { host, posted } = fakeHost({ a: withCells(a) }, () => new Promise((r) => (resolve = r)));
    const panel = new PanelController(runSubject('a'), host);
    panel.handle({ type: 'ready' });
    const count = posted.length;
    panel.dispose();
    panel.dispose();
    resolve([{ step: 0, value: 1 }]);
    await flush();
    panel.handle({ type: 'ready' });
    expect(posted).toHaveLength(count);
  });
});

describe('autoChartKeys and panelTitle', () => {
  it('charts metrics with at least two points, by key, capped', () => {
    const run = testRun('r', { metrics: [testMetric('z', 1, 5), testMetric('single', 1, 1), testMetric('a', 1, 2)] });
    expect(autoChartKeys(run)).toEqual(['a', 'z']);
    expect(autoChartKeys(run, 1)).toEqual(['a']);
  });

  it('names unknown runs by id', () => {
    expect(panelTitle(runSubject('0123456789abcdef'), [null])).toBe('Run 89abcdef');
  });
});

describe('PanelController edits', () => {
  /** A host over one real experiment doc, as RunHistory holds it. */
  function docHost() {
    const doc = createExperimentDoc();
    createRun(doc, { id: 'r1', experimentId: 'e1', name: 'r', startTime: 1, source: { kind: 'script', path: 'x.py' }, parentRunId: null, environment: null });
    const { host, posted, calls } = fakeHost({}, async () => []);
    host.findRun = (id) => {
      const map = getRunMap(doc, id);
      return map ? { run: readRun(map), executions: [] } : null;
    };
    host.editRun = (id, apply) => {
      if (!getRunMap(doc, id)) return false;
      apply(doc);
      return true;
    };
    const panel = new PanelController(runSubject('r1'), host);
    panel.handle({ type: 'ready' });
    return { doc, panel, posted, calls, run: () => readRun(getRunMap(doc, 'r1')!) };
  }

  it('applies note and tag edits from the view to the experiment doc', () => {
    const { panel, run } = docHost();
    panel.handle({ type: 'edit-note', runId: 'r1', previousText: '', nextText: 'first try' });
    panel.handle({ type: 'edit-note', runId: 'r1', previousText: 'first try', nextText: 'first good try' });
    panel.handle({ type: 'set-tag', runId: 'r1', key: 'stage', value: 'review' });
    expect(run().note).toBe('first good try');
    expect(run().tags).toEqual([{ key: 'stage', value: 'review' }]);
    panel.handle({ type: 'delete-tag', runId: 'r1', key: 'stage' });
    expect(run().tags).toEqual([]);
  });

  it('answers a refused edit with an error naming the rule, and changes nothing', () => {
    const { panel, posted, calls, run } = docHost();
    panel.handle({ type: 'set-tag', runId: 'r1', key: 'bad*key', value: 'v' });
    expect(posted.at(-1)).toMatchObject({ type: 'error', message: expect.stringMatching(/^tag key: may contain only/) });
    // An edit of a run this panel does not show (a confused or stale view) is logged and ignored.
    const sent = posted.length;
    panel.handle({ type: 'edit-note', runId: 'other', previousText: '', nextText: 'x' });
    expect(posted).toHaveLength(sent);
    expect(calls.at(-1)).toBe('log webview: ignored an edit of run other, which this panel does not show');
    expect(run().tags).toEqual([]);
    expect(run().note).toBe('');
  });

  it('says so when the run it shows is not in the history (yet)', () => {
    const { host, posted } = fakeHost({}, async () => []);
    const panel = new PanelController(runSubject('r2'), host);
    panel.handle({ type: 'edit-note', runId: 'r2', previousText: '', nextText: 'x' });
    expect(posted.at(-1)).toEqual({ type: 'error', message: 'Run r2 is not in the history, so it cannot be edited.' });
  });

  it('redacts secret tag values', () => {
    const { panel, run } = docHost();
    panel.handle({ type: 'set-tag', runId: 'r1', key: 'db_password', value: 'hunter2' });
    expect(run().tags).toEqual([{ key: 'db_password', value: '[redacted]' }]);
  });
});

import { describe, expect, it } from 'vitest';
import { RUNTRAIL_EVENTS } from './components/events';
import { connectViewToHost, messageFromEvent, withRunSeries, withSeries } from './host-bridge';
import { parseViewToHost, type ViewToHost } from './messages';

describe('messageFromEvent', () => {
  it('maps every component event to a valid ViewToHost message', () => {
    const details = {
      'rt-open-run': { runId: 'r1' },
      'rt-selection-change': { runIds: ['r1'] },
      'rt-compare': { runIds: ['r1', 'r2'] },
      'rt-request-series': { runId: 'r1', key: 'loss' },
      'rt-copy-run-id': { runId: 'r1' },
      'rt-columns-change': { columns: ['started'] },
      'rt-refresh': {},
      'rt-edit-note': { runId: 'r1', previousText: 'a', nextText: 'ab' },
      'rt-set-tag': { runId: 'r1', key: 'stage', value: 'review' },
      'rt-delete-tag': { runId: 'r1', key: 'stage' },
    } as const;
    expect(Object.keys(details).sort()).toEqual([...RUNTRAIL_EVENTS].sort());
    for (const type of RUNTRAIL_EVENTS) {
      const message = messageFromEvent(type, details[type] as never);
      expect(parseViewToHost(message)).toEqual({ ok: true, message });
    }
    expect(messageFromEvent('rt-compare', { runIds: ['a', 'b'] })).toEqual({ type: 'compare', runIds: ['a', 'b'] });
  });
});

describe('connectViewToHost', () => {
  it('forwards events until disconnected; disconnecting twice is harmless', () => {
    const root = new EventTarget();
    const posted: ViewToHost[] = [];
    const disconnect = connectViewToHost(root, (m) => posted.push(m));
    root.dispatchEvent(new CustomEvent('rt-open-run', { detail: { runId: 'r1' } }));
    root.dispatchEvent(new CustomEvent('unrelated', { detail: {} }));
    disconnect();
    disconnect();
    root.dispatchEvent(new CustomEvent('rt-open-run', { detail: { runId: 'r2' } }));
    expect(posted).toEqual([{ type: 'open-run', runId: 'r1' }]);
  });
});

describe('series merging', () => {
  it('returns new objects so views see the change', () => {
    const current = { loss: [{ step: 0, value: 1 }] };
    const next = withSeries(current, 'acc', [{ step: 0, value: 0.5 }]);
    expect(next).not.toBe(current);
    expect(Object.keys(next)).toEqual(['loss', 'acc']);
    const byRun = withRunSeries({ r1: current }, 'r2', 'loss', []);
    expect(byRun).toEqual({ r1: current, r2: { loss: [] } });
  });
});

import { describe, expect, it } from 'vitest';
import { diffMany, diffRuns } from '@runtrail/core/diff';
import { execution, metrics, params, run } from './test-data';
import { HOST_TO_VIEW_TYPES, VIEW_TO_HOST_TYPES, parseHostToView, parseViewToHost } from './messages';

const a = run('ra', { params: params({ lr: 0.1 }), metrics: metrics({ acc: 0.8 }) });
const b = run('rb', { params: params({ lr: 0.2 }), metrics: metrics({ acc: 0.9 }) });

function ok<T>(result: { ok: true; message: T } | { ok: false; error: string }): T {
  if (!result.ok) throw new Error(result.error);
  return result.message;
}

describe('parseHostToView', () => {
  it('accepts every kind of valid message', () => {
    expect(ok(parseHostToView({ type: 'show-runs', runs: [a, b] }))).toMatchObject({ type: 'show-runs', runs: [{ id: 'ra' }, { id: 'rb' }] });
    const showRun = ok(parseHostToView({ type: 'show-run', run: a, executions: [execution('e1', 'c1', 'x = 1')], series: { acc: [{ step: 0, value: 0.5 }] } }));
    expect(showRun).toMatchObject({ type: 'show-run', executions: [{ id: 'e1' }], series: { acc: [{ step: 0, value: 0.5 }] } });
    const diff = diffRuns({ run: a, executions: [] }, { run: b, executions: [] });
    expect(ok(parseHostToView({ type: 'show-compare', diff }))).toMatchObject({ type: 'show-compare', diff: { a: { id: 'ra' } }, runNames: {}, series: {} });
    expect(ok(parseHostToView({ type: 'show-compare', table: diffMany([a, b]), runNames: { ra: 'A' } }))).toMatchObject({ table: { runIds: ['ra', 'rb'] } });
    expect(ok(parseHostToView({ type: 'series', runId: 'ra', key: 'acc', points: [{ step: 1, value: 2 }] }))).toMatchObject({ type: 'series' });
    expect(ok(parseHostToView({ type: 'theme-changed', kind: 'dark' }))).toEqual({ type: 'theme-changed', kind: 'dark' });
    expect(ok(parseHostToView({ type: 'error', message: 'backend unreachable' }))).toEqual({ type: 'error', message: 'backend unreachable' });
  });
  it('fills defaults so views need no checks', () => {
    expect(ok(parseHostToView({ type: 'show-run', run: a }))).toMatchObject({ executions: [], series: {} });
  });
  it('rejects non-objects and unknown types with a clear error', () => {
    expect(parseHostToView('show-runs')).toEqual({ ok: false, error: 'host-to-view: expected an object with a "type", got string' });
    expect(parseHostToView(null)).toMatchObject({ ok: false, error: expect.stringContaining('got null') });
    expect(parseHostToView([])).toMatchObject({ ok: false, error: expect.stringContaining('got an array') });
    const unknown = parseHostToView({ type: 'show-everything' });
    expect(unknown).toMatchObject({ ok: false, error: expect.stringContaining('unknown type "show-everything"') });
    expect(!unknown.ok && unknown.error).toContain('show-runs, show-run, show-compare');
  });
  it('names the field and the rule of an invalid message', () => {
    const bad = parseHostToView({ type: 'show-runs', runs: [{ ...a, status: 'exploded' }] });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/^host-to-view "show-runs": runs\.0\.status: /);
    const badRun = parseHostToView({ type: 'show-run' });
    expect(!badRun.ok && badRun.error).toContain('run:');
    const badPoints = parseHostToView({ type: 'series', runId: 'ra', key: 'acc', points: [{ step: -1, value: 'x' }] });
    expect(!badPoints.ok && badPoints.error).toMatch(/points\.0\.step.*points\.0\.value/);
  });
  it('requires exactly one of diff or table in show-compare', () => {
    const neither = parseHostToView({ type: 'show-compare' });
    expect(!neither.ok && neither.error).toContain('exactly one of `diff`');
    const diff = diffRuns({ run: a, executions: [] }, { run: b, executions: [] });
    expect(parseHostToView({ type: 'show-compare', diff, table: diffMany([a, b]) }).ok).toBe(false);
  });
  it('caps the number of issues reported', () => {
    const bad = parseHostToView({ type: 'show-runs', runs: Array.from({ length: 8 }, () => ({})) });
    expect(!bad.ok && bad.error).toMatch(/and \d+ more\)$/);
  });
});

describe('parseViewToHost', () => {
  it('accepts every kind of valid message', () => {
    const messages = [
      { type: 'ready' },
      { type: 'open-run', runId: 'ra' },
      { type: 'compare', runIds: ['ra', 'rb'] },
      { type: 'selection-change', runIds: [] },
      { type: 'columns-change', columns: ['started', 'metrics.acc'] },
      { type: 'request-series', runId: 'ra', key: 'val/acc' },
      { type: 'refresh' },
      { type: 'copy-run-id', runId: 'ra' },
      { type: 'edit-note', runId: 'ra', previousText: 'baseline', nextText: 'baseline, tuned' },
      { type: 'set-tag', runId: 'ra', key: 'stage', value: 'review' },
      { type: 'delete-tag', runId: 'ra', key: 'stage' },
    ];
    expect(messages.map((m) => m.type).sort()).toEqual([...VIEW_TO_HOST_TYPES].sort());
    for (const m of messages) expect(ok(parseViewToHost(m))).toEqual(m);
  });
  it('rejects invalid messages with the field and rule', () => {
    expect(parseViewToHost({ type: 'compare', runIds: ['ra'] })).toEqual({ ok: false, error: 'view-to-host "compare": runIds: compare needs at least 2 runs' });
    const badId = parseViewToHost({ type: 'open-run', runId: '../etc/passwd' });
    expect(!badId.ok && badId.error).toMatch(/^view-to-host "open-run": runId: must be 1-64 characters/);
    const badKey = parseViewToHost({ type: 'request-series', runId: 'ra', key: '' });
    expect(!badKey.ok && badKey.error).toContain('key: must not be empty');
    expect(parseViewToHost({ type: 'open-run' }).ok).toBe(false);
    expect(parseViewToHost({ type: 'show-runs', runs: [] })).toMatchObject({ ok: false, error: expect.stringContaining('unknown type') });
    expect(parseViewToHost(42)).toMatchObject({ ok: false });
    const longNote = parseViewToHost({ type: 'edit-note', runId: 'ra', previousText: '', nextText: 'x'.repeat(100_001) });
    expect(!longNote.ok && longNote.error).toBe('view-to-host "edit-note": nextText: a note must be at most 100000 characters');
    expect(parseViewToHost({ type: 'set-tag', runId: 'ra', key: 'k' }).ok).toBe(false);
    const badDelete = parseViewToHost({ type: 'delete-tag', runId: 'ra', key: 'a*b' });
    expect(!badDelete.ok && badDelete.error).toMatch(/^view-to-host "delete-tag": key: may contain only/);
  });
  it('lists the types of both directions', () => {
    expect(HOST_TO_VIEW_TYPES).toEqual(['show-runs', 'show-run', 'show-compare', 'series', 'theme-changed', 'error']);
  });
});

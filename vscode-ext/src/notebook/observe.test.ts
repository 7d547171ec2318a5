import { describe, expect, it } from 'vitest';
import { captureLevelOf, captureLevelView } from './level';
import { describeServerError, parseJupyterUrl } from './jupyter';
import { deltaExpressions, helperMissing, readDelta } from './helper';
import { captureCellId, finishedExecutionKey, kernelRestartedBetween, observeExecution, type FinishedCell } from './observe';

const finished = (extra: Partial<FinishedCell>): FinishedCell => ({
  cellId: 'c1', index: 0, source: 'x = 1', tags: [], executionCount: 1, success: true, startedAt: 1000, endedAt: 1250, outputs: [], ...extra,
});

describe('observeExecution', () => {
  it('turns a finished cell into what core/capture records', () => {
    expect(observeExecution(finished({ tags: ['parameters'], outputs: [{ output_type: 'stream', name: 'stdout', text: 'hi' }] }))).toEqual({
      cellId: 'c1', executionCount: 1, source: 'x = 1', startedAt: 1000, durationMs: 250, status: 'ok', error: null,
      outputs: [{ outputType: 'stream', mimeTypes: ['text/stdout'], text: 'hi', truncated: false }], outputBlobs: [null], isParametersCell: true,
    });
  });

  it('is an error with the exception when the cell raised, aborted when it never answered', () => {
    const failed = observeExecution(finished({ success: false, outputs: [{ output_type: 'error', ename: 'ValueError', evalue: 'boom', traceback: ['t'] }] }));
    expect(failed.status).toBe('error');
    expect(failed.error).toMatchObject({ ename: 'ValueError', evalue: 'boom' });
    expect(observeExecution(finished({ success: null })).status).toBe('aborted');
    expect(observeExecution(finished({ endedAt: 500 })).durationMs).toBe(0);
  });

  it('uses the position of a cell without an nbformat id', () => {
    expect(captureCellId(null, 2)).toBe('cell-3');
    expect(captureCellId('x'.repeat(300), 0)).toHaveLength(255);
  });

  it('infers a restart of another controller\'s kernel from the execution order going back to 1', () => {
    expect(kernelRestartedBetween(null, 1)).toBe(false);
    expect(kernelRestartedBetween(5, 6)).toBe(false);
    expect(kernelRestartedBetween(5, 1)).toBe(true);
    expect(kernelRestartedBetween(5, null)).toBe(false);
  });
});

describe('finishedExecutionKey', () => {
  it('names a finished execution by order and start time, whatever its end time, and nothing unfinished', () => {
    expect(finishedExecutionKey(undefined)).toBeNull();
    expect(finishedExecutionKey({ executionOrder: 3 })).toBeNull();
    expect(finishedExecutionKey({ executionOrder: 3, timing: { startTime: 10, endTime: 20 } })).toBeNull();
    const key = finishedExecutionKey({ executionOrder: 3, success: true, timing: { startTime: 10, endTime: 20 } });
    expect(key).toBe(finishedExecutionKey({ executionOrder: 3, success: true, timing: { startTime: 10, endTime: 25 } }));
    expect(key).not.toBe(finishedExecutionKey({ executionOrder: 3, success: true, timing: { startTime: 30, endTime: 40 } }));
  });
});

describe('the kernel delta on an execute reply', () => {
  it('asks for a delta only when capture wants one', () => {
    expect(deltaExpressions(null)).toEqual({});
    expect(deltaExpressions({ v: 1, environment: false, snapshotMaxBytes: 10, notebookDir: '/n' }).runtrail).toContain("__import__('runtrail')._delta(");
  });

  it('reads a valid delta, reports a missing helper and an invalid answer', () => {
    const delta = { v: 1, seq: 1, cells: [], metrics: [], snapshots: [] };
    expect(readDelta({ user_expressions: { runtrail: { status: 'ok', data: { 'application/json': delta } } } }).delta).toMatchObject({ seq: 1 });
    expect(readDelta({ status: 'error' })).toEqual({ delta: null, problem: null });
    const missing = readDelta({ user_expressions: { runtrail: { status: 'error', ename: 'ModuleNotFoundError', evalue: "No module named 'runtrail'" } } });
    expect(helperMissing(missing.problem)).toBe(true);
    expect(helperMissing('ValueError: x')).toBe(false);
    expect(readDelta({ user_expressions: { runtrail: { status: 'ok', data: { 'application/json': { v: 2 } } } } }).problem).toMatch(/unexpected delta/);
  });
});

describe('Jupyter server settings', () => {
  it('accepts http(s) URLs and names the setting when a value is wrong', () => {
    expect(parseJupyterUrl(' http://127.0.0.1:8888/ ')).toBe('http://127.0.0.1:8888');
    expect(parseJupyterUrl('https://hub.example/user/me/')).toBe('https://hub.example/user/me');
    expect(() => parseJupyterUrl('localhost:8888')).toThrow(/runtrail\.jupyterServerUrl: "localhost:8888" must start with http/);
    expect(() => parseJupyterUrl('')).toThrow(/runtrail\.jupyterServerUrl: "" is not a URL/);
  });

  it('explains an unreachable server and a refused token', () => {
    expect(describeServerError('http://h:1', new TypeError('fetch failed'))).toMatch(/cannot reach the Jupyter server at http:\/\/h:1/);
    expect(describeServerError('http://h:1', Object.assign(new Error('Forbidden'), { response: { status: 403 } }))).toMatch(/refused the token/);
  });
});

describe('capture level', () => {
  it('is full on the runtrail controller, basic on any other, off when switched off', () => {
    expect(captureLevelOf({ captureEnabled: true, runtrailSelected: true })).toBe('full');
    expect(captureLevelOf({ captureEnabled: true, runtrailSelected: false })).toBe('basic');
    expect(captureLevelOf({ captureEnabled: false, runtrailSelected: true })).toBe('off');
    expect(captureLevelView('basic').tooltip).toContain('runtrail (Jupyter server)');
    expect(captureLevelView('full').text).toContain('full capture');
  });
});

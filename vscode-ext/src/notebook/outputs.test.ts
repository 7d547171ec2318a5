import { describe, expect, it } from 'vitest';
import { summarizeOutputs } from '@runtrail/core/capture';
import { CellOutputs, type IopubMessage } from './outputs';

const msg = (msg_type: string, content: unknown): IopubMessage => ({ header: { msg_type }, content });

describe('CellOutputs', () => {
  it('merges consecutive chunks of one stream and keeps stdout and stderr apart', () => {
    const outputs = new CellOutputs();
    outputs.apply(msg('stream', { name: 'stdout', text: 'a' }));
    outputs.apply(msg('stream', { name: 'stdout', text: 'b\n' }));
    outputs.apply(msg('stream', { name: 'stderr', text: 'warn\n' }));
    outputs.apply(msg('stream', { name: 'stdout', text: 'c' }));
    expect(outputs.list).toEqual([
      { output_type: 'stream', name: 'stdout', text: 'ab\n' },
      { output_type: 'stream', name: 'stderr', text: 'warn\n' },
      { output_type: 'stream', name: 'stdout', text: 'c' },
    ]);
  });

  it('keeps results, displays and errors in order; ignores status and input messages', () => {
    const outputs = new CellOutputs();
    expect(outputs.apply(msg('status', { execution_state: 'busy' }))).toBe(false);
    expect(outputs.apply(msg('execute_input', { code: 'x' }))).toBe(false);
    outputs.apply(msg('display_data', { data: { 'image/png': 'AAAA' }, metadata: {} }));
    outputs.apply(msg('execute_result', { data: { 'text/plain': '42' }, metadata: {}, execution_count: 3 }));
    outputs.apply(msg('error', { ename: 'ValueError', evalue: 'boom', traceback: ['line 1', 'line 2'] }));
    expect(outputs.list.map((o) => o.output_type)).toEqual(['display_data', 'execute_result', 'error']);
    expect(outputs.list[1]).toMatchObject({ execution_count: 3 });
    expect(outputs.list[2]).toEqual({ output_type: 'error', ename: 'ValueError', evalue: 'boom', traceback: ['line 1', 'line 2'] });
  });

  it('clear_output clears now, or at the next output when it says wait (progress bars)', () => {
    const outputs = new CellOutputs();
    outputs.apply(msg('stream', { name: 'stdout', text: '10%' }));
    expect(outputs.apply(msg('clear_output', { wait: true }))).toBe(false);
    expect(outputs.list).toHaveLength(1);
    outputs.apply(msg('stream', { name: 'stdout', text: '20%' }));
    expect(outputs.list).toEqual([{ output_type: 'stream', name: 'stdout', text: '20%' }]);
    expect(outputs.apply(msg('clear_output', { wait: false }))).toBe(true);
    expect(outputs.list).toEqual([]);
  });

  it('hands out copies, so a list kept by the caller does not change', () => {
    const outputs = new CellOutputs();
    outputs.apply(msg('stream', { name: 'stdout', text: 'a' }));
    const kept = outputs.list;
    outputs.apply(msg('stream', { name: 'stdout', text: 'b' }));
    expect(kept).toEqual([{ output_type: 'stream', name: 'stdout', text: 'a' }]);
  });
});

describe("core's summarizeOutputs on the outputs built here", () => {
  it('records mime types and a truncated text inline; the long text whole as a blob', () => {
    const long = 'x'.repeat(5000);
    const { summaries: summary, blobs } = summarizeOutputs([
      { output_type: 'stream', name: 'stderr', text: long },
      { output_type: 'execute_result', data: { 'text/plain': ['4', '2'], 'text/html': '<b>42</b>' }, metadata: {}, execution_count: 1 },
      { output_type: 'error', ename: 'KeyError', evalue: "'k'", traceback: [] },
    ]);
    expect(summary[0]).toEqual({ outputType: 'stream', mimeTypes: ['text/stderr'], text: 'x'.repeat(4096), truncated: true });
    expect(summary[1]).toEqual({ outputType: 'execute_result', mimeTypes: ['text/plain', 'text/html'], text: '42', truncated: false });
    expect(summary[2]).toMatchObject({ outputType: 'error', text: "KeyError: 'k'" });
    expect(blobs.map((b) => b?.bytes.length ?? null)).toEqual([5000, null, null]);
  });
});

import { describe, expect, it } from 'vitest';
import { ERROR_MIME, STDERR_MIME, STDOUT_MIME, cellTags, fromCellOutput, nbformatCellId, toCellOutput } from './cell-items';
import type { JupyterOutput } from './outputs';

const text = (data: Uint8Array) => new TextDecoder().decode(data);

describe('nbformat outputs <-> VS Code output items', () => {
  it('writes streams and errors with the mimes VS Code renders', () => {
    const stderr = toCellOutput({ output_type: 'stream', name: 'stderr', text: 'careful\n' });
    expect(stderr.items.map((i) => [i.mime, text(i.data)])).toEqual([[STDERR_MIME, 'careful\n']]);
    const error = toCellOutput({ output_type: 'error', ename: 'ValueError', evalue: 'boom', traceback: ['a', 'b'] });
    expect(error.items[0]!.mime).toBe(ERROR_MIME);
    expect(JSON.parse(text(error.items[0]!.data))).toEqual({ name: 'ValueError', message: 'boom', stack: 'a\nb' });
  });

  it('decodes base64 images to bytes, keeps JSON as JSON and joins text lists', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    const out = toCellOutput({
      output_type: 'execute_result',
      data: { 'image/png': png.toString('base64'), 'application/json': { a: 1 }, 'text/plain': ['4', '2'] },
      metadata: { isolated: true },
      execution_count: 7,
    });
    const items = Object.fromEntries(out.items.map((i) => [i.mime, i.data]));
    expect([...items['image/png']!]).toEqual([...png]);
    expect(JSON.parse(text(items['application/json']!))).toEqual({ a: 1 });
    expect(text(items['text/plain']!)).toBe('42');
    expect(out.metadata).toEqual({ outputType: 'execute_result', executionCount: 7, metadata: { isolated: true } });
  });

  it('round-trips every output type', () => {
    const outputs: JupyterOutput[] = [
      { output_type: 'stream', name: 'stdout', text: 'hi\n' },
      { output_type: 'display_data', data: { 'text/plain': 'shown', 'image/png': Buffer.from('png').toString('base64') }, metadata: {} },
      { output_type: 'execute_result', data: { 'text/plain': '1' }, metadata: {}, execution_count: 2 },
      { output_type: 'error', ename: 'E', evalue: 'v', traceback: ['t1', 't2'] },
    ];
    expect(outputs.map((o) => fromCellOutput(toCellOutput(o)))).toEqual(outputs);
  });

  it('reads outputs another controller wrote (stdout items, an error item without a stack)', () => {
    const encode = (s: string) => new TextEncoder().encode(s);
    expect(fromCellOutput({ items: [{ mime: STDOUT_MIME, data: encode('a') }, { mime: STDOUT_MIME, data: encode('b') }] })).toEqual({ output_type: 'stream', name: 'stdout', text: 'ab' });
    expect(fromCellOutput({ items: [{ mime: ERROR_MIME, data: encode('{"name":"RuntimeError","message":"x"}') }] })).toEqual({ output_type: 'error', ename: 'RuntimeError', evalue: 'x', traceback: [] });
    expect(fromCellOutput({ items: [{ mime: 'text/html', data: encode('<p>') }] })).toEqual({ output_type: 'display_data', data: { 'text/html': '<p>' }, metadata: {} });
  });
});

describe('cell metadata of the ipynb serializer', () => {
  it('finds the nbformat cell id and the tags (current and older layouts)', () => {
    expect(nbformatCellId({ id: 'abc', metadata: { tags: ['parameters'] } })).toBe('abc');
    expect(nbformatCellId({})).toBeNull();
    expect(nbformatCellId(undefined)).toBeNull();
    expect(cellTags({ metadata: { tags: ['parameters', 3] } })).toEqual(['parameters']);
    expect(cellTags({ custom: { metadata: { tags: ['old'] } } })).toEqual(['old']);
    expect(cellTags({})).toEqual([]);
  });
});

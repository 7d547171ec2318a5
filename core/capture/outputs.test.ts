import { describe, expect, it } from 'vitest';
import { OUTPUT_BLOB_LIMIT, OUTPUT_TEXT_LIMIT, decodeBase64, encodeBase64, sha256Hex, summarizeOutputs } from './outputs';

// The 8-byte PNG signature is enough to tell bytes apart; nbformat wraps base64 across lines.
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

describe('summarizeOutputs', () => {
  it('keeps type, mime types and 4 KB of text inline; images and long texts whole as blobs', () => {
    const long = 'x'.repeat(OUTPUT_TEXT_LIMIT + 10);
    const { summaries, blobs } = summarizeOutputs([
      { output_type: 'stream', name: 'stdout', text: ['a', 'b'] },
      { output_type: 'display_data', data: { 'image/png': encodeBase64(PNG).replace(/(.{4})/g, '$1\n'), 'text/plain': '<Figure>' } },
      { output_type: 'stream', name: 'stderr', text: long },
      { output_type: 'error', ename: 'ValueError', evalue: 'bad' },
      { output_type: 'execute_result', data: { 'image/svg+xml': '<svg/>' } },
    ]);
    expect(summaries).toEqual([
      { outputType: 'stream', mimeTypes: ['text/stdout'], text: 'ab', truncated: false },
      { outputType: 'display_data', mimeTypes: ['image/png', 'text/plain'], text: '<Figure>', truncated: false },
      { outputType: 'stream', mimeTypes: ['text/stderr'], text: long.slice(0, OUTPUT_TEXT_LIMIT), truncated: true },
      { outputType: 'error', mimeTypes: [], text: 'ValueError: bad', truncated: false },
      { outputType: 'execute_result', mimeTypes: ['image/svg+xml'], text: undefined, truncated: false },
    ]);
    expect(blobs[0]).toBeNull();
    expect(blobs[1]).toEqual({ mediaType: 'image/png', bytes: PNG });
    expect(new TextDecoder().decode(blobs[2]!.bytes)).toBe(long);
    expect(blobs[3]).toBeNull();
    expect(new TextDecoder().decode(blobs[4]!.bytes)).toBe('<svg/>');
  });

  it('keeps only the summary of what is not base64 or is larger than the cap', () => {
    const { blobs } = summarizeOutputs([
      { output_type: 'display_data', data: { 'image/png': 'not base64!' } },
      { output_type: 'stream', name: 'stdout', text: 'y'.repeat(OUTPUT_BLOB_LIMIT + 1) },
    ]);
    expect(blobs).toEqual([null, null]);
  });
});

describe('base64 and sha256', () => {
  it('round-trip bytes and hash them as sha256sum does', async () => {
    const bytes = new Uint8Array(70_000).map((_, i) => i % 251);
    expect(decodeBase64(encodeBase64(bytes))).toEqual(bytes);
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

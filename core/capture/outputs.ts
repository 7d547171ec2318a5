/**
 * What capture keeps of a cell's outputs (nbformat output JSON, as JupyterLab holds it and a Jupyter kernel sends
 * it): per output its type, mime types and the first 4 KB of its text; images and texts longer than that are kept
 * whole as blobs (content-addressed, uploaded through the outbox), up to a size cap.
 */
import type { OutputSummary } from '../schema';

/** One output as nbformat stores it (capture reads the fields named here; others are ignored). */
export interface NbOutput {
  [field: string]: unknown;
  output_type: string;
  data?: Record<string, unknown>;
  text?: string | string[];
  name?: string;
  ename?: string;
  evalue?: string;
}

/** Content of an output worth keeping whole: uploaded as a blob and referenced from its summary. */
export interface OutputBlob {
  mediaType: string;
  bytes: Uint8Array;
}

/** Characters of text an output summary carries inline. */
export const OUTPUT_TEXT_LIMIT = 4096;
/** Largest output kept as a blob (bigger ones keep their summary only). */
export const OUTPUT_BLOB_LIMIT = 10 * 1024 * 1024;
/** At most this many outputs per execution are summarized. */
const MAX_OUTPUTS = 100;
const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/svg+xml'];
const TYPES = ['stream', 'display_data', 'execute_result', 'error'] as const;

const join = (text: unknown): string => (Array.isArray(text) ? text.join('') : typeof text === 'string' ? text : '');

/** Summaries of a cell's outputs and, aligned with them, the blob each one keeps (or null). */
export function summarizeOutputs(outputs: readonly NbOutput[]): { summaries: OutputSummary[]; blobs: (OutputBlob | null)[] } {
  const summaries: OutputSummary[] = [];
  const blobs: (OutputBlob | null)[] = [];
  for (const o of outputs.slice(0, MAX_OUTPUTS)) {
    const type = TYPES.find((t) => t === o.output_type) ?? 'display_data';
    const text = type === 'stream' ? join(o.text) : type === 'error' ? `${o.ename}: ${o.evalue}` : join(o.data?.['text/plain']);
    summaries.push({
      outputType: type,
      mimeTypes: type === 'stream' ? [`text/${o.name ?? 'stdout'}`] : type === 'error' ? [] : Object.keys(o.data ?? {}).slice(0, 50),
      text: text ? text.slice(0, OUTPUT_TEXT_LIMIT) : undefined,
      truncated: text.length > OUTPUT_TEXT_LIMIT,
    });
    blobs.push(outputBlob(type, o, text));
  }
  return { summaries, blobs };
}

function outputBlob(type: (typeof TYPES)[number], output: NbOutput, text: string): OutputBlob | null {
  if (type === 'display_data' || type === 'execute_result') {
    const image = IMAGE_TYPES.find((t) => typeof join(output.data?.[t]) === 'string' && join(output.data?.[t]) !== '');
    if (image) {
      const raw = join(output.data?.[image]);
      const bytes = image === 'image/svg+xml' ? new TextEncoder().encode(raw) : decodeBase64(raw);
      return bytes && bytes.length <= OUTPUT_BLOB_LIMIT ? { mediaType: image, bytes } : null;
    }
  }
  if (type !== 'error' && text.length > OUTPUT_TEXT_LIMIT) {
    const bytes = new TextEncoder().encode(text);
    return bytes.length <= OUTPUT_BLOB_LIMIT ? { mediaType: 'text/plain; charset=utf-8', bytes } : null;
  }
  return null;
}

/** Bytes of a base64 text (line breaks allowed: nbformat wraps lines); null when it is not base64. */
export function decodeBase64(text: string): Uint8Array | null {
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) return null;
  try {
    const binary = atob(clean);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return null;
  }
}

/** Lowercase hex sha256 of bytes (WebCrypto: browsers, Node and VS Code all have it). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Base64 of bytes (outbox payloads are JSON). */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

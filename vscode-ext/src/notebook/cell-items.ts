/**
 * nbformat outputs <-> VS Code notebook output items, and what VS Code's built-in ipynb serializer keeps in cell
 * and output metadata. Plain structural types, so this converts and tests without VS Code: the platform layer
 * wraps the items in `vscode.NotebookCellOutput`.
 *
 * Conventions followed (those of the ipynb serializer, so a saved notebook round-trips): streams use the
 * `application/vnd.code.notebook.stdout|stderr` mimes, errors `application/vnd.code.notebook.error` (JSON
 * `{name, message, stack}`), images arrive base64 from the kernel and are stored as bytes, and the output's
 * metadata carries `{ outputType, executionCount, metadata }`. Cell metadata holds the nbformat cell id at `id`
 * and the nbformat cell metadata (tags) at `metadata`.
 */
import type { JupyterOutput, MimeBundle } from './outputs';

/** One item of a VS Code cell output. */
export interface OutputItemData {
  mime: string;
  data: Uint8Array;
}

/** A VS Code cell output as plain data. */
export interface CellOutputData {
  items: OutputItemData[];
  metadata?: Record<string, unknown>;
}

/** Mime type VS Code uses for stdout text. */
export const STDOUT_MIME = 'application/vnd.code.notebook.stdout';
/** Mime type VS Code uses for stderr text. */
export const STDERR_MIME = 'application/vnd.code.notebook.stderr';
/** Mime type VS Code uses for errors. */
export const ERROR_MIME = 'application/vnd.code.notebook.error';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const isJsonMime = (mime: string) => mime === 'application/json' || mime.endsWith('+json');
const isBinaryImage = (mime: string) => mime.startsWith('image/') && mime !== 'image/svg+xml';

function itemBytes(mime: string, value: unknown): Uint8Array {
  if (isJsonMime(mime)) return encoder.encode(JSON.stringify(value ?? null));
  const text = Array.isArray(value) ? value.join('') : typeof value === 'string' ? value : JSON.stringify(value ?? '');
  if (isBinaryImage(mime)) return new Uint8Array(Buffer.from(text, 'base64'));
  return encoder.encode(text);
}

function itemValue(item: OutputItemData): unknown {
  if (isJsonMime(item.mime)) {
    try {
      return JSON.parse(decoder.decode(item.data));
    } catch {
      return decoder.decode(item.data);
    }
  }
  if (isBinaryImage(item.mime)) return Buffer.from(item.data).toString('base64');
  return decoder.decode(item.data);
}

/** The VS Code output of one nbformat output. */
export function toCellOutput(output: JupyterOutput): CellOutputData {
  switch (output.output_type) {
    case 'stream':
      return { items: [{ mime: output.name === 'stderr' ? STDERR_MIME : STDOUT_MIME, data: encoder.encode(output.text) }], metadata: { outputType: 'stream' } };
    case 'error': {
      const error = { name: output.ename, message: output.evalue, stack: output.traceback.join('\n') };
      return { items: [{ mime: ERROR_MIME, data: encoder.encode(JSON.stringify(error)) }], metadata: { outputType: 'error' } };
    }
    default: {
      const items = Object.entries(output.data).map(([mime, value]) => ({ mime, data: itemBytes(mime, value) }));
      const executionCount = output.output_type === 'execute_result' ? output.execution_count : undefined;
      return { items, metadata: { outputType: output.output_type, executionCount, metadata: output.metadata } };
    }
  }
}

/** The nbformat output of a VS Code output (what another controller, e.g. the Jupyter extension, wrote). */
export function fromCellOutput(output: CellOutputData): JupyterOutput {
  const items = output.items;
  const error = items.find((i) => i.mime === ERROR_MIME);
  if (error) {
    let parsed: { name?: unknown; message?: unknown; stack?: unknown } = {};
    try {
      parsed = JSON.parse(decoder.decode(error.data)) as typeof parsed;
    } catch {
      // Not JSON: keep the defaults.
    }
    return { output_type: 'error', ename: String(parsed.name ?? 'Error'), evalue: String(parsed.message ?? ''), traceback: parsed.stack ? String(parsed.stack).split('\n') : [] };
  }
  if (items.length > 0 && items.every((i) => i.mime === STDOUT_MIME || i.mime === STDERR_MIME)) {
    return { output_type: 'stream', name: items[0]!.mime === STDERR_MIME ? 'stderr' : 'stdout', text: items.map((i) => decoder.decode(i.data)).join('') };
  }
  const data: MimeBundle = Object.fromEntries(items.map((i) => [i.mime, itemValue(i)]));
  const meta = output.metadata ?? {};
  const metadata = meta.metadata && typeof meta.metadata === 'object' ? (meta.metadata as Record<string, unknown>) : {};
  if (meta.outputType === 'execute_result') {
    return { output_type: 'execute_result', data, metadata, execution_count: typeof meta.executionCount === 'number' ? meta.executionCount : null };
  }
  return { output_type: 'display_data', data, metadata };
}

/** The nbformat cell id the ipynb serializer keeps in a cell's metadata, if any. */
export function nbformatCellId(cellMetadata: Record<string, unknown> | undefined): string | null {
  const id = cellMetadata?.id;
  return typeof id === 'string' && id.length > 0 ? id : null;
}

/** The tags of a cell (nbformat `metadata.tags`, also under the older `custom.metadata`). */
export function cellTags(cellMetadata: Record<string, unknown> | undefined): string[] {
  const nested = (cellMetadata?.metadata ?? (cellMetadata?.custom as Record<string, unknown> | undefined)?.metadata) as Record<string, unknown> | undefined;
  const tags = nested?.tags ?? cellMetadata?.tags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
}

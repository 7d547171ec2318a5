/**
 * Cell outputs in nbformat's shape (what a Jupyter kernel sends on IOPub and what .ipynb files store), built up
 * message by message while a cell runs, and summarized for capture. The VS Code side converts them to notebook
 * output items (cell-items.ts); nothing here knows VS Code.
 */

/** Mime bundle of a display or result output: mime type -> data (string, string[] or JSON). */
export type MimeBundle = Record<string, unknown>;

/** One output, as nbformat stores it. */
export type JupyterOutput =
  | { output_type: 'stream'; name: 'stdout' | 'stderr'; text: string }
  | { output_type: 'display_data'; data: MimeBundle; metadata: Record<string, unknown> }
  | { output_type: 'execute_result'; data: MimeBundle; metadata: Record<string, unknown>; execution_count: number | null }
  | { output_type: 'error'; ename: string; evalue: string; traceback: string[] };

/** An IOPub message as far as outputs care: its type and content. */
export interface IopubMessage {
  header: { msg_type: string };
  content: unknown;
}

const record = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
const text = (value: unknown): string => (Array.isArray(value) ? value.join('') : typeof value === 'string' ? value : '');

/**
 * The outputs of one running cell. `apply` folds an IOPub message in (consecutive stream chunks of the same
 * stream are merged, `clear_output` with `wait` clears on the next output) and says whether they changed.
 */
export class CellOutputs {
  private items: JupyterOutput[] = [];
  private clearOnNext = false;

  /** The outputs so far (a fresh array: callers may keep it). */
  get list(): JupyterOutput[] {
    return [...this.items];
  }

  /** Folds one IOPub message in; true when the outputs changed. */
  apply(message: IopubMessage): boolean {
    const content = record(message.content);
    switch (message.header.msg_type) {
      case 'stream': {
        const name = content.name === 'stderr' ? 'stderr' : 'stdout';
        this.beforeOutput();
        const last = this.items[this.items.length - 1];
        if (last?.output_type === 'stream' && last.name === name) {
          this.items[this.items.length - 1] = { ...last, text: last.text + text(content.text) };
        } else {
          this.items.push({ output_type: 'stream', name, text: text(content.text) });
        }
        return true;
      }
      case 'display_data':
        this.beforeOutput();
        this.items.push({ output_type: 'display_data', data: record(content.data), metadata: record(content.metadata) });
        return true;
      case 'execute_result': {
        this.beforeOutput();
        const count = typeof content.execution_count === 'number' ? content.execution_count : null;
        this.items.push({ output_type: 'execute_result', data: record(content.data), metadata: record(content.metadata), execution_count: count });
        return true;
      }
      case 'error':
        this.beforeOutput();
        this.items.push({
          output_type: 'error',
          ename: String(content.ename ?? 'Error'),
          evalue: String(content.evalue ?? ''),
          traceback: Array.isArray(content.traceback) ? content.traceback.map(String) : [],
        });
        return true;
      case 'clear_output':
        if (content.wait) {
          this.clearOnNext = true;
          return false;
        }
        this.items = [];
        return true;
      default:
        return false;
    }
  }

  private beforeOutput(): void {
    if (!this.clearOnNext) return;
    this.clearOnNext = false;
    this.items = [];
  }
}

/** The first error output, if any. */
export function firstError(outputs: JupyterOutput[]): Extract<JupyterOutput, { output_type: 'error' }> | undefined {
  return outputs.find((o): o is Extract<JupyterOutput, { output_type: 'error' }> => o.output_type === 'error');
}

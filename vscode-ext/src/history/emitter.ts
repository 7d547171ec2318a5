/** A minimal event emitter for the host-side modules, which cannot use vscode.EventEmitter (no vscode here). */
export class Emitter<T> {
  private readonly listeners = new Set<(value: T) => void>();

  /** Calls `listener` on every `fire`; returns the function that stops it (idempotent). */
  on(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Calls every listener; one that throws does not stop the others. */
  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        console.error('runtrail: listener failed', error);
      }
    }
  }

  /** Number of listeners, for tests that check nothing is left behind. */
  get size(): number {
    return this.listeners.size;
  }

  /** Removes every listener. */
  clear(): void {
    this.listeners.clear();
  }
}

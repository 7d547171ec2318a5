import { describe, expect, it, vi } from 'vitest';
import { Emitter } from './emitter';

describe('Emitter', () => {
  it('calls listeners until stopped; stopping twice is harmless', () => {
    const emitter = new Emitter<number>();
    const seen: number[] = [];
    const stop = emitter.on((n) => seen.push(n));
    emitter.fire(1);
    stop();
    stop();
    emitter.fire(2);
    expect(seen).toEqual([1]);
    expect(emitter.size).toBe(0);
  });

  it('keeps calling the others when one listener throws', () => {
    const emitter = new Emitter<void>();
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const after = vi.fn();
    emitter.on(() => {
      throw new Error('boom');
    });
    emitter.on(after);
    emitter.fire();
    expect(after).toHaveBeenCalledOnce();
    error.mockRestore();
  });
});

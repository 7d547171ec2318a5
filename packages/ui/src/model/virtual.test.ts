import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sameRange, scrollToReveal, visibleRange } from './virtual';

describe('visibleRange', () => {
  it('renders the visible rows plus overscan', () => {
    // 24px rows, 240px viewport at the top: rows 0..10 visible (+1 partial), 5 overscan below.
    expect(visibleRange(0, 240, 24, 10_000, 5)).toEqual({ start: 0, end: 16, offsetTop: 0, totalHeight: 240_000 });
    // Scrolled to row 100: 5 rows of overscan above.
    expect(visibleRange(2400, 240, 24, 10_000, 5)).toEqual({ start: 95, end: 116, offsetTop: 95 * 24, totalHeight: 240_000 });
  });
  it('clamps at the end of the list and past it', () => {
    expect(visibleRange(240_000, 240, 24, 10_000, 5)).toMatchObject({ end: 10_000 });
    const r = visibleRange(1e9, 240, 24, 100, 5);
    expect(r.end).toBe(100);
    expect(r.start).toBeLessThan(100);
  });
  it('handles empty lists, unmeasured viewports and odd inputs', () => {
    expect(visibleRange(0, 240, 24, 0, 5)).toEqual({ start: 0, end: 0, offsetTop: 0, totalHeight: 0 });
    expect(visibleRange(0, 0, 24, 50, 0)).toEqual({ start: 0, end: 1, offsetTop: 0, totalHeight: 1200 });
    expect(visibleRange(-50, 240, 24, 50, 2).start).toBe(0);
  });
  it('renders a bounded number of rows for 10k runs', () => {
    const r = visibleRange(123_456, 900, 24, 10_000, 8);
    expect(r.end - r.start).toBeLessThanOrEqual(Math.ceil(900 / 24) + 1 + 16);
  });
  it('always covers the viewport (property)', () => {
    fc.assert(
      fc.property(
        fc.nat(5000),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 60 }),
        fc.nat(20),
        fc.nat(200_000),
        (count, viewport, rowHeight, overscan, scrollRaw) => {
          const scrollTop = Math.min(scrollRaw, Math.max(0, count * rowHeight - viewport));
          const r = visibleRange(scrollTop, viewport, rowHeight, count, overscan);
          expect(r.start).toBeGreaterThanOrEqual(0);
          expect(r.end).toBeLessThanOrEqual(count);
          expect(r.offsetTop).toBe(r.start * rowHeight);
          if (count === 0) return;
          const firstVisible = Math.floor(scrollTop / rowHeight);
          const lastVisible = Math.min(count - 1, Math.floor((scrollTop + viewport - 1) / rowHeight));
          expect(r.start).toBeLessThanOrEqual(firstVisible);
          expect(r.end).toBeGreaterThan(lastVisible);
          expect(r.end - r.start).toBeLessThanOrEqual(Math.ceil(viewport / rowHeight) + 1 + 2 * overscan);
        },
      ),
    );
  });
  it('compares ranges by rows', () => {
    expect(sameRange(visibleRange(0, 240, 24, 100, 5), visibleRange(10, 240, 24, 100, 5))).toBe(true);
    expect(sameRange(visibleRange(0, 240, 24, 100, 5), visibleRange(240, 240, 24, 100, 5))).toBe(false);
  });
});

describe('scrollToReveal', () => {
  it('scrolls the least needed to show a row', () => {
    expect(scrollToReveal(5, 0, 240, 24)).toBe(0);
    expect(scrollToReveal(2, 240, 240, 24)).toBe(48);
    expect(scrollToReveal(20, 0, 240, 24)).toBe(21 * 24 - 240);
  });
});

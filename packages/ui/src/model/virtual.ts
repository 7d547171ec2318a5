/**
 * Virtual scrolling with fixed-height rows: which rows to put in the DOM for a scroll position, and where
 * to scroll so a row becomes visible. Fixed heights make both O(1), which is what lets 10k runs open at once.
 */

/** The slice of rows to render and where the slice sits inside the full-height spacer. */
export interface VisibleRange {
  /** First row index to render. */
  start: number;
  /** One past the last row index to render. */
  end: number;
  /** Offset of row `start` from the top of the list, in px. */
  offsetTop: number;
  /** Height of all rows together, in px: the spacer's height, so the scrollbar is right. */
  totalHeight: number;
}

/**
 * The rows that intersect the viewport, plus `overscan` rows on each side so a fast scroll does not show
 * blank space before the next render. Robust to a viewport not measured yet (0) or scrolled past the end.
 */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  overscan: number,
): VisibleRange {
  const total = Math.max(0, Math.floor(count));
  const height = rowHeight > 0 ? rowHeight : 1;
  const totalHeight = total * height;
  if (total === 0) return { start: 0, end: 0, offsetTop: 0, totalHeight };
  const top = Math.min(Math.max(0, scrollTop), Math.max(0, totalHeight - height));
  const firstVisible = Math.floor(top / height);
  const visibleCount = Math.ceil(Math.max(0, viewportHeight) / height) + 1;
  const pad = Math.max(0, Math.floor(overscan));
  const start = Math.max(0, firstVisible - pad);
  const end = Math.min(total, firstVisible + visibleCount + pad);
  return { start, end, offsetTop: start * height, totalHeight };
}

/** Whether two ranges render the same rows (so a scroll inside the overscan needs no re-render). */
export function sameRange(a: VisibleRange, b: VisibleRange): boolean {
  return a.start === b.start && a.end === b.end && a.totalHeight === b.totalHeight;
}

/**
 * The scrollTop that brings row `index` fully into view with the least movement: unchanged when it is
 * already visible, aligned to the top when it is above, to the bottom when it is below.
 */
export function scrollToReveal(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number {
  const rowTop = index * rowHeight;
  const rowBottom = rowTop + rowHeight;
  if (rowTop < scrollTop) return rowTop;
  if (rowBottom > scrollTop + viewportHeight) return Math.max(0, rowBottom - viewportHeight);
  return scrollTop;
}

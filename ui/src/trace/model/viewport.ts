// The zoomed window of the waterfall, as fractions of the trace's duration,
// and the row window of the virtualized list. Pure arithmetic, shared by the
// minimap (brush, drag) and the waterfall (wheel zoom, scrolling).

export interface Viewport {
  /** 0 ≤ start < end ≤ 1, fractions of the trace duration */
  readonly start: number;
  readonly end: number;
}

export const FULL_VIEWPORT: Viewport = { start: 0, end: 1 };

/** Narrowest window: 1/10,000 of the trace (a 10 s trace zooms to 1 ms). */
export const MIN_VIEWPORT_WIDTH = 1e-4;

export function isFullViewport(v: Viewport): boolean {
  return v.start <= 0 && v.end >= 1;
}

/** Orders, widens to the minimum width and moves the window inside [0, 1]. */
export function clampViewport(a: number, b: number, minWidth = MIN_VIEWPORT_WIDTH): Viewport {
  let start = Math.min(a, b);
  let end = Math.max(a, b);
  if (end - start < minWidth) {
    const mid = (start + end) / 2;
    start = mid - minWidth / 2;
    end = mid + minWidth / 2;
  }
  const width = Math.min(end - start, 1);
  if (start < 0) start = 0;
  if (start + width > 1) start = 1 - width;
  return { start, end: start + width };
}

/** The window moved by `delta` (a fraction of the trace), its width kept. */
export function panViewport(v: Viewport, delta: number): Viewport {
  const width = v.end - v.start;
  const start = Math.min(Math.max(v.start + delta, 0), 1 - width);
  return { start, end: start + width };
}

/** The window scaled by `factor` (< 1 zooms in) around `anchor`, a fraction of the window. */
export function zoomViewport(v: Viewport, factor: number, anchor = 0.5): Viewport {
  const width = v.end - v.start;
  const at = v.start + anchor * width;
  const newWidth = Math.min(width * factor, 1);
  return clampViewport(at - anchor * newWidth, at - anchor * newWidth + newWidth);
}

/** Rows to render for a scroll position: [first, end), with `overscan` rows either side. */
export function rowWindow(scrollTop: number, viewportHeight: number, rowHeight: number, rowCount: number, overscan: number): { first: number; end: number } {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const end = Math.min(rowCount, Math.ceil((scrollTop + viewportHeight) / rowHeight) + overscan);
  return { first, end: Math.max(first, end) };
}

/** The scrollTop that brings `row` fully into view, moving as little as possible. */
export function scrollToReveal(row: number, scrollTop: number, viewportHeight: number, rowHeight: number): number {
  const top = row * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewportHeight) return top + rowHeight - viewportHeight;
  return scrollTop;
}

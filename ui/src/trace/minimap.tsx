// The minimap: every span of the trace drawn on one canvas (rows in tree
// order top to bottom, time left to right, service colours, errors on top),
// with the waterfall's zoom window over it. Drag outside the window to brush a
// new one, drag inside to pan it, drag its edges to resize, click to centre it
// there, double-click to see the whole trace again.

import { useEffect, useRef } from 'preact/hooks';
import { theme } from '../theme.js';
import { clampViewport, FULL_VIEWPORT, isFullViewport, panViewport, type Viewport } from './model/viewport.js';
import type { TraceViewModel } from './trace-view-model.js';
import { fractionAt } from './time-axis-header.js';
import { useElementSize } from './use-element-size.js';

const HEIGHT_PX = 56;
const EDGE_GRAB_PX = 6;
const CLICK_FRACTION = 0.003;

type Gesture = { kind: 'brush'; from: number } | { kind: 'pan'; grabbedAt: number; origin: Viewport } | { kind: 'resize'; fixed: number };

function drawSpans(canvas: HTMLCanvasElement, vm: TraceViewModel, widthPx: number, errorColor: string): void {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(widthPx * ratio);
  canvas.height = Math.round(HEIGHT_PX * ratio);
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, widthPx, HEIGHT_PX);
  const { trace, order } = vm;
  const n = order.preorder.length;
  const rowHeight = Math.max(HEIGHT_PX / n, 1);
  const scale = trace.duration > 0 ? widthPx / trace.duration : 0;
  const draw = (onlyErrors: boolean): void => {
    for (let p = 0; p < n; p++) {
      const s = trace.spans[order.preorder[p]!]!;
      if (onlyErrors && !s.isError) continue;
      ctx.fillStyle = onlyErrors ? errorColor : (vm.colors.get(s.service) ?? '#888');
      ctx.fillRect(s.start * scale, (p / n) * HEIGHT_PX, Math.max(s.duration * scale, 1), Math.min(rowHeight, 4));
    }
  };
  draw(false);
  draw(true);
}

/** Where the waterfall's rows on screen sit in the whole trace (tree order, top to bottom). */
function RowsBand({ vm, first, last }: { vm: TraceViewModel; first: number; last: number }) {
  const n = vm.order.preorder.length;
  const top = vm.order.positionOf[first]! / n;
  const bottom = (vm.order.positionOf[last]! + 1) / n;
  if (top <= 0 && bottom >= 1) return null;
  return <div class="minimap-rows" data-testid="minimap-rows" style={{ top: `${top * 100}%`, height: `max(2px, ${(bottom - top) * 100}%)` }} />;
}

export interface MinimapProps {
  vm: TraceViewModel;
  viewport: Viewport;
  onViewport: (v: Viewport) => void;
  /** spans of the waterfall's first and last rows on screen, marked as a band */
  rowsInView: { first: number; last: number };
}

export function Minimap({ vm, viewport, onViewport, rowsInView }: MinimapProps) {
  const box = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const widthPx = useElementSize(box).width;
  const gesture = useRef<Gesture | undefined>(undefined);
  const currentTheme = theme.value;

  useEffect(() => {
    if (!canvas.current || widthPx === 0) return;
    const errorColor = getComputedStyle(canvas.current).getPropertyValue('--error').trim() || '#c62828';
    drawSpans(canvas.current, vm, widthPx, errorColor);
  }, [vm, widthPx, currentTheme]);

  const onPointerDown = (e: PointerEvent): void => {
    const el = box.current;
    if (!el || e.button !== 0) return;
    el.setPointerCapture(e.pointerId);
    const at = fractionAt(el, e.clientX);
    const edge = EDGE_GRAB_PX / Math.max(el.clientWidth, 1);
    if (!isFullViewport(viewport) && Math.abs(at - viewport.start) <= edge) gesture.current = { kind: 'resize', fixed: viewport.end };
    else if (!isFullViewport(viewport) && Math.abs(at - viewport.end) <= edge) gesture.current = { kind: 'resize', fixed: viewport.start };
    else if (!isFullViewport(viewport) && at > viewport.start && at < viewport.end) gesture.current = { kind: 'pan', grabbedAt: at, origin: viewport };
    else gesture.current = { kind: 'brush', from: at };
  };
  const onPointerMove = (e: PointerEvent): void => {
    const g = gesture.current;
    if (!g || !box.current) return;
    const at = fractionAt(box.current, e.clientX);
    if (g.kind === 'pan') onViewport(panViewport(g.origin, at - g.grabbedAt));
    else if (g.kind === 'resize') onViewport(clampViewport(g.fixed, at));
    else if (Math.abs(at - g.from) > CLICK_FRACTION) onViewport(clampViewport(g.from, at));
  };
  const onPointerUp = (e: PointerEvent): void => {
    const g = gesture.current;
    gesture.current = undefined;
    if (!g || g.kind !== 'brush' || !box.current) return;
    const at = fractionAt(box.current, e.clientX);
    // a click (no drag) moves the current window to centre on that instant
    if (Math.abs(at - g.from) <= CLICK_FRACTION && !isFullViewport(viewport)) {
      onViewport(panViewport(viewport, at - (viewport.start + viewport.end) / 2));
    }
  };

  return (
    <div class="minimap-wrap">
      <div
        class="minimap"
        ref={box}
        style={{ height: `${HEIGHT_PX}px` }}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={() => (gesture.current = undefined)}
        onDblClick={() => onViewport(FULL_VIEWPORT)}
        data-testid="minimap"
        role="img"
        aria-label="Overview of all spans; drag to choose the time range shown below"
      >
        <canvas ref={canvas} style={{ width: `${widthPx}px`, height: `${HEIGHT_PX}px` }} />
        {rowsInView.first >= 0 && <RowsBand vm={vm} first={rowsInView.first} last={rowsInView.last} />}
        {!isFullViewport(viewport) && (
          <>
            <div class="minimap-shade" style={{ left: 0, width: `${viewport.start * 100}%` }} />
            <div class="minimap-shade" style={{ left: `${viewport.end * 100}%`, right: 0 }} />
            <div class="minimap-window" data-testid="minimap-window" style={{ left: `${viewport.start * 100}%`, width: `${(viewport.end - viewport.start) * 100}%` }} />
          </>
        )}
      </div>
      {/* always there, so the minimap keeps its width (and the brush its geometry) when zooming */}
      <button type="button" class="minimap-reset" onClick={() => onViewport(FULL_VIEWPORT)} disabled={isFullViewport(viewport)} data-testid="zoom-reset" title="Show the whole trace (or double-click the overview)">
        Reset zoom
      </button>
    </div>
  );
}

// The waterfall's header: the name column's title, and tick labels over the
// timeline. Dragging across the ticks zooms into the dragged range.

import { useRef, useState } from 'preact/hooks';
import type { Tick } from './model/time-axis.js';
import { clampViewport, type Viewport } from './model/viewport.js';

export interface TimeAxisProps {
  ticks: readonly Tick[];
  toPercent: (ns: number) => number;
  viewport: Viewport;
  onViewport: (v: Viewport) => void;
  /** a new width for the name column, in CSS pixels */
  onNameWidth: (px: number) => void;
}

const MIN_NAME_PX = 160;
const MIN_TIMELINE_PX = 200;
const SPLITTER_STEP_PX = 24;

/** The name column's divider: drag it, or focus it and use ←/→. */
function Splitter({ onNameWidth }: { onNameWidth: (px: number) => void }) {
  const handle = useRef<HTMLDivElement>(null);
  const [dragging, setDragging] = useState(false);
  const widthAt = (clientX: number): number => {
    const row = handle.current?.parentElement?.parentElement; // .wf-axis spans the waterfall
    if (!row) return MIN_NAME_PX;
    const box = row.getBoundingClientRect();
    return Math.round(Math.min(Math.max(clientX - box.left, MIN_NAME_PX), box.width - MIN_TIMELINE_PX));
  };
  const current = (): number => handle.current?.parentElement?.getBoundingClientRect().width ?? MIN_NAME_PX;
  return (
    <div
      ref={handle}
      class={dragging ? 'wf-splitter dragging' : 'wf-splitter'}
      role="separator"
      aria-orientation="vertical"
      aria-label="Resize the name column"
      tabIndex={0}
      onPointerDown={(e) => {
        handle.current?.setPointerCapture(e.pointerId);
        setDragging(true);
      }}
      onPointerMove={(e) => dragging && onNameWidth(widthAt(e.clientX))}
      onPointerUp={() => setDragging(false)}
      onPointerCancel={() => setDragging(false)}
      onKeyDown={(e) => {
        if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
        e.preventDefault();
        const box = handle.current!.parentElement!.getBoundingClientRect();
        onNameWidth(widthAt(box.left + current() + (e.key === 'ArrowLeft' ? -SPLITTER_STEP_PX : SPLITTER_STEP_PX)));
      }}
    />
  );
}

/** Fraction (0..1) of an element's width at a pointer's x. */
export function fractionAt(el: HTMLElement, clientX: number): number {
  const box = el.getBoundingClientRect();
  return box.width > 0 ? Math.min(Math.max((clientX - box.left) / box.width, 0), 1) : 0;
}

const MIN_DRAG_FRACTION = 0.005;

export function TimeAxis({ ticks, toPercent, viewport, onViewport, onNameWidth }: TimeAxisProps) {
  const track = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<{ from: number; to: number } | undefined>(undefined);
  const width = viewport.end - viewport.start;

  const onPointerDown = (e: PointerEvent): void => {
    if (!track.current || e.button !== 0) return;
    track.current.setPointerCapture(e.pointerId);
    const at = fractionAt(track.current, e.clientX);
    setDrag({ from: at, to: at });
  };
  const onPointerMove = (e: PointerEvent): void => {
    if (drag && track.current) setDrag({ ...drag, to: fractionAt(track.current, e.clientX) });
  };
  const onPointerUp = (): void => {
    if (drag && Math.abs(drag.to - drag.from) > MIN_DRAG_FRACTION) {
      onViewport(clampViewport(viewport.start + drag.from * width, viewport.start + drag.to * width));
    }
    setDrag(undefined);
  };

  return (
    <div class="wf-axis">
      <div class="wf-axis-name">
        Service · operation
        <Splitter onNameWidth={onNameWidth} />
      </div>
      <div
        class="wf-axis-track"
        ref={track}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={() => setDrag(undefined)}
        title="Drag to zoom into a time range"
        data-testid="time-axis"
      >
        {ticks.map((t) => (
          <span key={t.at} class="wf-tick" style={{ left: `${toPercent(t.at)}%` }}>
            {t.label}
          </span>
        ))}
        {drag && <div class="wf-axis-brush" style={{ left: `${Math.min(drag.from, drag.to) * 100}%`, width: `${Math.abs(drag.to - drag.from) * 100}%` }} />}
      </div>
    </div>
  );
}

// Span durations of the search as bars on a log axis (errors stacked on top).
// Dragging across bars — or arrow keys, Shift to extend, Enter to apply —
// selects a duration range; the page narrows the search to it.

import { useEffect, useRef, useState } from 'preact/hooks';
import { formatCount, formatDurationMs } from '../../format.js';
import { decadeTicks, selectedRange, selectionOf, type DurationSelection, type HistogramBucket } from './histogram-layout.js';

export interface DurationHistogramProps {
  buckets: readonly HistogramBucket[];
  bucketsPerDecade: number;
  selection: { minMs?: number | undefined; maxMs?: number | undefined };
  onSelect: (selection: DurationSelection | undefined) => void;
}

const HEIGHT = 130;
const AXIS = 18;

export function DurationHistogram({ buckets, bucketsPerDecade, selection, onSelect }: DurationHistogramProps) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  const [drag, setDrag] = useState<{ from: number; to: number } | undefined>(undefined);
  const [cursor, setCursor] = useState<{ anchor: number; at: number } | undefined>(undefined);
  const [hover, setHover] = useState<number | undefined>(undefined);

  useEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    setWidth(el.clientWidth);
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const n = buckets.length;
  const barWidth = n > 0 ? width / n : width;
  const max = Math.max(1, ...buckets.map((b) => b.spans));
  const plotHeight = HEIGHT - AXIS;
  // Square-root heights: the slow tail's few spans stay visible beside the bulk.
  const heightOf = (count: number): number => (count === 0 ? 0 : Math.max(2, Math.sqrt(count / max) * (plotHeight - 4)));
  const indexAt = (clientX: number): number => {
    const rect = box.current!.getBoundingClientRect();
    return Math.max(0, Math.min(n - 1, Math.floor((clientX - rect.left) / barWidth)));
  };

  const shaded = drag
    ? ([Math.min(drag.from, drag.to), Math.max(drag.from, drag.to)] as [number, number])
    : cursor
      ? ([Math.min(cursor.anchor, cursor.at), Math.max(cursor.anchor, cursor.at)] as [number, number])
      : selectedRange(buckets, selection);
  const focusBar = hover ?? cursor?.at;
  const info = focusBar !== undefined ? buckets[focusBar] : undefined;

  return (
    <div class="histogram">
      <div
        ref={box}
        class="histogram-plot"
        tabIndex={0}
        role="slider"
        aria-label="Span durations: drag across bars, or use arrow keys with Shift and Enter, to select a duration range"
        aria-valuetext={info ? `${formatDurationMs(info.lowerMs)} to ${formatDurationMs(info.upperMs)}: ${info.spans} spans` : undefined}
        data-testid="duration-histogram"
        onPointerDown={(e) => {
          if (n === 0) return;
          (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
          const i = indexAt(e.clientX);
          setDrag({ from: i, to: i });
          setCursor(undefined);
        }}
        onPointerMove={(e) => {
          if (n === 0) return;
          const i = indexAt(e.clientX);
          setHover(i);
          if (drag) setDrag({ from: drag.from, to: i });
        }}
        onPointerLeave={() => setHover(undefined)}
        onPointerUp={() => {
          if (!drag) return;
          onSelect(selectionOf(buckets, drag.from, drag.to));
          setDrag(undefined);
        }}
        onKeyDown={(e) => {
          if (n === 0) return;
          const at = cursor?.at ?? Math.floor(n / 2);
          const move = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
          if (move !== 0) {
            e.preventDefault();
            const next = Math.max(0, Math.min(n - 1, at + move));
            setCursor({ anchor: e.shiftKey ? (cursor?.anchor ?? at) : next, at: next });
          } else if (e.key === 'Enter' && cursor) {
            e.preventDefault();
            onSelect(selectionOf(buckets, cursor.anchor, cursor.at));
            setCursor(undefined);
          } else if (e.key === 'Escape') {
            setCursor(undefined);
            onSelect(undefined);
          }
        }}
      >
        <svg width={width} height={HEIGHT} aria-hidden="true">
          {shaded && <rect class="histogram-selection" x={shaded[0] * barWidth} y={0} width={(shaded[1] - shaded[0] + 1) * barWidth} height={plotHeight} />}
          {buckets.map((b, i) => {
            const total = heightOf(b.spans);
            const err = b.errors > 0 ? Math.max(1, (b.errors / b.spans) * total) : 0;
            const x = i * barWidth + 0.5;
            const w = Math.max(1, barWidth - 1);
            return (
              <g key={b.index}>
                <rect class="histogram-bar" x={x} y={plotHeight - total} width={w} height={total - err} />
                {err > 0 && <rect class="histogram-bar-error" x={x} y={plotHeight - total} width={w} height={err} />}
              </g>
            );
          })}
          <line class="histogram-axis" x1={0} x2={width} y1={plotHeight + 0.5} y2={plotHeight + 0.5} />
          {decadeTicks(buckets, bucketsPerDecade).map((t) => (
            <text key={t.position} class="histogram-tick" x={t.position * barWidth} y={HEIGHT - 4}>
              {formatDurationMs(t.ms)}
            </text>
          ))}
          {focusBar !== undefined && <rect class="histogram-cursor" x={focusBar * barWidth} y={0} width={barWidth} height={plotHeight} />}
        </svg>
      </div>
      <div class="histogram-info muted" aria-live="polite">
        {info
          ? `${formatDurationMs(info.lowerMs)} – ${formatDurationMs(info.upperMs)}: ${formatCount(info.spans)} spans${info.errors ? `, ${formatCount(info.errors)} errors` : ''}`
          : 'Drag across the bars to select slow spans.'}
      </div>
    </div>
  );
}

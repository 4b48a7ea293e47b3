// The waterfall: one row per visible span (name tree on the left, bar on the
// time axis on the right). Virtualized: only the rows in the scroll window
// (plus a few either side) are in the DOM, absolutely placed inside a spacer
// as tall as all rows, so a 10,000-span trace costs the same as a 30-span one.

import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { JSX } from 'preact';
import { timeTicks } from './model/time-axis.js';
import { formatNanos, type Nanos } from './model/units.js';
import { rowWindow, scrollToReveal, type Viewport } from './model/viewport.js';
import type { TraceViewModel } from './trace-view-model.js';
import { TimeAxis } from './time-axis-header.js';
import { useElementSize } from './use-element-size.js';

export const ROW_HEIGHT_PX = 26;
const OVERSCAN_ROWS = 8;
const INDENT_PX = 14;
/** deeper levels share the last indent, so names stay readable in very deep traces */
const MAX_INDENT_LEVELS = 24;
const MAX_EVENT_MARKS = 24;

export interface RevealRequest {
  span: number;
  /** changes on every request, so revealing the same span twice scrolls twice */
  nonce: number;
}

export interface WaterfallProps {
  vm: TraceViewModel;
  /** span indexes of the visible rows, in order */
  rows: Int32Array;
  collapsed: Uint8Array;
  viewport: Viewport;
  focused: number;
  selected: number;
  /** 1 for spans matching the search */
  matches: Uint8Array | undefined;
  showCritical: boolean;
  reveal: RevealRequest | undefined;
  onFocusRow: (span: number) => void;
  onSelect: (span: number) => void;
  onToggle: (span: number) => void;
  onKeyDown: (e: KeyboardEvent) => void;
  onViewport: (v: Viewport) => void;
  onNameWidth: (px: number) => void;
  /** the spans of the first and last row on screen */
  onRowsInView: (first: number, last: number) => void;
  /** times of each span's log records (trace offsets), marked on its bar */
  logMarks: ReadonlyMap<number, readonly Nanos[]>;
}

/** Position of a span's row, or −1 while it is hidden under a collapsed parent. */
function rowIndexOf(rows: Int32Array, spanCount: number): Int32Array {
  const rowOf = new Int32Array(spanCount).fill(-1);
  for (let r = 0; r < rows.length; r++) rowOf[rows[r]!] = r;
  return rowOf;
}

export function Waterfall(props: WaterfallProps) {
  const { vm, rows, viewport } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const { height } = useElementSize(scroller, { width: 0, height: 600 });
  const rowOf = useMemo(() => rowIndexOf(rows, vm.trace.spans.length), [rows, vm]);

  // scroll events arrive faster than frames: render once per frame
  const frame = useRef(0);
  const onScroll = (): void => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      if (scroller.current) setScrollTop(scroller.current.scrollTop);
    });
  };
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  useLayoutEffect(() => {
    const el = scroller.current;
    const reveal = props.reveal;
    if (!el || !reveal) return;
    const row = rowOf[reveal.span] ?? -1;
    if (row < 0) return;
    const top = scrollToReveal(row, el.scrollTop, el.clientHeight, ROW_HEIGHT_PX);
    if (top !== el.scrollTop) {
      el.scrollTop = top;
      setScrollTop(top);
    }
  }, [props.reveal?.nonce]);

  const { first, end } = rowWindow(scrollTop, height, ROW_HEIGHT_PX, rows.length, OVERSCAN_ROWS);
  const inView = rowWindow(scrollTop, height, ROW_HEIGHT_PX, rows.length, 0);
  const firstInView = rows[inView.first] ?? -1;
  const lastInView = rows[Math.max(inView.end - 1, inView.first)] ?? -1;
  useEffect(() => props.onRowsInView(firstInView, lastInView), [firstInView, lastInView]);
  const traceDuration = vm.trace.duration;
  const viewStart = (viewport.start * traceDuration) as Nanos;
  const viewEnd = (viewport.end * traceDuration) as Nanos;
  const ticks = timeTicks(viewStart, viewEnd, 6);
  const toPercent = (ns: number): number => ((ns / traceDuration - viewport.start) / (viewport.end - viewport.start)) * 100;

  const rendered: JSX.Element[] = [];
  for (let r = first; r < end; r++) {
    rendered.push(<WaterfallRow key={rows[r]!} {...props} span={rows[r]!} row={r} toPercent={toPercent} />);
  }

  return (
    <div class="waterfall">
      <TimeAxis ticks={ticks} toPercent={toPercent} viewport={viewport} onViewport={props.onViewport} onNameWidth={props.onNameWidth} />
      <div
        class="wf-scroll"
        ref={scroller}
        onScroll={onScroll}
        tabIndex={0}
        role="tree"
        aria-label="Spans"
        aria-activedescendant={props.focused >= 0 ? `span-row-${props.focused}` : undefined}
        onKeyDown={props.onKeyDown}
        data-testid="waterfall"
      >
        <div class="wf-spacer" style={{ height: `${rows.length * ROW_HEIGHT_PX}px` }}>
          <div class="wf-gridlines" aria-hidden="true">
            {ticks.map((t) => (
              <div key={t.at} class="wf-gridline" style={{ left: `${toPercent(t.at)}%` }} />
            ))}
          </div>
          {rendered}
        </div>
      </div>
    </div>
  );
}

interface RowProps extends WaterfallProps {
  span: number;
  row: number;
  toPercent: (ns: number) => number;
}

function WaterfallRow({ vm, span, row, collapsed, focused, selected, matches, showCritical, logMarks, toPercent, onSelect, onFocusRow, onToggle }: RowProps) {
  const s = vm.trace.spans[span]!;
  const color = vm.colors.get(s.service);
  const hasChildren = s.children.length > 0;
  const isCollapsed = collapsed[span] === 1;
  const onPath = vm.critical.onPath[span] === 1;
  const left = toPercent(s.start);
  const right = toPercent(s.start + s.duration);
  // the duration goes after the bar, else before it, else (a bar across the view) inside its end
  const labelPlace = right < 82 ? 'after' : left > 18 ? 'before' : 'inside';
  const classes = ['wf-row'];
  if (span === selected) classes.push('selected');
  if (span === focused) classes.push('focused');
  if (matches?.[span]) classes.push('match');
  if (s.isError) classes.push('error');
  if (showCritical && !onPath) classes.push('off-path');
  const indent = Math.min(s.depth, MAX_INDENT_LEVELS) * INDENT_PX;
  return (
    <div
      id={`span-row-${span}`}
      class={classes.join(' ')}
      style={{ top: `${row * ROW_HEIGHT_PX}px` }}
      role="treeitem"
      aria-level={s.depth + 1}
      aria-expanded={hasChildren ? !isCollapsed : undefined}
      aria-selected={span === selected}
      data-testid="span-row"
      data-span-id={s.spanId}
      onClick={() => {
        onFocusRow(span);
        onSelect(span);
      }}
    >
      <div class="wf-name" style={{ paddingLeft: `${indent + 4}px` }} title={`${s.service}: ${s.name}`}>
        {hasChildren ? (
          <button
            type="button"
            class="wf-toggle"
            tabIndex={-1}
            aria-label={isCollapsed ? 'Expand' : 'Collapse'}
            data-testid="span-toggle"
            onClick={(e) => {
              e.stopPropagation();
              onToggle(span);
            }}
          >
            {isCollapsed ? '▸' : '▾'}
          </button>
        ) : (
          <span class="wf-toggle-space" />
        )}
        {/* the colour always shows the service; its name only where it changes */}
        <span class="wf-service" style={{ borderColor: color }}>
          {s.parent >= 0 && vm.trace.spans[s.parent]!.service === s.service ? '' : s.service}
        </span>
        <span class="wf-op">{s.name}</span>
        {s.isError && (
          <span class="wf-error-mark" aria-label="error" title={s.statusMessage || 'status: error'}>
            !
          </span>
        )}
        {isCollapsed && <span class="wf-hidden-count">+{vm.descendants[span]}</span>}
        {s.depth > MAX_INDENT_LEVELS && <span class="wf-depth">L{s.depth}</span>}
      </div>
      <div class="wf-timeline" title={`${s.name}: ${formatNanos(s.duration)}, starting at +${formatNanos(s.start)}`}>
        <div class="wf-bar" style={{ left: `${left}%`, width: `max(1px, ${right - left}%)`, background: color }}>
          {showCritical &&
            vm.pathSegments[span]?.map((seg) => (
              <span
                key={seg.start}
                class="wf-crit"
                style={{ left: `${((seg.start - s.start) / (s.duration || 1)) * 100}%`, width: `${((seg.end - seg.start) / (s.duration || 1)) * 100}%` }}
              />
            ))}
          {logMarks.get(span)?.slice(0, MAX_EVENT_MARKS).map((at, i) => (
            <span key={`log${i}`} class="wf-log" style={{ left: `${((at - s.start) / (s.duration || 1)) * 100}%` }} />
          ))}
          {s.events.slice(0, MAX_EVENT_MARKS).map((e, i) => (
            <span key={i} class={e.name === 'exception' ? 'wf-event exception' : 'wf-event'} style={{ left: `${(e.offset / (s.duration || 1)) * 100}%` }} />
          ))}
        </div>
        <span
          class={labelPlace === 'inside' ? 'wf-duration inside' : 'wf-duration'}
          style={
            labelPlace === 'after'
              ? { left: `calc(${Math.max(right, 0)}% + 4px)` }
              : labelPlace === 'before'
                ? { right: `calc(${100 - left}% + 4px)` }
                : { right: `calc(${Math.max(100 - right, 0)}% + 6px)` }
          }
        >
          {formatNanos(s.duration)}
        </span>
      </div>
    </div>
  );
}

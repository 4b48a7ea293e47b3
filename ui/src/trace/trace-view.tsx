// The trace page once the trace is loaded: header, toolbar (search within the
// trace, critical path, expand/collapse), minimap, waterfall and the selected
// span's detail. Holds the view state; the URL holds the selected span
// (`?span=<id>`) and the search (`?find=`), so both survive a reload or a link.
//
// Keys on the waterfall: ↑/↓ (Home/End, PgUp/PgDn) move between rows, ← collapses
// (or goes to the parent), → expands (or goes to the first child), Enter opens
// the detail, Esc closes it, n/N go to the next/previous search match, and
// `/` (the app's shortcut) focuses the search box.

import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { setQuery, useQueryParams } from '../navigation.js';
import { revealSpan, visibleRows } from './model/rows.js';
import { matchesInRowOrder, searchTrace, stepMatch } from './model/search.js';
import { treeKeyAction } from './model/tree-keys.js';
import { FULL_VIEWPORT, type Viewport } from './model/viewport.js';
import type { Nanos } from './model/units.js';
import { Minimap } from './minimap.js';
import { RelatedLogs } from './related-logs.js';
import { SpanDetail } from './span-detail.js';
import { TraceHeader } from './trace-header.js';
import type { TraceViewModel } from './trace-view-model.js';
import { ROW_HEIGHT_PX, Waterfall, type RevealRequest } from './waterfall.js';

const SEARCH_DEBOUNCE_MS = 120;
export const TRACE_MODEL_START_MARK = 'marquetry:trace-model-start';

interface Collapsed {
  flags: Uint8Array;
  /** bumped on every change: flags are mutated in place */
  version: number;
}

function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export function TraceView({ vm }: { vm: TraceViewModel }) {
  const { trace, order } = vm;
  const params = useQueryParams();
  const spanParam = params.get('span') ?? '';
  const selected = spanParam === '' ? -1 : (vm.spanIndex(spanParam) ?? -1);

  const [collapsed, setCollapsed] = useState<Collapsed>(() => ({ flags: new Uint8Array(trace.spans.length), version: 0 }));
  const rows = useMemo(() => visibleRows(order, collapsed.flags), [vm, collapsed.version]);
  const [focused, setFocused] = useState(selected >= 0 ? selected : trace.roots[0]!);
  const [viewport, setViewport] = useState<Viewport>(FULL_VIEWPORT);
  const [showCritical, setShowCritical] = useState(true);
  const [nameWidthPx, setNameWidthPx] = useState<number | undefined>(undefined);
  const [inView, setInView] = useState({ first: -1, last: -1 });
  const logsOpen = params.get('logs') === '1';
  const [logMarks, setLogMarks] = useState<Map<number, Nanos[]>>(() => new Map());
  const [reveal, setReveal] = useState<RevealRequest | undefined>(undefined);
  const nonce = useRef(0);

  const [query, setQueryText] = useState(params.get('find') ?? '');
  const settledQuery = useDebounced(query, SEARCH_DEBOUNCE_MS);
  const matches = useMemo(() => searchTrace(trace, settledQuery), [trace, settledQuery]);
  const orderedMatches = useMemo(() => matchesInRowOrder(matches, order.positionOf), [matches, order]);
  const matchFlags = useMemo(() => {
    if (matches.length === 0) return undefined;
    const flags = new Uint8Array(trace.spans.length);
    for (const m of matches) flags[m] = 1;
    return flags;
  }, [matches, trace]);
  useEffect(() => {
    if ((params.get('find') ?? '') !== settledQuery) setQuery({ find: settledQuery }, { replace: true });
  }, [settledQuery]);

  const changeCollapsed = (mutate: (flags: Uint8Array) => boolean | void): void => {
    setCollapsed((c) => (mutate(c.flags) === false ? c : { flags: c.flags, version: c.version + 1 }));
  };

  /** Focuses a span's row, expanding its ancestors and scrolling it into view. */
  const goTo = (span: number): void => {
    changeCollapsed((flags) => revealSpan(trace, flags, span));
    setFocused(span);
    setReveal({ span, nonce: ++nonce.current });
  };
  const select = (span: number): void => {
    goTo(span);
    setQuery({ span: trace.spans[span]!.spanId }, { replace: true });
  };
  const closeDetail = (): void => setQuery({ span: undefined }, { replace: true });
  const toggle = (span: number): void =>
    changeCollapsed((flags) => {
      flags[span] = flags[span] ? 0 : 1;
    });

  // model built → first rows on screen (effects run after the browser painted)
  useEffect(() => {
    if (performance.getEntriesByName(TRACE_MODEL_START_MARK).length > 0) performance.measure('marquetry:trace-render', TRACE_MODEL_START_MARK);
  }, [vm]);

  // a deep link (or a link from another span) names a span: show it
  useEffect(() => {
    if (selected >= 0) goTo(selected);
  }, [selected]);

  // the first match of a new search comes into view
  useEffect(() => {
    if (orderedMatches.length > 0) goTo(orderedMatches[0]!);
  }, [orderedMatches]);

  const step = (direction: 1 | -1): void => {
    const next = stepMatch(orderedMatches, order.positionOf, order.positionOf[focused]!, direction);
    if (next !== undefined) goTo(next);
  };
  const matchNumber = orderedMatches.indexOf(focused) + 1;

  const onKeyDown = (e: KeyboardEvent): void => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const pageRows = Math.max(1, Math.floor((e.currentTarget as HTMLElement).clientHeight / ROW_HEIGHT_PX) - 1);
    const action = treeKeyAction(e.key, { trace, rows, collapsed: collapsed.flags, focused, pageRows });
    if (!action) return;
    e.preventDefault();
    if (action.kind === 'focus') goTo(action.span);
    else if (action.kind === 'toggle') toggle(action.span);
    else if (action.kind === 'select') select(action.span);
    else if (action.kind === 'close') closeDetail();
    else step(action.step);
  };

  return (
    <section class="trace-page" data-testid="trace-page" style={nameWidthPx === undefined ? undefined : { '--name-width': `${nameWidthPx}px` }}>
      <TraceHeader vm={vm} onFind={setQueryText} />
      <div class="trace-toolbar">
        <div class="trace-search">
          <input
            type="search"
            placeholder="Find: name, service, attribute, key=value, status=error, id"
            aria-label="Find spans in this trace"
            value={query}
            data-shortcut="search"
            data-testid="trace-search"
            onInput={(e) => setQueryText(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                step(e.shiftKey ? -1 : 1);
              } else if (e.key === 'Escape') {
                setQueryText('');
                (document.querySelector('[data-testid="waterfall"]') as HTMLElement | null)?.focus();
              }
            }}
          />
          <span class="muted trace-search-count" data-testid="trace-search-count" aria-live="polite">
            {settledQuery.trim() === '' ? '' : matches.length === 0 ? 'no match' : matchNumber > 0 ? `${matchNumber} of ${matches.length}` : `${matches.length} matches`}
          </span>
          <button type="button" class="small-button" onClick={() => step(-1)} disabled={matches.length === 0} aria-label="Previous match" title="Previous match (Shift+Enter, N)">
            ▲
          </button>
          <button type="button" class="small-button" onClick={() => step(1)} disabled={matches.length === 0} aria-label="Next match" title="Next match (Enter, n)">
            ▼
          </button>
        </div>
        <label class="trace-toggle" title="The chain the end-to-end latency waited on: walking back from the trace's end, the span each instant was waiting for is marked with a line over its bar; spans never on it are dimmed.">
          <input type="checkbox" checked={showCritical} onChange={(e) => setShowCritical(e.currentTarget.checked)} data-testid="critical-path-toggle" /> Critical path{' '}
          <span class="trace-legend-line" aria-hidden="true" />
        </label>
        <button
          type="button"
          class={logsOpen ? 'small-button active' : 'small-button'}
          aria-pressed={logsOpen}
          onClick={() => setQuery({ logs: logsOpen ? undefined : '1' }, { replace: true })}
          data-testid="open-logs"
          title="Log records that carry this trace's id"
        >
          {logsOpen ? 'Hide related logs' : 'Open related logs'}
        </button>
        <button type="button" class="small-button" onClick={() => changeCollapsed((flags) => void flags.fill(0))} data-testid="expand-all">
          Expand all
        </button>
        <button
          type="button"
          class="small-button"
          onClick={() =>
            changeCollapsed((flags) => {
              for (const s of trace.spans) flags[s.index] = s.children.length > 0 ? 1 : 0;
            })
          }
          data-testid="collapse-all"
        >
          Collapse all
        </button>
      </div>
      <Minimap vm={vm} viewport={viewport} onViewport={setViewport} rowsInView={inView} />
      <div class="trace-body">
        <Waterfall
          vm={vm}
          rows={rows}
          collapsed={collapsed.flags}
          viewport={viewport}
          focused={focused}
          selected={selected}
          matches={matchFlags}
          showCritical={showCritical}
          reveal={reveal}
          onFocusRow={setFocused}
          onSelect={select}
          onToggle={toggle}
          onKeyDown={onKeyDown}
          onViewport={setViewport}
          onNameWidth={setNameWidthPx}
          onRowsInView={(first, last) => setInView({ first, last })}
          logMarks={logMarks}
        />
        {selected >= 0 && <SpanDetail vm={vm} span={selected} onSelect={select} onClose={closeDetail} />}
      </div>
      {logsOpen && <RelatedLogs vm={vm} selected={selected} onSelect={select} onClose={() => setQuery({ logs: undefined }, { replace: true })} onMarks={setLogMarks} />}
    </section>
  );
}

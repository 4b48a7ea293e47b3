// Search: a TraceQL filter over the page's time range; the durations of the
// matching spans as a histogram where a brushed region narrows the search to
// slow spans (and can be compared with the rest); matching traces newest
// first, each opening its trace. Query, range, limit and the duration region
// live in the URL.

import { useEffect, useMemo, useState } from 'preact/hooks';
import { fetchDurations, searchTraces } from '../../api/endpoints.js';
import { useApi } from '../../api/use-api.js';
import { usePageRange } from '../../use-page-range.js';
import { PageHeader, SearchForm } from '../../components/page-header.js';
import { DataTable, type Column } from '../../components/data-table.js';
import { EmptyState, ErrorState, NoDataHint } from '../../components/states.js';
import { Link } from '../../components/link.js';
import { formatAgo, formatCount, formatDurationMs, formatTime } from '../../format.js';
import { setQuery, useQueryParams } from '../../navigation.js';
import { hrefOf, pathOf } from '../../route-match.js';
import { addConditions, durationConditions } from '../../traceql-build.js';
import { newestFirst, traceRowOf, type TraceRow } from './search-results.js';
import { TraceQLInput } from './traceql-input.js';
import { DurationHistogram } from './duration-histogram.js';
import { denseBuckets } from './histogram-layout.js';

const LIMITS = [20, 50, 100, 500];

function msParam(v: string | null): number | undefined {
  if (v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

export function SearchPage() {
  const q = useQueryParams();
  const query = q.get('q') ?? '{}';
  const limit = Number(q.get('limit') ?? 50) || 50;
  const minMs = msParam(q.get('minMs'));
  const maxMs = msParam(q.get('maxMs'));
  const { params, range, refresh } = usePageRange();
  const [text, setText] = useState(query);
  useEffect(() => setText(query), [query]);
  const keep = { from: q.get('from'), to: q.get('to') };

  const narrowed = addConditions(query, durationConditions(minMs, maxMs));
  const rangeKey = `${range.startMs}:${range.endMs}`;
  const result = useApi(`search:${narrowed}:${rangeKey}:${limit}`, (signal) => searchTraces(narrowed, range, limit, signal));
  const durations = useApi(`durations:${query}:${rangeKey}`, (signal) => fetchDurations(query, range, signal));
  const rows = result.data ? newestFirst(result.data.traces.map(traceRowOf)) : [];
  const buckets = useMemo(() => (durations.data ? denseBuckets(durations.data.buckets, durations.data.bucketsPerDecade) : []), [durations.data]);
  const now = Date.now();
  const hasSelection = minMs !== undefined || maxMs !== undefined;

  const columns: Column<TraceRow>[] = [
    {
      key: 'root',
      header: 'Trace',
      render: (r) => (
        <Link href={pathOf('/trace/:id', { id: r.traceId })} data-testid="trace-link" title={`Open trace ${r.traceId}`}>
          <strong>{r.rootService || '(root not received yet)'}</strong> {r.rootName}
        </Link>
      ),
    },
    { key: 'start', header: 'Start', render: (r) => <span title={formatTime(r.startMs)}>{formatAgo(r.startMs, now)}</span> },
    { key: 'duration', header: 'Duration', align: 'right', render: (r) => formatDurationMs(r.durationMs) },
    {
      key: 'spans',
      header: 'Spans',
      align: 'right',
      render: (r) => (
        <span data-testid="span-count" title={r.spanCountIsTotal ? `${r.matched} matched the filter` : 'spans that matched the filter'}>
          {r.spanCount}
        </span>
      ),
    },
    {
      key: 'errors',
      header: 'Errors',
      align: 'right',
      render: (r) =>
        r.errorCount > 0 ? (
          <span class="error-mark" data-testid="error-mark" title={`${r.errorCount} spans with status error`}>
            ● {r.errorCount}
          </span>
        ) : (
          ''
        ),
    },
    { key: 'id', header: 'Trace id', render: (r) => <span class="mono muted">{r.traceId.slice(0, 16)}</span> },
  ];

  const submit = (): void => setQuery({ q: text.trim() || '{}' });
  const selectionText = durationConditions(minMs, maxMs).join(' && ');

  return (
    <section>
      <PageHeader title={<h1>Search</h1>} loading={result.slow || durations.slow ? 'Searching' : undefined} range={params} onRefresh={refresh} />
      <SearchForm onSubmit={submit}>
        <TraceQLInput
          value={text}
          onInput={setText}
          onSubmit={submit}
          range={range}
          testId="traceql-input"
          placeholder='{ resource.service.name = "cart" && status = error }'
        />
        <select aria-label="Result limit" value={String(limit)} onChange={(e) => setQuery({ limit: e.currentTarget.value })}>
          {LIMITS.map((l) => (
            <option key={l} value={String(l)}>
              {l} traces
            </option>
          ))}
        </select>
      </SearchForm>
      {durations.data && durations.data.spans > 0 && (
        <div class={'panel' + (durations.stale ? ' stale' : '')}>
          <div class="histogram-header">
            <h2>
              Span durations <span class="muted">({formatCount(durations.data.spans)} matching spans)</span>
            </h2>
            {hasSelection && (
              <div class="toolbar" data-testid="duration-selection">
                <span class="chip mono">{selectionText}</span>
                <Link
                  class="button-link"
                  data-testid="compare-selection"
                  href={hrefOf('/compare', { target: 'slow', q: query, minMs, maxMs, ...keep })}
                >
                  Compare this selection
                </Link>
                <button type="button" onClick={() => setQuery({ q: narrowed, minMs: undefined, maxMs: undefined })}>
                  Add to query
                </button>
                <button type="button" aria-label="Clear the duration selection" onClick={() => setQuery({ minMs: undefined, maxMs: undefined })}>
                  ✕ Clear
                </button>
              </div>
            )}
          </div>
          <DurationHistogram
            buckets={buckets}
            bucketsPerDecade={durations.data.bucketsPerDecade}
            selection={{ minMs, maxMs }}
            onSelect={(sel) => setQuery({ minMs: sel?.minMs, maxMs: sel?.maxMs })}
          />
        </div>
      )}
      {(result.error ?? durations.error) && <ErrorState error={(result.error ?? durations.error)!} retry={() => (result.reload(), durations.reload())} title="The search failed" />}
      {result.data && rows.length === 0 && (
        <EmptyState title="No traces match">
          {query.trim() === '{}' && !hasSelection ? <NoDataHint /> : <p>Loosen the filter, clear the duration selection or widen the time range.</p>}
        </EmptyState>
      )}
      {rows.length > 0 && (
        <div class={'panel' + (result.stale ? ' stale' : '')} data-fresh={String(!result.stale)}>
          <DataTable
            testId="search-results"
            caption={`${rows.length} traces, newest first${hasSelection ? ` · ${selectionText}` : ''}`}
            rows={rows}
            columns={columns}
            rowKey={(r) => r.traceId}
            rowClass={(r) => (r.errorCount > 0 ? 'has-error' : undefined)}
          />
        </div>
      )}
      <p class="muted">
        Compare <Link href={hrefOf('/compare', { target: 'traceql', q: narrowed, ...keep })}>these spans with all others</Link> or{' '}
        <Link href={hrefOf('/compare', { target: 'errors', q: narrowed, ...keep })}>their errors with the rest of them</Link>.
      </p>
    </section>
  );
}

// Search: a TraceQL filter over the page's time range; matching traces newest
// first, each opening its trace. Query, range and limit live in the URL.

import { useEffect, useState } from 'preact/hooks';
import { searchTraces } from '../../api/endpoints.js';
import { useApi } from '../../api/use-api.js';
import { usePageRange } from '../../use-page-range.js';
import { TimeRangePicker } from '../../components/time-range-picker.js';
import { DataTable, type Column } from '../../components/data-table.js';
import { EmptyState, ErrorState, Loading, NoDataHint } from '../../components/states.js';
import { Link } from '../../components/link.js';
import { formatAgo, formatDurationMs, formatTime } from '../../format.js';
import { setQuery, useQueryParams } from '../../navigation.js';
import { hrefOf, pathOf } from '../../route-match.js';
import { newestFirst, traceRowOf, type TraceRow } from './search-results.js';

const LIMITS = [20, 50, 100, 500];

export function SearchPage() {
  const q = useQueryParams();
  const query = q.get('q') ?? '{}';
  const limit = Number(q.get('limit') ?? 50) || 50;
  const { params, range, refresh } = usePageRange();
  const [text, setText] = useState(query);
  useEffect(() => setText(query), [query]);

  const key = `search:${query}:${range.startMs}:${range.endMs}:${limit}`;
  const result = useApi(key, (signal) => searchTraces(query, range, limit, signal));
  const rows = result.data ? newestFirst(result.data.traces.map(traceRowOf)) : [];
  const now = Date.now();

  const columns: Column<TraceRow>[] = [
    {
      key: 'root',
      header: 'Trace',
      render: (r) => (
        <Link href={pathOf('/trace/:id', { id: r.traceId })} data-testid="trace-link" title={`Open trace ${r.traceId}`}>
          <strong>{r.rootService}</strong> {r.rootName}
        </Link>
      ),
    },
    { key: 'start', header: 'Start', render: (r) => <span title={formatTime(r.startMs)}>{formatAgo(r.startMs, now)}</span> },
    { key: 'duration', header: 'Duration', align: 'right', render: (r) => formatDurationMs(r.durationMs) },
    {
      key: 'spans',
      header: 'Spans',
      align: 'right',
      render: (r) => <span title={r.spanCountIsTotal ? `${r.matched} matched the filter` : 'spans that matched the filter'}>{r.spanCount}</span>,
    },
    {
      key: 'errors',
      header: 'Errors',
      align: 'right',
      render: (r) => (r.errorCount > 0 ? <span class="error-mark" title={`${r.errorCount} spans with status error`}>● {r.errorCount}</span> : ''),
    },
    { key: 'id', header: 'Trace id', render: (r) => <span class="mono muted">{r.traceId.slice(0, 16)}</span> },
  ];

  const submit = (): void => setQuery({ q: text.trim() || '{}' });

  return (
    <section>
      <div class="page-header">
        <h1>Search</h1>
        {result.slow && <Loading what="Searching" />}
        <TimeRangePicker range={params} onRefresh={refresh} />
      </div>
      <form
        class="panel search-form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <input
          class="code traceql-input"
          data-shortcut="search"
          data-testid="traceql-input"
          aria-label="TraceQL query"
          spellcheck={false}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          placeholder='{ resource.service.name = "cart" && status = error }'
        />
        <select aria-label="Result limit" value={String(limit)} onChange={(e) => setQuery({ limit: e.currentTarget.value })}>
          {LIMITS.map((l) => (
            <option key={l} value={String(l)}>
              {l} traces
            </option>
          ))}
        </select>
        <button type="submit" class="primary">
          Search
        </button>
      </form>
      {result.error && <ErrorState error={result.error} retry={result.reload} title="The search failed" />}
      {result.data && rows.length === 0 && (
        <EmptyState title="No traces match">
          {query.trim() === '{}' ? <NoDataHint /> : <p>Loosen the filter or widen the time range.</p>}
        </EmptyState>
      )}
      {rows.length > 0 && (
        <div class={'panel' + (result.loading ? ' stale' : '')}>
          <DataTable
            testId="search-results"
            caption={`${rows.length} traces, newest first`}
            rows={rows}
            columns={columns}
            rowKey={(r) => r.traceId}
            rowClass={(r) => (r.errorCount > 0 ? 'has-error' : undefined)}
          />
        </div>
      )}
      <p class="muted">
        Open the same query as <Link href={hrefOf('/compare', { target: 'traceql', q: query, from: q.get('from'), to: q.get('to') })}>a comparison</Link>{' '}
        against the other spans.
      </p>
    </section>
  );
}

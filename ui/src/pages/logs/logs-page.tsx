// Logs: a LogQL-like query over the page's time range (docs/logs.md); the
// volume of matching records per severity over time, where dragging zooms the
// range; the records newest first, each expanding to its full JSON and
// linking to its trace; older pages on demand. Query and range live in the URL.

import { useEffect, useMemo, useState } from 'preact/hooks';
import { fetchLogHistogram, searchLogs } from '../../api/endpoints.js';
import { useApi } from '../../api/use-api.js';
import type { LogRecord } from '../../api/types.js';
import { usePageRange } from '../../use-page-range.js';
import { PageHeader, SearchForm } from '../../components/page-header.js';
import { Chart } from '../../components/chart.js';
import { EmptyState, ErrorState } from '../../components/states.js';
import { Link } from '../../components/link.js';
import { formatCount, formatTime } from '../../format.js';
import { setQuery, useQueryParams } from '../../navigation.js';
import { pathOf } from '../../route-match.js';
import { cssVar } from '../../theme.js';
import { histogramSeries, logRowOf, type LogLevel } from './logs-results.js';

const PAGE_SIZE = 100;

/** Colour per level: errors in the error colour, the rest from the palette. */
function levelColor(level: LogLevel): string {
  const variable: Record<LogLevel, string> = {
    unspecified: '--muted',
    trace: '--series-6',
    debug: '--series-5',
    info: '--series-1',
    warn: '--series-3',
    error: '--error',
    fatal: '--series-8',
  };
  return cssVar(variable[level]) || '#888';
}

function LogEntry({ record, index }: { record: LogRecord; index: number }) {
  const [open, setOpen] = useState(false);
  const row = logRowOf(record, index);
  return (
    <li class={`log-entry level-${row.level}`} data-testid="log-entry">
      <button type="button" class="log-line" aria-expanded={open} onClick={() => setOpen(!open)} data-testid="log-line">
        <span class="mono muted">{formatTime(row.timeMs)}</span>
        <span class={`chip level level-${row.level}`}>{row.severityText}</span>
        <strong>{row.service}</strong>
        <span class="log-message">{row.message}</span>
      </button>
      {open && (
        <div class="log-detail">
          {row.traceId && (
            <p>
              <Link href={pathOf('/trace/:id', { id: row.traceId })} data-testid="log-trace-link">
                Open trace {row.traceId}
              </Link>
            </p>
          )}
          <pre class="mono" data-testid="log-json">
            {JSON.stringify(record, null, 2)}
          </pre>
        </div>
      )}
    </li>
  );
}

export function LogsPage() {
  const q = useQueryParams();
  const query = q.get('q') ?? '';
  const { params, range, refresh } = usePageRange();
  const [text, setText] = useState(query);
  useEffect(() => setText(query), [query]);
  const rangeKey = `${range.startMs}:${range.endMs}`;
  const first = useApi(`logs:${query}:${rangeKey}`, (signal) => searchLogs(query, range, PAGE_SIZE, undefined, signal));
  const histogram = useApi(`log-histogram:${query}:${rangeKey}`, (signal) => fetchLogHistogram(query, range, signal));
  // Older pages, appended below the first one; reset when the first one changes.
  const [older, setOlder] = useState<{ records: LogRecord[]; cursor: string | undefined; loading: boolean }>({ records: [], cursor: undefined, loading: false });
  useEffect(() => setOlder({ records: [], cursor: first.data?.nextCursor, loading: false }), [first.data]);
  const records = useMemo(() => [...(first.data?.records ?? []), ...older.records], [first.data, older.records]);
  const chart = useMemo(() => (histogram.data ? histogramSeries(histogram.data) : undefined), [histogram.data]);
  const total = chart ? chart.series.reduce((n, s) => n + s.counts.reduce((a, b) => a + b, 0), 0) : 0;

  const loadOlder = async (): Promise<void> => {
    if (!older.cursor) return;
    setOlder((o) => ({ ...o, loading: true }));
    const page = await searchLogs(query, range, PAGE_SIZE, older.cursor);
    setOlder((o) => ({ records: [...o.records, ...page.records], cursor: page.nextCursor, loading: false }));
  };
  const submit = (): void => setQuery({ q: text.trim() || undefined });

  return (
    <section>
      <PageHeader title={<h1>Logs</h1>} loading={first.slow || histogram.slow ? 'Searching' : undefined} range={params} onRefresh={refresh} />
      <SearchForm onSubmit={submit}>
        <input
          type="search"
          class="mono grow"
          data-testid="logs-query"
          data-shortcut="search"
          aria-label="Log query"
          placeholder='{service="cart"} |= "timeout" | severity >= WARN'
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </SearchForm>
      {(first.error ?? histogram.error) && <ErrorState error={(first.error ?? histogram.error)!} retry={() => (first.reload(), histogram.reload())} title="The log search failed" />}
      {chart && total > 0 && (
        <div class={'panel' + (histogram.loading ? ' stale' : '')}>
          <h2>
            Volume <span class="muted">({formatCount(total)} records)</span>
          </h2>
          <Chart
            title="Log records by severity"
            testId="logs-histogram"
            timestampsMs={chart.timestampsMs}
            series={chart.series.map((s) => ({ label: s.level, values: s.counts, color: levelColor(s.level) }))}
            format={(v) => formatCount(v)}
            height={140}
            onSelectRange={(from, to) => setQuery({ from: Math.floor(from), to: Math.ceil(to) })}
          />
        </div>
      )}
      {first.data && records.length === 0 && (
        <EmptyState title="No log records match">
          <p>Loosen the query or widen the time range. Words match whole words, case-insensitively; "quoted words" match a phrase.</p>
        </EmptyState>
      )}
      {records.length > 0 && (
        <div class={'panel' + (first.loading ? ' stale' : '')}>
          <p class="muted">{records.length} records, newest first</p>
          <ul class="log-list" data-testid="log-list">
            {records.map((r, i) => (
              <LogEntry key={`${r.timeUnixNano}:${i}`} record={r} index={i} />
            ))}
          </ul>
          {older.cursor && (
            <button type="button" data-testid="logs-older" disabled={older.loading} onClick={() => void loadOlder()}>
              {older.loading ? 'Loading…' : 'Older records'}
            </button>
          )}
        </div>
      )}
    </section>
  );
}

// Metrics: a metric and label browser, a PromQL box with completion, and the
// answer as a chart (uPlot) or a table, as a range or an instant query. The
// query, mode, view, chosen metric and time range live in the URL.

import { useEffect, useMemo, useState } from 'preact/hooks';
import { promLabelValues, promQuery, promQueryRange } from '../../api/endpoints.js';
import type { PromQueryData } from '../../api/types.js';
import { useApi } from '../../api/use-api.js';
import { Chart } from '../../components/chart.js';
import { DataTable, type Column } from '../../components/data-table.js';
import { EmptyState, ErrorState, Loading } from '../../components/states.js';
import { PageHeader } from '../../components/page-header.js';
import { formatTime } from '../../format.js';
import { setQuery, useQueryParams } from '../../navigation.js';
import { usePageRange } from '../../use-page-range.js';
import { MetricBrowser } from './metric-browser.js';
import { PromqlEditor } from './promql-editor.js';
import { autoStepSeconds, chartData, tableRows, type TableRow } from './query-result.js';

const MAX_CHART_SERIES = 50;

type Mode = 'range' | 'instant';
type View = 'chart' | 'table';
const MODES: readonly [Mode, string][] = [
  ['range', 'Range'],
  ['instant', 'Instant'],
];
const VIEWS: readonly [View, string][] = [
  ['chart', 'Chart'],
  ['table', 'Table'],
];

/** A row of radio buttons; each has data-testid `<testIdPrefix>-<value>` (mode-range, view-table…). */
function Segmented<T extends string>({ label, testIdPrefix, options, value, onPick }: { label: string; testIdPrefix: string; options: readonly [T, string][]; value: T; onPick: (v: T) => void }) {
  return (
    <div class="segmented" role="radiogroup" aria-label={label}>
      {options.map(([v, text]) => (
        <button key={v} type="button" role="radio" aria-checked={value === v} class={value === v ? 'active' : undefined} data-testid={`${testIdPrefix}-${v}`} onClick={() => onPick(v)}>
          {text}
        </button>
      ))}
    </div>
  );
}

const COLUMNS: readonly Column<TableRow>[] = [
  { key: 'series', header: 'Series', render: (r) => <code>{r.series}</code>, sortValue: (r) => r.series },
  { key: 'value', header: 'Value', render: (r) => r.value, sortValue: (r) => Number(r.value), align: 'right', width: '10rem' },
  { key: 'time', header: 'At', render: (r) => <time dateTime={new Date(r.timeMs).toISOString()} data-time-ms={r.timeMs}>{formatTime(r.timeMs)}</time>, sortValue: (r) => r.timeMs, align: 'right', width: '12rem' },
  { key: 'points', header: 'Points', render: (r) => r.points, sortValue: (r) => r.points, align: 'right', width: '6rem' },
];

function formatValue(v: number): string {
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return v.toExponential(2);
  return String(Math.round(v * 1000) / 1000);
}

export function MetricsPage() {
  const q = useQueryParams();
  const { params, range, refresh } = usePageRange();
  const ran = q.get('q') ?? '';
  const mode: Mode = q.get('mode') === 'instant' ? 'instant' : 'range';
  const view: View = q.get('view') === 'table' ? 'table' : 'chart';
  const metric = q.get('metric') ?? '';
  const run = q.get('run') ?? '';
  const [text, setText] = useState(ran);
  useEffect(() => setText(ran), [ran]);

  const names = useApi(`metric-names:${range.startMs}:${range.endMs}`, (signal) => promLabelValues('__name__', undefined, range, signal));
  const step = autoStepSeconds(range.endMs - range.startMs);
  const result = useApi<PromQueryData>(ran ? `${mode}:${run}:${range.startMs}:${range.endMs}:${ran}` : undefined, (signal) =>
    mode === 'range' ? promQueryRange(ran, range, step, signal) : promQuery(ran, range.endMs, signal),
  );
  const chart = useMemo(() => (result.data ? chartData(result.data, MAX_CHART_SERIES) : undefined), [result.data]);
  const rows = useMemo(() => (result.data ? tableRows(result.data) : []), [result.data]);

  const submit = (query = text): void => setQuery({ q: query.trim(), run: String(Date.now() % 1e6) });

  return (
    <section>
      <PageHeader title={<h1>Metrics</h1>} range={params} onRefresh={refresh} />
      <div class="metrics-layout">
        <MetricBrowser
          metricNames={names.data ?? []}
          namesError={names.error}
          metric={metric}
          range={range}
          onMetric={(name) => setQuery({ metric: name, q: name, run: String(Date.now() % 1e6) })}
          onLabelValue={(m, label, value) => submit(`${m}{${label}=${JSON.stringify(value)}}`)}
        />
        <div class="metrics-main">
          <form
            class="panel"
            onSubmit={(e) => {
              e.preventDefault();
              submit();
            }}
          >
            <PromqlEditor value={text} onChange={setText} onRun={() => submit()} metricNames={names.data ?? []} range={range} />
            <div class="toolbar">
              <button type="submit" class="primary" data-testid="promql-run" title="Enter runs the query; Shift+Enter starts a new line">
                Run
              </button>
              <Segmented label="Query type" testIdPrefix="mode" options={MODES} value={mode} onPick={(m) => setQuery({ mode: m === 'range' ? undefined : m })} />
              <Segmented label="Show as" testIdPrefix="view" options={VIEWS} value={view} onPick={(v) => setQuery({ view: v === 'chart' ? undefined : v })} />
              {result.loading && result.slow && <Loading what="Querying" />}
              {result.data && (
                <span class="muted" data-testid="promql-summary">
                  {rows.length} series{mode === 'range' ? ` · step ${step}s` : ` · at ${formatTime(range.endMs)}`}
                  {chart && chart.omitted > 0 && view === 'chart' ? ` · chart shows the first ${MAX_CHART_SERIES}` : ''}
                </span>
              )}
            </div>
          </form>
          {result.error && <ErrorState error={result.error} title="The query failed" />}
          {!ran && (
            <EmptyState title="Pick a metric or write a PromQL query">
              <p>Names, labels and values complete as you type. Range queries draw a line per series over the page’s time range; instant queries answer at its end.</p>
            </EmptyState>
          )}
          {result.data && rows.length === 0 && <EmptyState title="No series match in this time range" />}
          {result.data && rows.length > 0 && view === 'chart' && chart && (
            <div class={result.loading ? 'stale' : undefined}>
              <Chart title={ran} testId="promql-chart" timestampsMs={chart.timestampsMs} series={chart.series} format={formatValue} height={320} onSelectRange={(s, e) => setQuery({ from: String(Math.floor(s)), to: String(Math.ceil(e)) })} />
            </div>
          )}
          {result.data && rows.length > 0 && view === 'table' && (
            <div class={'panel' + (result.loading ? ' stale' : '')}>
              <DataTable rows={rows} columns={COLUMNS} rowKey={(r) => r.key} testId="promql-table" />
            </div>
          )}
        </div>
      </div>
    </section>
  );
}

// Compare: what sets errors, a slow duration region or a TraceQL selection
// apart from the rest — every dimension=value ranked by score, as bars of its
// share of the target against its share of the baseline. A value leads to
// Search narrowed to it.

import { useEffect, useState } from 'preact/hooks';
import { fetchCompare } from '../../api/endpoints.js';
import { useApi } from '../../api/use-api.js';
import type { CompareResponse, LatencyRow } from '../../api/types.js';
import { usePageRange } from '../../use-page-range.js';
import { PageHeader } from '../../components/page-header.js';
import { EmptyState, ErrorState } from '../../components/states.js';
import { DataTable, type Column } from '../../components/data-table.js';
import { Link } from '../../components/link.js';
import { formatCount, formatPercent } from '../../format.js';
import { setQuery, useQueryParams } from '../../navigation.js';
import { hrefOf } from '../../route-match.js';
import { compareRequestOf, compareStateOf, describeTarget, searchFilterFor, type ComparePageState, type CompareMode } from './compare-query.js';
import { ShareBars } from './share-bars.js';

const MODES: readonly { mode: CompareMode; label: string }[] = [
  { mode: 'errors', label: 'Errors' },
  { mode: 'slow', label: 'Slow' },
  { mode: 'traceql', label: 'Filter' },
];

export function ComparePage() {
  const q = useQueryParams();
  const state = compareStateOf(q);
  const { params, range, refresh } = usePageRange();
  const request = compareRequestOf(state);
  const key = `compare:${JSON.stringify(request)}:${range.startMs}:${range.endMs}`;
  const result = useApi(key, (signal) => fetchCompare(range, request, signal));
  const keep = { from: q.get('from'), to: q.get('to') };

  return (
    <section>
      <PageHeader title={<h1>Compare</h1>} loading={result.slow ? 'Comparing' : undefined} range={params} onRefresh={refresh} />
      <CompareForm state={state} />
      {result.error && <ErrorState error={result.error} retry={result.reload} title="The comparison failed" />}
      {result.data && <CompareResult data={result.data} state={state} keep={keep} stale={result.stale} />}
    </section>
  );
}

function CompareForm({ state }: { state: ComparePageState }) {
  const [filter, setFilter] = useState(state.filter);
  const [minMs, setMinMs] = useState(state.minMs === undefined ? '' : String(state.minMs));
  const [maxMs, setMaxMs] = useState(state.maxMs === undefined ? '' : String(state.maxMs));
  useEffect(() => setFilter(state.filter), [state.filter]);
  useEffect(() => setMinMs(state.minMs === undefined ? '' : String(state.minMs)), [state.minMs]);
  useEffect(() => setMaxMs(state.maxMs === undefined ? '' : String(state.maxMs)), [state.maxMs]);
  return (
    <form
      class="panel compare-form"
      onSubmit={(e) => {
        e.preventDefault();
        setQuery({ q: filter.trim(), minMs: state.mode === 'slow' ? minMs : undefined, maxMs: state.mode === 'slow' ? maxMs : undefined });
      }}
    >
      <div class="segmented" role="radiogroup" aria-label="What to explain">
        {MODES.map((m) => (
          <button
            key={m.mode}
            type="button"
            role="radio"
            aria-checked={state.mode === m.mode}
            class={state.mode === m.mode ? 'active' : undefined}
            onClick={() => setQuery({ target: m.mode })}
          >
            {m.label}
          </button>
        ))}
      </div>
      <input
        class="code traceql-input"
        data-shortcut="search"
        data-testid="compare-filter"
        aria-label={state.mode === 'traceql' ? 'TraceQL selection to explain' : 'TraceQL filter both sides are drawn from'}
        placeholder={state.mode === 'traceql' ? '{ span.http.route = "/api/cart" }' : 'within: { resource.service.name = "cart" } (optional)'}
        spellcheck={false}
        value={filter}
        onInput={(e) => setFilter(e.currentTarget.value)}
      />
      {state.mode === 'slow' && (
        <>
          <label class="inline-label">
            from <input type="number" min="0" step="any" class="ms-input" aria-label="Minimum duration in ms" value={minMs} onInput={(e) => setMinMs(e.currentTarget.value)} /> ms
          </label>
          <label class="inline-label">
            to <input type="number" min="0" step="any" class="ms-input" aria-label="Maximum duration in ms" value={maxMs} onInput={(e) => setMaxMs(e.currentTarget.value)} /> ms
          </label>
        </>
      )}
      <select aria-label="Compare spans or traces" value={state.level} onChange={(e) => setQuery({ level: e.currentTarget.value === 'trace' ? 'trace' : undefined })}>
        <option value="span">spans</option>
        <option value="trace">traces</option>
      </select>
      <button type="submit" class="primary">
        Compare
      </button>
    </form>
  );
}

function CompareResult({ data, state, keep, stale }: { data: CompareResponse; state: ComparePageState; keep: Record<string, string | null>; stale: boolean }) {
  const unit = data.level === 'trace' ? 'traces' : 'spans';
  const targetCount = data.level === 'trace' ? (data.target.traces ?? data.target.spans) : data.target.spans;
  const baselineCount = data.level === 'trace' ? (data.baseline.traces ?? data.baseline.spans) : data.baseline.spans;
  if (targetCount === 0) {
    return (
      <EmptyState title={`No ${describeTarget(state)} in this time range`}>
        <p>Widen the time range, loosen the filter, or pick another target above.</p>
      </EmptyState>
    );
  }
  const rows = data.dimensions.filter((d) => d.score > 0);
  const maxShare = Math.max(0.0001, ...rows.map((r) => Math.max(r.targetShare, r.baselineShare)));
  const hrefFor = (dimension: string, value: string): string | undefined => {
    const filter = searchFilterFor(state, dimension, value);
    return filter === undefined ? undefined : hrefOf('/search', { q: filter, ...keep });
  };
  const latencyColumns: Column<LatencyRow>[] = [
    {
      key: 'value',
      header: 'Value',
      render: (r) => {
        const href = hrefFor(r.dimension, r.value);
        const text = `${r.dimension} = ${r.value}`;
        return href ? <Link href={href}>{text}</Link> : text;
      },
    },
    { key: 'direction', header: '', render: (r) => <span class={r.direction === 'slower' ? 'bad' : undefined}>{r.direction}</span> },
    { key: 'ratio', header: 'Duration ×', align: 'right', render: (r) => `${r.durationRatio.toFixed(1)}×` },
    { key: 'p90', header: 'Above p90', align: 'right', render: (r) => `${formatPercent(r.aboveP90Share)} vs ${formatPercent(r.aboveP90ShareOthers)}` },
    { key: 'spans', header: 'Spans', align: 'right', render: (r) => formatCount(r.spans) },
  ];
  return (
    <div class={stale ? 'stale' : undefined}>
      <p class="compare-summary" data-testid="compare-summary">
        <span class="legend-swatch target" /> <strong>{formatCount(targetCount)}</strong> {describeTarget(state)} ({unit}) against{' '}
        <span class="legend-swatch baseline" /> <strong>{formatCount(baselineCount)}</strong> other {unit}
        {data.sample && <span class="muted"> · a {formatPercent(data.sample.fraction)} sample of about {formatCount(data.sample.estimatedSpans)} spans</span>}
        {data.excluded.length > 0 && <span class="muted"> · not ranked: {data.excluded.join(', ')}</span>}
      </p>
      {data.culprit && (
        <div class="panel culprit" data-testid="compare-culprit">
          Most telling: <strong>{data.culprit.dimension} = {data.culprit.value}</strong> — {formatPercent(data.culprit.targetShare)} of the target against{' '}
          {formatPercent(data.culprit.baselineShare)} of the rest ({data.culprit.lift.toFixed(1)}×).
        </div>
      )}
      {rows.length === 0 ? (
        <EmptyState title="Nothing sets the target apart">
          <p>No attribute value is over-represented in the target. Try a narrower target or a longer time range.</p>
        </EmptyState>
      ) : (
        <div class="panel">
          <h2>Over-represented in the target</h2>
          <ol class="share-list" data-testid="compare-dimensions">
            {rows.map((r) => (
              <ShareBars key={`${r.dimension}=${r.value}`} row={r} maxShare={maxShare} searchHref={hrefFor(r.dimension, r.value)} />
            ))}
          </ol>
        </div>
      )}
      {data.latency.length > 0 && (
        <div class="panel">
          <h2>Slower or faster than the rest of their operations</h2>
          <DataTable rows={data.latency} columns={latencyColumns} rowKey={(r) => `${r.dimension}=${r.value}`} />
        </div>
      )}
      {data.highCardinality.length > 0 && (
        <p class="muted">
          Mostly unique, listed only when confident: {data.highCardinality.map((h) => `${h.dimension} (${formatCount(h.distinct)} values)`).join(', ')}.
        </p>
      )}
    </div>
  );
}

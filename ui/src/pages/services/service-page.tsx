// One service: its rate, errors and latency quantiles over time, and the same
// figures per operation; each operation leads to its traces in Search and to
// a comparison of its errors.

import { useApi } from '../../api/use-api.js';
import { fetchHealth } from '../../api/endpoints.js';
import type { HealthGroup, HealthResponse } from '../../api/types.js';
import { usePageRange } from '../../use-page-range.js';
import { stepSecondsFor } from '../../time-range.js';
import { PageHeader } from '../../components/page-header.js';
import { DataTable, type Column } from '../../components/data-table.js';
import { formatSort, parseSort } from '../../components/table-sort.js';
import { EmptyState, ErrorState } from '../../components/states.js';
import { Link } from '../../components/link.js';
import { Sparkline } from '../../components/sparkline.js';
import { formatCount, formatDurationMs, formatPercent, formatRate } from '../../format.js';
import { setQuery, useQueryParams } from '../../navigation.js';
import { hrefOf } from '../../route-match.js';
import { operationFilter } from '../../traceql-build.js';
import { HealthCharts } from './health-charts.js';

function operationKey(g: HealthGroup): string {
  return `${g.labels['name'] ?? ''}\u0000${g.labels['kind'] ?? ''}`;
}

/** The service's own group of the overview, as a one-group answer for the charts. */
function serviceOnly(overview: HealthResponse, service: string): HealthResponse | undefined {
  const group = overview.groups.find((g) => g.labels['service'] === service);
  return group ? { ...overview, groups: [group] } : undefined;
}

export function ServicePage({ params: routeParams }: { params: Record<string, string> }) {
  const service = routeParams['service'] ?? '';
  const q = useQueryParams();
  const { params, range, refresh } = usePageRange();
  const step = stepSecondsFor(range);
  const rangeKey = `${range.startMs}:${range.endMs}:${step}`;
  const overview = useApi(`health:${rangeKey}`, (signal) => fetchHealth(range, step, {}, signal));
  const operations = useApi(`health:${rangeKey}:${service}`, (signal) => fetchHealth(range, step, { service }, signal));
  const sort = parseSort(q.get('sort'), { key: 'rate', descending: true });
  const keep = { from: q.get('from'), to: q.get('to') };
  const own = overview.data && serviceOnly(overview.data, service);

  const columns: Column<HealthGroup>[] = [
    {
      key: 'name',
      header: 'Operation',
      sortValue: (g) => g.labels['name'] ?? '',
      render: (g) => (
        <Link href={hrefOf('/search', { q: operationFilter(service, g.labels['name'] ?? ''), ...keep })} data-testid="operation-link" title="Find traces of this operation">
          {g.labels['name'] ?? '(none)'}
        </Link>
      ),
    },
    { key: 'kind', header: 'Kind', sortValue: (g) => g.labels['kind'] ?? '', render: (g) => <span class="muted">{g.labels['kind']}</span> },
    { key: 'rate', header: 'Rate', align: 'right', sortValue: (g) => g.totals.ratePerSecond, render: (g) => formatRate(g.totals.ratePerSecond) },
    { key: 'rate-trend', header: 'Requests', render: (g) => <Sparkline values={g.series.ratePerSecond} label={`requests per second of ${g.labels['name']}`} /> },
    {
      key: 'errors',
      header: 'Error %',
      align: 'right',
      sortValue: (g) => g.totals.errorRatio,
      render: (g) => (
        <span class={g.totals.errors > 0 ? 'bad' : undefined} title={`${formatCount(g.totals.errors)} errors of ${formatCount(g.totals.requests)}`}>
          {formatPercent(g.totals.errorRatio)}
        </span>
      ),
    },
    { key: 'p50', header: 'p50', align: 'right', sortValue: (g) => g.totals.p50Ms, render: (g) => formatDurationMs(g.totals.p50Ms) },
    { key: 'p99', header: 'p99', align: 'right', sortValue: (g) => g.totals.p99Ms, render: (g) => formatDurationMs(g.totals.p99Ms) },
    { key: 'p99-trend', header: 'Latency p99', render: (g) => <Sparkline values={g.series.p99Ms} label={`p99 latency of ${g.labels['name']}`} /> },
    {
      key: 'actions',
      header: '',
      render: (g) => {
        const filter = operationFilter(service, g.labels['name'] ?? '');
        return (
          <span class="toolbar">
            <Link href={hrefOf('/search', { q: filter, ...keep })}>Traces</Link>
            {g.totals.errors > 0 && <Link href={hrefOf('/compare', { target: 'errors', q: filter, ...keep })}>Why errors?</Link>}
            <Link href={hrefOf('/compare', { target: 'slow', q: filter, ...keep })}>Why slow?</Link>
          </span>
        );
      },
    },
  ];

  const error = overview.error ?? operations.error;
  return (
    <section>
      <div class="breadcrumbs">
        <Link href={hrefOf('/services', keep)}>Services</Link> /
      </div>
      <PageHeader
        title={<h1 data-testid="service-title">{service}</h1>}
        loading={overview.slow || operations.slow ? 'Loading service health' : undefined}
        range={params}
        onRefresh={refresh}
      >
        <Link href={hrefOf('/search', { q: operationFilter(service), ...keep })}>Search its traces</Link>
      </PageHeader>
      {error && <ErrorState error={error} retry={() => (overview.reload(), operations.reload())} />}
      {overview.data && !own && (
        <EmptyState title={`No spans of ${service} in this time range`}>
          <p>
            Widen the time range, or go back to <Link href={hrefOf('/services', keep)}>all services</Link>.
          </p>
        </EmptyState>
      )}
      {own && <HealthCharts health={own} label={() => service} quantiles />}
      {operations.data && operations.data.groups.length > 0 && (
        <div class={'panel' + (operations.stale ? ' stale' : '')}>
          <DataTable
            testId="operations-table"
            caption={`${operations.data.groups.length} operations`}
            rows={operations.data.groups}
            columns={columns}
            rowKey={operationKey}
            sort={sort}
            onSort={(s) => setQuery({ sort: formatSort(s) }, { replace: true })}
            rowClass={(g) => (g.totals.errors > 0 ? 'has-error' : undefined)}
          />
        </div>
      )}
    </section>
  );
}

// Services: every service's rate, error ratio and latency over the page's time
// range, charts over time, and a table to drill into a service.

import { useApi } from '../../api/use-api.js';
import { fetchHealth } from '../../api/endpoints.js';
import type { HealthGroup } from '../../api/types.js';
import { usePageRange } from '../../use-page-range.js';
import { stepSecondsFor } from '../../time-range.js';
import { PageHeader } from '../../components/page-header.js';
import { DataTable, type Column } from '../../components/data-table.js';
import { formatSort, parseSort } from '../../components/table-sort.js';
import { EmptyState, ErrorState, NoDataHint } from '../../components/states.js';
import { Link } from '../../components/link.js';
import { Sparkline } from '../../components/sparkline.js';
import { formatDurationMs, formatPercent, formatRate } from '../../format.js';
import { setQuery, useQueryParams } from '../../navigation.js';
import { hrefOf, pathOf } from '../../route-match.js';
import { HealthCharts } from './health-charts.js';
import { TopOperations } from './top-operations.js';

function serviceOf(g: HealthGroup): string {
  return g.labels['service'] ?? '(unknown)';
}

export function ServicesPage() {
  const q = useQueryParams();
  const { params, range, refresh } = usePageRange();
  const step = stepSecondsFor(range);
  const key = `health:${range.startMs}:${range.endMs}:${step}`;
  const health = useApi(key, (signal) => fetchHealth(range, step, { top: 5 }, signal));
  const sort = parseSort(q.get('sort'), { key: 'rate', descending: true });
  const keep = { from: q.get('from'), to: q.get('to') };

  const columns: Column<HealthGroup>[] = [
    {
      key: 'service',
      header: 'Service',
      sortValue: serviceOf,
      render: (g) => (
        <Link href={hrefOf(pathOf('/services/:service', { service: serviceOf(g) }), keep)} data-testid="service-link">
          {serviceOf(g)}
        </Link>
      ),
    },
    { key: 'rate', header: 'Rate', align: 'right', sortValue: (g) => g.totals.ratePerSecond, render: (g) => formatRate(g.totals.ratePerSecond) },
    {
      key: 'rate-trend',
      header: 'Requests',
      render: (g) => <Sparkline values={g.series.ratePerSecond} label={`requests per second of ${serviceOf(g)}`} />,
    },
    {
      key: 'errors',
      header: 'Error %',
      align: 'right',
      sortValue: (g) => g.totals.errorRatio,
      render: (g) => <span class={g.totals.errors > 0 ? 'bad' : undefined}>{formatPercent(g.totals.errorRatio)}</span>,
    },
    {
      key: 'errors-trend',
      header: 'Errors',
      render: (g) => <Sparkline values={g.series.errorRatio} tone="error" label={`error ratio of ${serviceOf(g)}`} />,
    },
    { key: 'p50', header: 'p50', align: 'right', sortValue: (g) => g.totals.p50Ms, render: (g) => formatDurationMs(g.totals.p50Ms) },
    { key: 'p99', header: 'p99', align: 'right', sortValue: (g) => g.totals.p99Ms, render: (g) => formatDurationMs(g.totals.p99Ms) },
    {
      key: 'p99-trend',
      header: 'Latency p99',
      render: (g) => <Sparkline values={g.series.p99Ms} label={`p99 latency of ${serviceOf(g)}`} />,
    },
  ];

  return (
    <section>
      <PageHeader title={<h1>Services</h1>} loading={health.slow ? 'Loading service health' : undefined} range={params} onRefresh={refresh} />
      {health.error && <ErrorState error={health.error} retry={health.reload} />}
      {health.data && health.data.groups.length === 0 && (
        <EmptyState title="No spans in this time range">
          <NoDataHint />
        </EmptyState>
      )}
      {health.data && health.data.groups.length > 0 && (
        <div class={health.stale ? 'stale' : undefined}>
          <HealthCharts health={health.data} label={(l) => l['service'] ?? '(unknown)'} />
          <TopOperations top={health.data.topOperations} keep={keep} />
          <div class="panel">
            <DataTable
              testId="services-table"
              caption={`${health.data.groups.length} services`}
              rows={health.data.groups}
              columns={columns}
              rowKey={serviceOf}
              sort={sort}
              onSort={(s) => setQuery({ sort: formatSort(s) }, { replace: true })}
              rowClass={(g) => (g.totals.errors > 0 ? 'has-error' : undefined)}
            />
          </div>
        </div>
      )}
    </section>
  );
}

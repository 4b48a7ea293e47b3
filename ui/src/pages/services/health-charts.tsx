// The three RED charts (request rate, error ratio, latency) over a health
// answer's steps, shared by the services overview and a service's page.

import { Chart, type ChartSeries } from '../../components/chart.js';
import { formatDurationMs, formatPercent, formatRate } from '../../format.js';
import { setQuery } from '../../navigation.js';
import type { HealthResponse } from '../../api/types.js';
import { useMemo } from 'preact/hooks';

export interface HealthChartsProps {
  health: HealthResponse;
  /** one line per group, labelled by this; or, when `quantiles` is set, the first group's quantiles */
  label: (labels: Record<string, string | null>) => string;
  /** latency chart shows p50/p90/p99 of the first group instead of p99 per group */
  quantiles?: boolean;
  maxLines?: number;
}

/** Dragging across a chart zooms the page's time range to the selection. */
function zoomTo(startMs: number, endMs: number): void {
  setQuery({ from: String(Math.floor(startMs)), to: String(Math.ceil(endMs)) });
}

export function HealthCharts({ health, label, quantiles = false, maxLines = 8 }: HealthChartsProps) {
  const groups = health.groups.slice(0, maxLines);
  const rate = useMemo<ChartSeries[]>(() => groups.map((g) => ({ label: label(g.labels), values: g.series.ratePerSecond })), [health]);
  const errors = useMemo<ChartSeries[]>(() => groups.map((g) => ({ label: label(g.labels), values: g.series.errorRatio })), [health]);
  const latency = useMemo<ChartSeries[]>(() => {
    const first = groups[0];
    if (quantiles && first) {
      return [
        { label: 'p50', values: first.series.p50Ms },
        { label: 'p90', values: first.series.p90Ms },
        { label: 'p99', values: first.series.p99Ms },
      ];
    }
    return groups.map((g) => ({ label: label(g.labels), values: g.series.p99Ms }));
  }, [health, quantiles]);
  return (
    <div class="charts">
      <Chart title="Requests per second" testId="chart-rate" timestampsMs={health.timestampsMs} series={rate} format={formatRate} onSelectRange={zoomTo} />
      <Chart title="Error ratio" testId="chart-errors" timestampsMs={health.timestampsMs} series={errors} format={formatPercent} onSelectRange={zoomTo} />
      <Chart
        title={quantiles ? 'Latency p50 / p90 / p99' : 'Latency p99'}
        testId="chart-latency"
        timestampsMs={health.timestampsMs}
        series={latency}
        format={formatDurationMs}
        onSelectRange={zoomTo}
      />
    </div>
  );
}

// The metric and label browser: every metric name (filterable); for the
// chosen one, its label names with their values in the time range. Picking a
// metric queries it; picking a value narrows the query to it.

import { useMemo, useState } from 'preact/hooks';
import { promSeries } from '../../api/endpoints.js';
import { useApi } from '../../api/use-api.js';
import { ErrorState, Loading } from '../../components/states.js';
import type { ResolvedRange } from '../../time-range.js';

const MAX_VALUES = 30;

export interface MetricBrowserProps {
  metricNames: readonly string[];
  namesError: Error | undefined;
  metric: string;
  range: ResolvedRange;
  onMetric: (name: string) => void;
  onLabelValue: (metric: string, label: string, value: string) => void;
}

export function MetricBrowser({ metricNames, namesError, metric, range, onMetric, onLabelValue }: MetricBrowserProps) {
  const [filter, setFilter] = useState('');
  const shown = useMemo(() => metricNames.filter((n) => n.toLowerCase().includes(filter.toLowerCase())), [metricNames, filter]);
  const series = useApi(metric ? `series:${metric}:${range.startMs}:${range.endMs}` : undefined, (signal) => promSeries(metric, range, signal));
  const labels = useMemo(() => {
    const byName = new Map<string, Map<string, number>>();
    for (const s of series.data ?? []) {
      for (const [name, value] of Object.entries(s)) {
        if (name === '__name__') continue;
        let values = byName.get(name);
        if (!values) byName.set(name, (values = new Map()));
        values.set(value, (values.get(value) ?? 0) + 1);
      }
    }
    return [...byName].sort(([a], [b]) => (a < b ? -1 : 1));
  }, [series.data]);

  return (
    <aside class="panel metric-browser" aria-label="Metric browser">
      <h2>Metrics</h2>
      <input type="search" placeholder="Filter metrics" aria-label="Filter metrics" data-testid="metric-filter" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
      {namesError && <ErrorState error={namesError} title="Metric names could not be loaded" />}
      <ul class="metric-list" data-testid="metric-list">
        {shown.map((name) => (
          <li key={name}>
            <button type="button" class={name === metric ? 'active' : undefined} onClick={() => onMetric(name)} data-testid="metric-name">
              {name}
            </button>
          </li>
        ))}
      </ul>
      {metric && (
        <div class="label-browser" data-testid="label-browser">
          <h2>
            Labels of <code>{metric}</code>
            {series.data && <span class="muted"> · {series.data.length} series</span>}
          </h2>
          {series.loading && series.slow && <Loading what="Loading labels" />}
          {series.error && <ErrorState error={series.error} title="Labels could not be loaded" />}
          {labels.map(([name, values]) => (
            <details key={name} open={values.size <= 8}>
              <summary>
                {name} <span class="muted">({values.size})</span>
              </summary>
              <ul class="label-values">
                {[...values]
                  .sort(([a], [b]) => (a < b ? -1 : 1))
                  .slice(0, MAX_VALUES)
                  .map(([value, count]) => (
                    <li key={value}>
                      <button type="button" onClick={() => onLabelValue(metric, name, value)} title={`${count} series`} data-testid="label-value">
                        {value}
                      </button>
                    </li>
                  ))}
                {values.size > MAX_VALUES && <li class="muted">… {values.size - MAX_VALUES} more</li>}
              </ul>
            </details>
          ))}
        </div>
      )}
    </aside>
  );
}

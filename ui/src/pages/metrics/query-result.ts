// A Prometheus query answer turned into what the Metrics page shows: chart
// lines aligned on one time axis and table rows. Pure (no DOM).

import type { PromQueryData } from '../../api/types.js';

/** A range query's step: about `points` steps over the range, rounded to a readable unit, at least 1 s. */
export function autoStepSeconds(rangeMs: number, points = 240): number {
  const raw = rangeMs / 1000 / points;
  const nice = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400];
  for (const s of nice) if (s >= raw) return s;
  return Math.ceil(raw / 86400) * 86400;
}

/** `name{a="x", b="y"}` as Prometheus prints a series (no name: just the braces). */
export function seriesName(metric: Readonly<Record<string, string>>): string {
  const name = metric['__name__'] ?? '';
  const labels = Object.keys(metric)
    .filter((k) => k !== '__name__')
    .sort()
    .map((k) => `${k}=${JSON.stringify(metric[k])}`);
  return labels.length > 0 || name === '' ? `${name}{${labels.join(', ')}}` : name;
}

/** A sample value as a number for the chart; NaN and ±Inf cannot be drawn and become gaps. */
function plotValue(text: string): number | null {
  const v = Number(text);
  return Number.isFinite(v) ? v : null;
}

export interface ChartData {
  timestampsMs: number[];
  series: { label: string; values: (number | null)[] }[];
  /** series left out to keep the chart readable */
  omitted: number;
}

/** Lines of a matrix (or the points of a vector/scalar), aligned on the union of their timestamps. */
export function chartData(data: PromQueryData, maxSeries: number): ChartData {
  const list =
    data.resultType === 'matrix'
      ? data.result.map((s) => ({ label: seriesName(s.metric), points: s.values }))
      : data.resultType === 'vector'
        ? data.result.map((s) => ({ label: seriesName(s.metric), points: [s.value] }))
        : [{ label: data.resultType, points: [data.result] }];
  const shown = list.slice(0, maxSeries);
  const times = new Set<number>();
  for (const s of shown) for (const [t] of s.points) times.add(Math.round(t * 1000));
  const timestampsMs = [...times].sort((a, b) => a - b);
  const at = new Map(timestampsMs.map((t, i) => [t, i]));
  const series = shown.map((s) => {
    const values: (number | null)[] = new Array(timestampsMs.length).fill(null);
    for (const [t, v] of s.points) values[at.get(Math.round(t * 1000))!] = plotValue(v);
    return { label: s.label, values };
  });
  return { timestampsMs, series, omitted: list.length - shown.length };
}

export interface TableRow {
  key: string;
  series: string;
  /** the value shown: an instant query's value, a range query's last value */
  value: string;
  timeMs: number;
  /** points in the range (1 for instant answers) */
  points: number;
}

export function tableRows(data: PromQueryData): TableRow[] {
  switch (data.resultType) {
    case 'vector':
      return data.result.map((s) => ({ key: seriesName(s.metric), series: seriesName(s.metric), value: s.value[1], timeMs: s.value[0] * 1000, points: 1 }));
    case 'matrix':
      return data.result.map((s) => {
        const last = s.values[s.values.length - 1];
        return { key: seriesName(s.metric), series: seriesName(s.metric), value: last?.[1] ?? '', timeMs: (last?.[0] ?? 0) * 1000, points: s.values.length };
      });
    default:
      return [{ key: data.resultType, series: data.resultType, value: data.result[1], timeMs: data.result[0] * 1000, points: 1 }];
  }
}

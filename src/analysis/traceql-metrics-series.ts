// TraceQL metrics answers in Tempo's shape (GET /api/metrics/query_range):
//   {"series":[{"labels":[{"key":"resource.service.name","value":{"stringValue":"cart"}}],
//               "samples":[{"timestampMs":"1700000000000","value":1.5}],
//               "promLabels":"{resource.service.name=\"cart\"}"}], "metrics":{…}}
// Durations are in seconds; quantile series carry a `p` label; an ungrouped
// query's series is labelled {__name__="<function>"} (quantiles: only `p`).

import type { MetricsQuery } from './traceql-metrics-parse.js';

export type TempoAnyValue = { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean };

export interface TempoLabel {
  key: string;
  value: TempoAnyValue;
}

export interface TempoSample {
  /** unix milliseconds of the interval's start, as a decimal string (int64 in protobuf JSON) */
  timestampMs: string;
  value: number;
}

export interface TempoSeries {
  labels: TempoLabel[];
  samples: TempoSample[];
  promLabels: string;
}

export interface QueryRangeResponse {
  series: TempoSeries[];
  metrics: { inspectedSpans: string; inspectedBytes: string; totalBlocks: number; completedJobs: number; totalJobs: number };
}

/** One group's figures per interval, as an evaluator (rollups or spans) computed them. */
export interface GroupResult {
  labels: TempoLabel[];
  count: Float64Array;
  /** the function's value (avg/max/min/sum, in seconds); NaN where the interval has none */
  value: Float64Array;
  /** per asked quantile, in seconds; NaN where none */
  quantiles: Float64Array[];
}

export interface Intervals {
  startNs: bigint;
  stepNs: bigint;
  count: number;
}

export function newGroupResult(labels: TempoLabel[], intervals: number, quantiles: number): GroupResult {
  return {
    labels,
    count: new Float64Array(intervals),
    value: new Float64Array(intervals).fill(NaN),
    quantiles: Array.from({ length: quantiles }, () => new Float64Array(intervals).fill(NaN)),
  };
}

function labelText(v: TempoAnyValue): string {
  if ('stringValue' in v) return v.stringValue === '' ? '<empty>' : v.stringValue;
  if ('intValue' in v) return v.intValue;
  if ('doubleValue' in v) return String(v.doubleValue);
  return String(v.boolValue);
}

/** Prometheus text of a label set: sorted by name, values quoted. */
export function promLabels(labels: readonly TempoLabel[]): string {
  const parts = [...labels].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((l) => `${l.key}=${JSON.stringify(labelText(l.value))}`);
  return `{${parts.join(', ')}}`;
}

/** Turns evaluator groups into Tempo series, sorted by their label text. */
export function toTempoSeries(q: MetricsQuery, groups: readonly GroupResult[], iv: Intervals): TempoSeries[] {
  const stepSeconds = Number(iv.stepNs) / 1e9;
  const ts = (i: number): string => String((iv.startNs + BigInt(i) * iv.stepNs) / 1_000_000n);
  const out: TempoSeries[] = [];
  const emit = (labels: TempoLabel[], value: (i: number) => number): void => {
    const samples: TempoSample[] = [];
    for (let i = 0; i < iv.count; i++) {
      const v = value(i);
      if (!Number.isNaN(v)) samples.push({ timestampMs: ts(i), value: v });
    }
    if (samples.length > 0) out.push({ labels, samples, promLabels: promLabels(labels) });
  };
  for (const g of groups) {
    let labels = g.labels;
    // Tempo drops missing grouping values; a series with none keeps the first, as "nil"
    if (labels.length === 0 && q.by.length > 0) labels = [{ key: q.by[0]!, value: { stringValue: 'nil' } }];
    if (q.fn === 'quantile_over_time') {
      q.quantiles.forEach((p, k) => emit([...labels, { key: 'p', value: { doubleValue: p } }], (i) => g.quantiles[k]![i]!));
      continue;
    }
    if (q.by.length === 0) labels = [{ key: '__name__', value: { stringValue: q.fn } }];
    if (q.fn === 'rate') emit(labels, (i) => g.count[i]! / stepSeconds);
    else if (q.fn === 'count_over_time') emit(labels, (i) => g.count[i]!);
    else emit(labels, (i) => g.value[i]!);
  }
  return out.sort((a, b) => (a.promLabels < b.promLabels ? -1 : a.promLabels > b.promLabels ? 1 : 0));
}

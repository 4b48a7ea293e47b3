// OTLP metrics → Prometheus series and samples, as Prometheus's own OTLP
// receiver translates them (default settings, plus scope labels). Both OTLP
// decoders (protobuf and JSON) walk their input and call this in order:
//
//   setResource(keys, values)
//     setScope(name, version, schemaUrl, keys, values)
//       beginMetric(name, description, unit, kind, temporality, monotonic)
//         pointAttribute(key, value)…  then one of numberPoint / histogramPoint /
//         summaryPoint / exponentialHistogramPoint
//   endResource()                      (adds target_info)
//
// Labels of a data point: its attributes sorted by key, each key sanitised
// (prometheus-names.ts); keys that sanitise alike are merged, values joined
// with ";" in key order. Then, overriding: otel_scope_name, otel_scope_version,
// otel_scope_schema_url and otel_scope_<attribute> when the scope has a name;
// job = service.namespace/service.name (or service.name) and instance =
// service.instance.id from the resource; last __name__ (and le / quantile).
// The other resource attributes go to one `target_info` series per resource
// (value 1, from the earliest to the latest sample time, every 2.5 minutes,
// at most 48 samples: the last 2 hours of a wider spread).
//
// Rejected (counted, first reason kept, for OTLP partial success): points of
// delta or unspecified temporality (as Prometheus does by default; convert in
// the collector with deltatocumulative), exponential histograms (no native
// histograms yet), points of a metric whose name leaves nothing valid, and
// points with an attribute key that leaves nothing valid.

import type { SampleBatch } from '../../model/sample-batch.js';
import { compareCodePoints, SampleBatchBuilder } from './sample-batch-builder.js';
import { formatFloatLabel, prometheusLabelName, prometheusMetricName, type MetricKind } from './prometheus-names.js';

export interface DecodedMetrics {
  batch: SampleBatch;
  rejectedDataPoints: number;
  /** '' when nothing was rejected. */
  rejectMessage: string;
}

/** Metric.data kinds as they come on the wire. */
export type OtlpDataKind = 'gauge' | 'sum' | 'histogram' | 'exponential-histogram' | 'summary';

export const TEMPORALITY_DELTA = 1;
export const TEMPORALITY_CUMULATIVE = 2;

/** DataPointFlags.FLAG_NO_RECORDED_VALUE: the point is a staleness marker. */
const NO_RECORDED_VALUE = 1;
const TARGET_INFO_STEP_MS = 150_000; // half of PromQL's default 5 m lookback
/** At most this many target_info samples per resource (2 hours), whatever the spread of point times. */
const TARGET_INFO_MAX_SAMPLES = 48;
const SERVICE_NAME = 'service.name';
const SERVICE_NAMESPACE = 'service.namespace';
const SERVICE_INSTANCE_ID = 'service.instance.id';
const MAX_NAME_IN_MESSAGE = 100;

/** A growable float64 list, reused from point to point. */
export class FloatList {
  values = new Float64Array(16);
  length = 0;

  push(x: number): void {
    if (this.length === this.values.length) {
      const next = new Float64Array(this.values.length * 2);
      next.set(this.values);
      this.values = next;
    }
    this.values[this.length++] = x;
  }
}

/** Label name/value rows; `set` replaces a row with the same name. */
class LabelRows {
  names: string[] = [];
  values: string[] = [];

  clear(): void {
    this.names.length = 0;
    this.values.length = 0;
  }

  set(name: string, value: string): void {
    const i = this.names.indexOf(name);
    if (i >= 0) {
      this.values[i] = value;
    } else {
      this.names.push(name);
      this.values.push(value);
    }
  }
}

export class OtlpMetricsTranslator {
  private readonly b = new SampleBatchBuilder();
  /** Series by their label rows without __name__ and the extra label, then by those two. */
  private readonly seriesByRows = new Map<string, Map<string, number>>();
  private rejected = 0;
  private firstReject = '';

  private resourceKeys: readonly string[] = [];
  private resourceValues: readonly string[] = [];
  private readonly identity = new LabelRows(); // job, instance
  private earliestMs = Infinity;
  private latestMs = -Infinity;
  private readonly scopeLabels = new LabelRows();

  private metricName = '';
  private family = '';
  private kind: MetricKind = 'gauge';
  /** Why points of the current metric are rejected; '' when they are kept. */
  private metricReject = '';

  private readonly pointKeys: string[] = [];
  private readonly pointValues: string[] = [];
  private readonly base = new LabelRows();
  /** The series of the current point's rows, and whether `base` holds __name__, le or quantile. */
  private pointSeries = new Map<string, number>();
  private baseHasReserved = false;
  private readonly keyParts: string[] = [];
  /** Histogram bucket counts and explicit bounds, summary quantiles and values, of the current point. */
  readonly bucketCounts = new FloatList();
  readonly bounds = new FloatList();
  readonly quantiles = new FloatList();
  readonly quantileValues = new FloatList();

  setResource(keys: readonly string[], values: readonly string[]): void {
    this.resourceKeys = keys;
    this.resourceValues = values;
    this.earliestMs = Infinity;
    this.latestMs = -Infinity;
    this.identity.clear();
    const name = lastValue(keys, values, SERVICE_NAME);
    if (name !== undefined) {
      const namespace = lastValue(keys, values, SERVICE_NAMESPACE);
      this.identity.set('job', namespace === undefined ? name : `${namespace}/${name}`);
    }
    const instance = lastValue(keys, values, SERVICE_INSTANCE_ID);
    if (instance !== undefined) this.identity.set('instance', instance);
  }

  setScope(name: string, version: string, schemaUrl: string, keys: readonly string[], values: readonly string[]): void {
    const s = this.scopeLabels;
    s.clear();
    if (name === '') return;
    s.set('otel_scope_name', name);
    s.set('otel_scope_version', version);
    s.set('otel_scope_schema_url', schemaUrl);
    for (let i = 0; i < keys.length; i++) {
      const label = prometheusLabelName(`otel_scope_${keys[i]!}`);
      if (label !== '') s.set(label, values[i]!);
    }
  }

  beginMetric(name: string, description: string, unit: string, data: OtlpDataKind, temporality: number, monotonic: boolean): void {
    this.metricName = name;
    this.metricReject = '';
    let type: string;
    switch (data) {
      case 'gauge':
        this.kind = 'gauge';
        type = 'gauge';
        break;
      case 'sum':
        this.kind = monotonic ? 'monotonic-counter' : 'non-monotonic-counter';
        type = monotonic ? 'counter' : 'gauge';
        break;
      case 'histogram':
        this.kind = 'histogram';
        type = 'histogram';
        break;
      case 'exponential-histogram':
        this.kind = 'exponential-histogram';
        type = 'histogram';
        this.metricReject = 'exponential histograms are not stored yet (no native histograms)';
        break;
      default:
        this.kind = 'summary';
        type = 'summary';
    }
    if ((data === 'sum' || data === 'histogram') && temporality !== TEMPORALITY_CUMULATIVE) {
      this.metricReject =
        temporality === TEMPORALITY_DELTA
          ? 'delta temporality is not supported; send cumulative (e.g. the collector\'s deltatocumulative processor)'
          : 'aggregation temporality is unspecified';
    }
    this.family = prometheusMetricName(name, unit, this.kind);
    if (this.family === '' && this.metricReject === '') this.metricReject = 'the name leaves no valid Prometheus metric name';
    if (this.metricReject === '') this.b.setMetadata({ metric: this.family, type, help: description, unit });
  }

  pointAttribute(key: string, value: string): void {
    this.pointKeys.push(key);
    this.pointValues.push(value);
  }

  /** A gauge or sum point; the value as IEEE-754 halves (bit-exact). */
  numberPoint(timeMs: number, lo: number, hi: number, flags: number): void {
    if (!this.beginPoint()) return;
    const series = this.series(this.family, '', '');
    if ((flags & NO_RECORDED_VALUE) !== 0) this.b.addStaleSample(series, timeMs);
    else this.b.addSampleBits(series, timeMs, lo, hi);
    this.endPoint(timeMs);
  }

  /** A histogram point; bucket counts and bounds are in `bucketCounts` and `bounds`. */
  histogramPoint(timeMs: number, count: number, hasSum: boolean, sumLo: number, sumHi: number, flags: number): void {
    if (!this.beginPoint()) return;
    const stale = (flags & NO_RECORDED_VALUE) !== 0;
    const family = this.family;
    if (hasSum) this.bitsSample(this.series(`${family}_sum`, '', ''), timeMs, sumLo, sumHi, stale);
    this.valueSample(this.series(`${family}_count`, '', ''), timeMs, count, stale);
    const n = Math.min(this.bounds.length, this.bucketCounts.length);
    const bounds = this.bounds.values;
    const counts = this.bucketCounts.values;
    let cumulative = 0;
    for (let i = 0; i < n; i++) {
      cumulative += counts[i]!;
      this.valueSample(this.series(`${family}_bucket`, 'le', formatFloatLabel(bounds[i]!)), timeMs, cumulative, stale);
    }
    this.valueSample(this.series(`${family}_bucket`, 'le', '+Inf'), timeMs, count, stale);
    this.endPoint(timeMs);
  }

  /** A summary point; quantiles and their values are in `quantiles` and `quantileValues`. */
  summaryPoint(timeMs: number, count: number, sumLo: number, sumHi: number, flags: number): void {
    if (!this.beginPoint()) return;
    const stale = (flags & NO_RECORDED_VALUE) !== 0;
    const family = this.family;
    this.bitsSample(this.series(`${family}_sum`, '', ''), timeMs, sumLo, sumHi, stale);
    this.valueSample(this.series(`${family}_count`, '', ''), timeMs, count, stale);
    const n = Math.min(this.quantiles.length, this.quantileValues.length);
    for (let i = 0; i < n; i++) {
      const series = this.series(family, 'quantile', formatFloatLabel(this.quantiles.values[i]!));
      this.valueSample(series, timeMs, this.quantileValues.values[i]!, stale);
    }
    this.endPoint(timeMs);
  }

  /** Exponential histogram points are always rejected (see beginMetric). */
  exponentialHistogramPoint(): void {
    this.beginPoint();
  }

  /** Adds target_info for the resource whose metrics were just read. */
  endResource(): void {
    if (this.earliestMs > this.latestMs) return;
    const keys = this.resourceKeys;
    const values = this.resourceValues;
    let others = 0;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k === SERVICE_NAME || k === SERVICE_NAMESPACE || k === SERVICE_INSTANCE_ID) continue;
      this.pointAttribute(k, values[i]!);
      others++;
    }
    if (others === 0 || this.identity.names.length === 0 || this.attributeLabels() !== undefined) return this.clearPoint();
    this.addIdentity(false);
    const series = this.series('target_info', '', '');
    // the first sample no earlier than the cap allows, on the same 2.5 min grid from earliestMs
    const skippedSteps = Math.max(0, Math.ceil((this.latestMs - this.earliestMs) / TARGET_INFO_STEP_MS) - TARGET_INFO_MAX_SAMPLES + 1);
    for (let t = this.earliestMs + skippedSteps * TARGET_INFO_STEP_MS; t < this.latestMs; t += TARGET_INFO_STEP_MS) this.b.addSample(series, t, 1);
    this.b.addSample(series, this.latestMs, 1);
    this.b.setMetadata({ metric: 'target_info', type: 'gauge', help: 'Target metadata', unit: '' });
    this.clearPoint();
  }

  finish(): DecodedMetrics {
    const message =
      this.rejected === 0 ? '' : `${this.rejected} data point${this.rejected === 1 ? '' : 's'} rejected: ${this.firstReject}`;
    return { batch: this.b.finish(), rejectedDataPoints: this.rejected, rejectMessage: message };
  }

  /** Builds the point's base labels; false (point rejected and cleared) when it cannot be stored. */
  private beginPoint(): boolean {
    if (this.metricReject !== '') return this.rejectPoint(this.metricReject);
    const badKey = this.attributeLabels();
    if (badKey !== undefined) return this.rejectPoint(`attribute key ${JSON.stringify(badKey)} leaves no valid label name`);
    this.addIdentity(true);
    return true;
  }

  /**
   * Overlays scope labels (when `withScope`) and job/instance on `base`, then
   * sorts it and finds the series of its rows, so that series() can find a
   * known series without building its labels.
   */
  private addIdentity(withScope: boolean): void {
    const base = this.base;
    if (withScope) {
      const scope = this.scopeLabels;
      for (let i = 0; i < scope.names.length; i++) base.set(scope.names[i]!, scope.values[i]!);
    }
    for (let i = 0; i < this.identity.names.length; i++) base.set(this.identity.names[i]!, this.identity.values[i]!);
    sortPairs(base.names, base.values);
    const parts = this.keyParts;
    parts.length = 0;
    let reserved = false;
    for (let i = 0; i < base.names.length; i++) {
      const name = base.names[i]!;
      if (name === '__name__' || name === 'le' || name === 'quantile') reserved = true;
      addRow(parts, name, base.values[i]!);
    }
    this.pointSeries = this.seriesOfRows(parts.join(''));
    this.baseHasReserved = reserved;
  }

  private endPoint(timeMs: number): void {
    if (timeMs < this.earliestMs) this.earliestMs = timeMs;
    if (timeMs > this.latestMs) this.latestMs = timeMs;
    this.clearPoint();
  }

  private clearPoint(): void {
    this.pointKeys.length = 0;
    this.pointValues.length = 0;
    this.bucketCounts.length = 0;
    this.bounds.length = 0;
    this.quantiles.length = 0;
    this.quantileValues.length = 0;
  }

  private rejectPoint(reason: string): false {
    if (this.rejected++ === 0) {
      const name = this.metricName;
      const shown = name.length > MAX_NAME_IN_MESSAGE ? `${name.slice(0, MAX_NAME_IN_MESSAGE)}…` : name;
      this.firstReject = `metric ${JSON.stringify(shown)}: ${reason}`;
    }
    this.clearPoint();
    return false;
  }

  /** Sorted, sanitised, merged point attributes into `base`; returns a key that leaves no valid name, if any. */
  private attributeLabels(): string | undefined {
    const keys = this.pointKeys;
    const values = this.pointValues;
    sortPairs(keys, values);
    const base = this.base;
    base.clear();
    for (let i = 0; i < keys.length; i++) {
      const name = prometheusLabelName(keys[i]!);
      if (name === '') return keys[i]!;
      const at = base.names.indexOf(name);
      if (at >= 0) base.values[at] = `${base.values[at]!};${values[i]!}`;
      else base.set(name, values[i]!);
    }
    return undefined;
  }

  /**
   * The series of the base labels plus __name__ (and one extra label, which
   * like __name__ replaces a base label of that name); the same labels give the
   * same series. Series are found by their rows without __name__ and the extra
   * label (from `base` when it holds neither, else from the series built),
   * then by those two.
   */
  private series(name: string, extraName: string, extraValue: string): number {
    const suffix = `${name}\u0000${extraName}\u0000${extraValue}`;
    if (!this.baseHasReserved) {
      const known = this.pointSeries.get(suffix);
      if (known !== undefined) return known;
    }
    const b = this.b;
    const base = this.base;
    for (let i = 0; i < base.names.length; i++) {
      const label = base.names[i]!;
      if (label === '__name__' || label === extraName) continue;
      b.addLabel(label, base.values[i]!);
    }
    b.addLabel('__name__', name);
    if (extraName !== '') b.addLabel(extraName, extraValue);
    const series = b.endSeries();
    if (typeof series !== 'number') throw new Error(`otlp-metrics: unexpected ${series.kind} label ${series.name}`);
    let bySuffix = this.pointSeries;
    if (this.baseHasReserved) {
      bySuffix = this.seriesOfRows(this.rowsKeyOf(series, extraName));
      const known = bySuffix.get(suffix);
      if (known !== undefined) {
        b.removeLastSeries();
        return known;
      }
    }
    bySuffix.set(suffix, series);
    return series;
  }

  private seriesOfRows(rowsKey: string): Map<string, number> {
    let bySuffix = this.seriesByRows.get(rowsKey);
    if (bySuffix === undefined) {
      bySuffix = new Map();
      this.seriesByRows.set(rowsKey, bySuffix);
    }
    return bySuffix;
  }

  private rowsKeyOf(series: number, extraName: string): string {
    const parts = this.keyParts;
    parts.length = 0;
    const rows = this.b.labelRows(series);
    for (let i = rows.start; i < rows.end; i++) {
      const label = rows.names[i]!;
      if (label === '__name__' || label === extraName) continue;
      addRow(parts, label, rows.values[i]!);
    }
    return parts.join('');
  }

  private valueSample(series: number, timeMs: number, value: number, stale: boolean): void {
    if (stale) this.b.addStaleSample(series, timeMs);
    else this.b.addSample(series, timeMs, value);
  }

  private bitsSample(series: number, timeMs: number, lo: number, hi: number, stale: boolean): void {
    if (stale) this.b.addStaleSample(series, timeMs);
    else this.b.addSampleBits(series, timeMs, lo, hi);
  }
}

function lastValue(keys: readonly string[], values: readonly string[], key: string): string | undefined {
  for (let i = keys.length - 1; i >= 0; i--) if (keys[i] === key) return values[i];
  return undefined;
}

/** Stable sort of parallel arrays by key in code point order (insertion sort: attribute lists are short). */
function sortPairs(keys: string[], values: string[]): void {
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!;
    const v = values[i]!;
    let j = i - 1;
    while (j >= 0 && compareCodePoints(keys[j]!, k) > 0) {
      keys[j + 1] = keys[j]!;
      values[j + 1] = values[j]!;
      j--;
    }
    keys[j + 1] = k;
    values[j + 1] = v;
  }
}

/**
 * A label row of a series key, length-prefixed so keys are equal only for
 * equal rows; empty values are left out, as the batch drops them. Joined once:
 * a flat string hashes faster than one built by repeated concatenation.
 */
function addRow(parts: string[], name: string, value: string): void {
  if (value === '') return;
  parts.push(`${name.length}:`, name, `${value.length}:`, value);
}

/** Unix nanoseconds (fixed64 halves, unsigned) → milliseconds, truncated, exact. */
export function nanosToMs(lo: number, hi: number): number {
  // hi * 2^32 = hi * 4294 * 10^6 + hi * 967296; every partial stays below 2^53
  return hi * 4294 + Math.floor((hi * 967296 + lo) / 1_000_000);
}

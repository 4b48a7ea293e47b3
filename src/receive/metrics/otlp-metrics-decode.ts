// OTLP/protobuf ExportMetricsServiceRequest → SampleBatch, walking the bytes
// once per level and handing each data point to the translator
// (otlp-metrics-translate.ts), which writes series and samples. Field numbers
// from opentelemetry-proto v1 metrics.proto / metrics_service.proto (as also
// written by @opentelemetry/otlp-transformer's serializer):
//
//   ExportMetricsServiceRequest  1 resource_metrics
//   ResourceMetrics  1 resource   2 scope_metrics   3 schema_url
//   ScopeMetrics     1 scope      2 metrics         3 schema_url
//   Metric           1 name  2 description  3 unit  12 metadata
//                    oneof data: 5 gauge  7 sum  9 histogram  10 exponential_histogram  11 summary
//   Gauge, Summary   1 data_points
//   Sum              1 data_points  2 aggregation_temporality  3 is_monotonic
//   Histogram, ExponentialHistogram   1 data_points  2 aggregation_temporality
//   NumberDataPoint  7 attributes  2 start_time_unix_nano  3 time_unix_nano (fixed64)
//                    4 as_double (double)  6 as_int (sfixed64)  5 exemplars  8 flags
//   HistogramDataPoint  9 attributes  2 start  3 time  4 count (fixed64)
//                    5 sum (optional double)  6 bucket_counts (fixed64, packed)
//                    7 explicit_bounds (double, packed)  8 exemplars  10 flags  11 min  12 max
//   SummaryDataPoint 7 attributes  2 start  3 time  4 count  5 sum
//                    6 quantile_values (ValueAtQuantile: 1 quantile, 2 value)  8 flags
//
// Fields may come in any order: a message whose later fields decide how to read
// earlier ones (resource before its scopes, scope before its metrics, a Sum's
// temporality before its points) is read in two passes. Unknown fields are
// skipped; a known field with the wrong wire type, or any truncation, is a
// DecodeError and nothing is kept. Exemplars, start times, min and max are read
// past: there is nowhere to store them yet.

import { ProtoReader, WireType } from '../protobuf-reader.js';
import { anyValueText } from './otlp-attribute-text.js';
import { OtlpMetricsTranslator, nanosToMs, type DecodedMetrics, type FloatList, type OtlpDataKind } from './otlp-metrics-translate.js';
import { skipField } from './proto-skip.js';

const VARINT = WireType.Varint;
const I64 = WireType.Fixed64;
const LEN = WireType.LengthDelimited;
const U = -1;

const REQUEST_WIRE = [U, LEN];
const RESOURCE_METRICS_WIRE = [U, LEN, LEN, LEN];
const RESOURCE_WIRE = [U, LEN, VARINT];
const SCOPE_METRICS_WIRE = [U, LEN, LEN, LEN];
const SCOPE_WIRE = [U, LEN, LEN, LEN, VARINT];
const METRIC_WIRE = [U, LEN, LEN, LEN, U, LEN, U, LEN, U, LEN, LEN, LEN, LEN];
const SUM_WIRE = [U, LEN, VARINT, VARINT];
const HISTOGRAM_WIRE = [U, LEN, VARINT]; // and ExponentialHistogram
const GAUGE_WIRE = [U, LEN]; // and Summary
const NUMBER_POINT_WIRE = [U, U, I64, I64, I64, LEN, I64, LEN, VARINT];
const HISTOGRAM_POINT_WIRE = [U, U, I64, I64, I64, I64, LEN, LEN, LEN, LEN, VARINT, I64, I64];
const SUMMARY_POINT_WIRE = [U, U, I64, I64, I64, I64, LEN, LEN, VARINT];
const QUANTILE_WIRE = [U, I64, I64];
const KEY_VALUE_WIRE = [U, LEN, LEN];

const scratch = new Float64Array(1);
const scratchHalves = new Uint32Array(scratch.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = LITTLE_ENDIAN ? 1 : 0;

/** Decodes an OTLP/protobuf metrics export request; throws DecodeError on malformed input. */
export function decodeExportMetricsServiceRequest(bytes: Uint8Array): DecodedMetrics {
  const r = new ProtoReader(bytes, 'otlp-metrics-proto');
  const t = new OtlpMetricsTranslator();
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 10) {
      const outer = r.enter();
      decodeResourceMetrics(r, t);
      r.leave(outer);
    } else {
      skipField(r, tag, REQUEST_WIRE, 'ExportMetricsServiceRequest');
    }
  }
  return t.finish();
}

/** Attribute keys and values of a resource or scope, as label value text. */
interface Attributes {
  keys: string[];
  values: string[];
}

function decodeResourceMetrics(r: ProtoReader, t: OtlpMetricsTranslator): void {
  const start = r.pos;
  const resource: Attributes = { keys: [], values: [] };
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 10) {
      // 1 resource: 1 attributes, 2 dropped_attributes_count
      const outer = r.enter();
      while (r.pos < r.end) {
        const inner = r.tag();
        if (inner === 10) decodeKeyValue(r, resource.keys, resource.values);
        else skipField(r, inner, RESOURCE_WIRE, 'Resource');
      }
      r.leave(outer);
    } else if (tag === 18 || tag === 26) {
      r.skip(tag); // 2 scope_metrics (second pass), 3 schema_url
    } else {
      skipField(r, tag, RESOURCE_METRICS_WIRE, 'ResourceMetrics');
    }
  }
  t.setResource(resource.keys, resource.values);
  r.pos = start;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 18) {
      const outer = r.enter();
      decodeScopeMetrics(r, t);
      r.leave(outer);
    } else {
      r.skip(tag);
    }
  }
  t.endResource();
}

function decodeScopeMetrics(r: ProtoReader, t: OtlpMetricsTranslator): void {
  const start = r.pos;
  const attributes: Attributes = { keys: [], values: [] };
  let name = '';
  let version = '';
  let schemaUrl = '';
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 10) {
      // 1 scope: 1 name, 2 version, 3 attributes, 4 dropped_attributes_count
      const outer = r.enter();
      while (r.pos < r.end) {
        const inner = r.tag();
        if (inner === 10) name = r.string();
        else if (inner === 18) version = r.string();
        else if (inner === 26) decodeKeyValue(r, attributes.keys, attributes.values);
        else skipField(r, inner, SCOPE_WIRE, 'InstrumentationScope');
      }
      r.leave(outer);
    } else if (tag === 18) {
      r.skip(tag); // 2 metrics, second pass
    } else if (tag === 26) {
      schemaUrl = r.string();
    } else {
      skipField(r, tag, SCOPE_METRICS_WIRE, 'ScopeMetrics');
    }
  }
  t.setScope(name, version, schemaUrl, attributes.keys, attributes.values);
  r.pos = start;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 18) {
      const outer = r.enter();
      decodeMetric(r, t);
      r.leave(outer);
    } else {
      r.skip(tag);
    }
  }
}

const DATA_KINDS: Readonly<Record<number, OtlpDataKind>> = {
  42: 'gauge',
  58: 'sum',
  74: 'histogram',
  82: 'exponential-histogram',
  90: 'summary',
};

function decodeMetric(r: ProtoReader, t: OtlpMetricsTranslator): void {
  let name = '';
  let description = '';
  let unit = '';
  let dataTag = 0;
  let dataAt = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 10) name = r.string();
    else if (tag === 18) description = r.string();
    else if (tag === 26) unit = r.string();
    else if (DATA_KINDS[tag] !== undefined) {
      // oneof data: the last member on the wire wins
      dataTag = tag;
      dataAt = r.pos;
      r.skip(tag);
    } else if (tag === 98) r.skip(tag); // 12 metadata
    else skipField(r, tag, METRIC_WIRE, 'Metric');
  }
  if (dataTag === 0) return; // no data: nothing to store or reject
  const end = r.pos;
  r.pos = dataAt;
  const outer = r.enter();
  decodeData(r, t, DATA_KINDS[dataTag]!, name, description, unit);
  r.leave(outer);
  r.pos = end;
}

function decodeData(r: ProtoReader, t: OtlpMetricsTranslator, kind: OtlpDataKind, name: string, description: string, unit: string): void {
  const start = r.pos;
  let temporality = 0;
  let monotonic = false;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 10) r.skip(tag); // 1 data_points, second pass
    else if (tag === 16 && kind !== 'gauge' && kind !== 'summary') temporality = r.uint32();
    else if (tag === 24 && kind === 'sum') monotonic = r.bool();
    else skipField(r, tag, kind === 'sum' ? SUM_WIRE : kind === 'gauge' || kind === 'summary' ? GAUGE_WIRE : HISTOGRAM_WIRE, kind);
  }
  t.beginMetric(name, description, unit, kind, temporality, monotonic);
  r.pos = start;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag !== 10) {
      r.skip(tag);
      continue;
    }
    const outer = r.enter();
    if (kind === 'gauge' || kind === 'sum') decodeNumberPoint(r, t);
    else if (kind === 'histogram') decodeHistogramPoint(r, t);
    else if (kind === 'summary') decodeSummaryPoint(r, t);
    else t.exponentialHistogramPoint();
    r.leave(outer);
  }
}

function decodeNumberPoint(r: ProtoReader, t: OtlpMetricsTranslator): void {
  let timeMs = 0;
  let lo = 0;
  let hi = 0;
  let flags = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    switch (tag) {
      case 58: // 7 attributes
        decodePointAttribute(r, t);
        break;
      case 25: // 3 time_unix_nano
        timeMs = nanosToMs(r.fixed64Lo(), r.hi);
        break;
      case 33: // 4 as_double, kept as its bits
        lo = r.fixed64Lo();
        hi = r.hi;
        break;
      case 49: {
        // 6 as_int: int64 → nearest double, as Prometheus converts it
        const intLo = r.fixed64Lo();
        scratch[0] = (r.hi | 0) * 0x100000000 + intLo;
        lo = scratchHalves[LO]!;
        hi = scratchHalves[HI]!;
        break;
      }
      case 64: // 8 flags
        flags = r.uint32();
        break;
      case 17: // 2 start_time_unix_nano
      case 42: // 5 exemplars
        r.skip(tag);
        break;
      default:
        skipField(r, tag, NUMBER_POINT_WIRE, 'NumberDataPoint');
    }
  }
  t.numberPoint(timeMs, lo, hi, flags);
}

function decodeHistogramPoint(r: ProtoReader, t: OtlpMetricsTranslator): void {
  let timeMs = 0;
  let count = 0;
  let hasSum = false;
  let sumLo = 0;
  let sumHi = 0;
  let flags = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    switch (tag) {
      case 74: // 9 attributes
        decodePointAttribute(r, t);
        break;
      case 25: // 3 time_unix_nano
        timeMs = nanosToMs(r.fixed64Lo(), r.hi);
        break;
      case 33: // 4 count
        count = readUint64(r);
        break;
      case 41: // 5 sum
        hasSum = true;
        sumLo = r.fixed64Lo();
        sumHi = r.hi;
        break;
      case 50: // 6 bucket_counts, packed
        readPacked64(r, t.bucketCounts, false);
        break;
      case 49: // 6 bucket_counts, one unpacked
        t.bucketCounts.push(readUint64(r));
        break;
      case 58: // 7 explicit_bounds, packed
        readPacked64(r, t.bounds, true);
        break;
      case 57: // 7 explicit_bounds, one unpacked
        t.bounds.push(r.double());
        break;
      case 80: // 10 flags
        flags = r.uint32();
        break;
      case 17: // 2 start_time_unix_nano
      case 66: // 8 exemplars
      case 89: // 11 min
      case 97: // 12 max
        r.skip(tag);
        break;
      default:
        skipField(r, tag, HISTOGRAM_POINT_WIRE, 'HistogramDataPoint');
    }
  }
  t.histogramPoint(timeMs, count, hasSum, sumLo, sumHi, flags);
}

function decodeSummaryPoint(r: ProtoReader, t: OtlpMetricsTranslator): void {
  let timeMs = 0;
  let count = 0;
  let sumLo = 0;
  let sumHi = 0;
  let flags = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    switch (tag) {
      case 58: // 7 attributes
        decodePointAttribute(r, t);
        break;
      case 25: // 3 time_unix_nano
        timeMs = nanosToMs(r.fixed64Lo(), r.hi);
        break;
      case 33: // 4 count
        count = readUint64(r);
        break;
      case 41: // 5 sum
        sumLo = r.fixed64Lo();
        sumHi = r.hi;
        break;
      case 50: {
        // 6 quantile_values: 1 quantile, 2 value
        const outer = r.enter();
        let quantile = 0;
        let value = 0;
        while (r.pos < r.end) {
          const inner = r.tag();
          if (inner === 9) quantile = r.double();
          else if (inner === 17) value = r.double();
          else skipField(r, inner, QUANTILE_WIRE, 'ValueAtQuantile');
        }
        r.leave(outer);
        t.quantiles.push(quantile);
        t.quantileValues.push(value);
        break;
      }
      case 64: // 8 flags
        flags = r.uint32();
        break;
      case 17: // 2 start_time_unix_nano
        r.skip(tag);
        break;
      default:
        skipField(r, tag, SUMMARY_POINT_WIRE, 'SummaryDataPoint');
    }
  }
  t.summaryPoint(timeMs, count, sumLo, sumHi, flags);
}

/** fixed64 as a double (exact up to 2^53). */
function readUint64(r: ProtoReader): number {
  const lo = r.fixed64Lo();
  return r.hi * 0x100000000 + lo;
}

/** A packed run of fixed64 (as uint64) or doubles. */
function readPacked64(r: ProtoReader, out: FloatList, doubles: boolean): void {
  const outer = r.enter();
  if ((r.end - r.pos) % 8 !== 0) r.fail(`packed 64-bit field of ${r.end - r.pos} bytes (not a multiple of 8)`);
  while (r.pos < r.end) out.push(doubles ? r.double() : readUint64(r));
  r.leave(outer);
}

function decodePointAttribute(r: ProtoReader, t: OtlpMetricsTranslator): void {
  const outer = r.enter();
  const [key, value] = readKeyValue(r);
  r.leave(outer);
  t.pointAttribute(key, value);
}

function decodeKeyValue(r: ProtoReader, keys: string[], values: string[]): void {
  const outer = r.enter();
  const [key, value] = readKeyValue(r);
  r.leave(outer);
  keys.push(key);
  values.push(value);
}

const keyValue: [string, string] = ['', ''];

// KeyValue: 1 key, 2 value (AnyValue); the value is read once the key is known.
// Returns a shared pair: read it before the next call.
function readKeyValue(r: ProtoReader): [string, string] {
  let key = '';
  let value = '';
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 10) {
      key = r.key();
    } else if (tag === 18) {
      const outer = r.enter();
      value = anyValueText(r);
      r.leave(outer);
    } else {
      skipField(r, tag, KEY_VALUE_WIRE, 'KeyValue');
    }
  }
  keyValue[0] = key;
  keyValue[1] = value;
  return keyValue;
}

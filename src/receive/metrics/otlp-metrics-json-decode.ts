// OTLP/JSON ExportMetricsServiceRequest → SampleBatch through the same
// translator as the protobuf decoder, so both give the same batch for the same
// request. The OTLP JSON conventions are those of the trace decoder
// (otlp-json-decode.ts): lowerCamelCase names (snake_case accepted), int64 and
// fixed64 as decimal strings or numbers, enums as numbers or names, doubles
// also as "NaN" / "Infinity" / "-Infinity", missing or null fields take the
// proto default, unknown fields are ignored. A wrong shape is a DecodeError
// naming the JSON path, and nothing is kept. Of the data oneof the first
// present of gauge, sum, histogram, exponentialHistogram, summary is read.

import {
  JsonShapeError,
  describe,
  doubleOf,
  expectObject,
  fieldOf,
  int64Of,
  keyUsed,
  readArray,
  readEnum,
  readFixed64,
  readObject,
  readString,
  readUint32,
  within,
  type JsonObject,
} from '../otlp-json-fields.js';
import { decodeOtlpJsonBody } from '../otlp-json-request.js';
import { jsonAnyValueText } from './otlp-attribute-text.js';
import { OtlpMetricsTranslator, type DecodedMetrics, type FloatList, type OtlpDataKind } from './otlp-metrics-translate.js';

const TEMPORALITY_NAMES = [
  'AGGREGATION_TEMPORALITY_UNSPECIFIED',
  'AGGREGATION_TEMPORALITY_DELTA',
  'AGGREGATION_TEMPORALITY_CUMULATIVE',
] as const;

const NS_PER_MS = 1_000_000n;

const scratch = new Float64Array(1);
const scratchHalves = new Uint32Array(scratch.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = LITTLE_ENDIAN ? 1 : 0;

export function decodeOtlpJsonMetrics(body: Uint8Array | string): DecodedMetrics {
  return decodeOtlpJsonBody(body, 'otlp-metrics-json', (request) => {
    const t = new OtlpMetricsTranslator();
    eachObject(request, 'resourceMetrics', 'resource_metrics', (rm) => readResourceMetrics(rm, t));
    return t.finish();
  });
}

/** Calls `read` on each object of a repeated message field, adding `key[i]` to error paths. */
function eachObject(o: JsonObject, camel: string, snake: string | undefined, read: (element: JsonObject) => void): void {
  const list = readArray(o, camel, snake);
  let i = 0;
  try {
    for (; i < list.length; i++) read(expectObject(list[i]));
  } catch (e) {
    within(e, `${keyUsed(o, camel, snake)}[${i}]`);
  }
}

function readAttributeList(holder: JsonObject, keys: string[], values: string[]): void {
  eachObject(holder, 'attributes', undefined, (kv) => {
    keys.push(readString(kv, 'key'));
    try {
      values.push(jsonAnyValueText(kv['value']));
    } catch (e) {
      within(e, 'value');
    }
  });
}

function readResourceMetrics(rm: JsonObject, t: OtlpMetricsTranslator): void {
  const keys: string[] = [];
  const values: string[] = [];
  const resource = readObject(rm, 'resource');
  if (resource !== undefined) {
    try {
      readAttributeList(resource, keys, values);
    } catch (e) {
      within(e, 'resource');
    }
  }
  t.setResource(keys, values);
  eachObject(rm, 'scopeMetrics', 'scope_metrics', (sm) => readScopeMetrics(sm, t));
  t.endResource();
}

function readScopeMetrics(sm: JsonObject, t: OtlpMetricsTranslator): void {
  const keys: string[] = [];
  const values: string[] = [];
  const scope = readObject(sm, 'scope');
  let name = '';
  let version = '';
  if (scope !== undefined) {
    try {
      name = readString(scope, 'name');
      version = readString(scope, 'version');
      readAttributeList(scope, keys, values);
    } catch (e) {
      within(e, 'scope');
    }
  }
  t.setScope(name, version, readString(sm, 'schemaUrl', 'schema_url'), keys, values);
  eachObject(sm, 'metrics', undefined, (m) => readMetric(m, t));
}

const DATA_FIELDS: readonly (readonly [string, string, OtlpDataKind])[] = [
  ['gauge', 'gauge', 'gauge'],
  ['sum', 'sum', 'sum'],
  ['histogram', 'histogram', 'histogram'],
  ['exponentialHistogram', 'exponential_histogram', 'exponential-histogram'],
  ['summary', 'summary', 'summary'],
];

function readMetric(m: JsonObject, t: OtlpMetricsTranslator): void {
  const name = readString(m, 'name');
  const description = readString(m, 'description');
  const unit = readString(m, 'unit');
  for (const [camel, snake, kind] of DATA_FIELDS) {
    const data = readObject(m, camel, snake);
    if (data === undefined) continue;
    try {
      readData(data, kind, name, description, unit, t);
    } catch (e) {
      within(e, keyUsed(m, camel, snake));
    }
    return;
  }
}

function readData(data: JsonObject, kind: OtlpDataKind, name: string, description: string, unit: string, t: OtlpMetricsTranslator): void {
  const hasTemporality = kind === 'sum' || kind === 'histogram' || kind === 'exponential-histogram';
  const temporality = hasTemporality
    ? readEnum(data, 'aggregationTemporality', 'aggregation_temporality', 'AggregationTemporality', TEMPORALITY_NAMES)
    : 0;
  let monotonic = false;
  if (kind === 'sum') {
    const v = fieldOf(data, 'isMonotonic', 'is_monotonic');
    if (v !== undefined && v !== null) {
      if (typeof v !== 'boolean') throw new JsonShapeError(`expected boolean, got ${describe(v)}`, keyUsed(data, 'isMonotonic', 'is_monotonic'));
      monotonic = v;
    }
  }
  t.beginMetric(name, description, unit, kind, temporality, monotonic);
  eachObject(data, 'dataPoints', 'data_points', (p) => {
    readPointAttributes(p, t);
    if (kind === 'gauge' || kind === 'sum') readNumberPoint(p, t);
    else if (kind === 'histogram') readHistogramPoint(p, t);
    else if (kind === 'summary') readSummaryPoint(p, t);
    else t.exponentialHistogramPoint();
  });
}

function readPointAttributes(p: JsonObject, t: OtlpMetricsTranslator): void {
  eachObject(p, 'attributes', undefined, (kv) => {
    const key = readString(kv, 'key');
    let value: string;
    try {
      value = jsonAnyValueText(kv['value']);
    } catch (e) {
      return within(e, 'value');
    }
    t.pointAttribute(key, value);
  });
}

function timeMsOf(p: JsonObject): number {
  const ns = BigInt.asUintN(64, readFixed64(p, 'timeUnixNano', 'time_unix_nano'));
  return Number(ns / NS_PER_MS);
}

function uint64Of(p: JsonObject, key: string): number {
  return Number(BigInt.asUintN(64, readFixed64(p, key)));
}

function optionalDouble(o: JsonObject, camel: string, snake?: string): number | undefined {
  const v = fieldOf(o, camel, snake);
  if (v === undefined || v === null) return undefined;
  return doubleOf(v, keyUsed(o, camel, snake));
}

function readNumberPoint(p: JsonObject, t: OtlpMetricsTranslator): void {
  const timeMs = timeMsOf(p);
  const flags = readUint32(p, 'flags');
  const asDouble = optionalDouble(p, 'asDouble', 'as_double');
  const asIntRaw = fieldOf(p, 'asInt', 'as_int');
  let value = 0;
  if (asIntRaw !== undefined && asIntRaw !== null) value = Number(int64Of(asIntRaw, keyUsed(p, 'asInt', 'as_int')));
  else if (asDouble !== undefined) value = asDouble;
  scratch[0] = value;
  t.numberPoint(timeMs, scratchHalves[LO]!, scratchHalves[HI]!, flags);
}

function readHistogramPoint(p: JsonObject, t: OtlpMetricsTranslator): void {
  const timeMs = timeMsOf(p);
  const flags = readUint32(p, 'flags');
  const count = uint64Of(p, 'count');
  const sum = optionalDouble(p, 'sum');
  readNumbers(p, 'bucketCounts', 'bucket_counts', t.bucketCounts, false);
  readNumbers(p, 'explicitBounds', 'explicit_bounds', t.bounds, true);
  scratch[0] = sum ?? 0;
  t.histogramPoint(timeMs, count, sum !== undefined, scratchHalves[LO]!, scratchHalves[HI]!, flags);
}

function readSummaryPoint(p: JsonObject, t: OtlpMetricsTranslator): void {
  const timeMs = timeMsOf(p);
  const flags = readUint32(p, 'flags');
  const count = uint64Of(p, 'count');
  eachObject(p, 'quantileValues', 'quantile_values', (q) => {
    t.quantiles.push(optionalDouble(q, 'quantile') ?? 0);
    t.quantileValues.push(optionalDouble(q, 'value') ?? 0);
  });
  scratch[0] = optionalDouble(p, 'sum') ?? 0;
  t.summaryPoint(timeMs, count, scratchHalves[LO]!, scratchHalves[HI]!, flags);
}

/** A repeated fixed64 (as uint64 numbers) or double field. */
function readNumbers(p: JsonObject, camel: string, snake: string, out: FloatList, doubles: boolean): void {
  const list = readArray(p, camel, snake);
  const key = keyUsed(p, camel, snake);
  for (let i = 0; i < list.length; i++) {
    const element = `${key}[${i}]`;
    if (doubles) out.push(doubleOf(list[i], element));
    else out.push(uint64Of({ [element]: list[i] }, element));
  }
}

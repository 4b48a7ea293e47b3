// Our parts → ClickHouse's `otel_traces` (seed 001): ClickHouse reads each
// part file itself (they are plain Parquet) and shapes the rows the way the
// OpenTelemetry Collector's ClickHouse exporter writes them: hex id strings,
// '' for an absent parent/state/message, SPAN_KIND_* / STATUS_CODE_* strings,
// every attribute value turned into a string inside a Map, events and links
// from our JSON columns into the Events.* / Links.* arrays.
//
// (Building the maps in DuckDB and exporting one Parquet file was tried
// first: DuckDB's map/list construction over ~130 attribute columns ran at
// ~20 µs per span, minutes for 10 M spans; ClickHouse does it in ~3 µs.)
//
// Our parts keep more per span (scope name/version, flags, dropped counts,
// schema URLs); seed 001's schema has no place for them, so they are left out.

import { parseAttributeColumnName } from '../src/parts/schema.js';
import { ValueType } from '../src/model/span-batch.js';
import { EVENTS_COMPACT_COLUMN, EVENTS_JSON_COLUMN } from '../src/parts/events-compact.js';

export const OTEL_TRACES_COLUMNS = [
  'Timestamp', 'TraceId', 'SpanId', 'ParentSpanId', 'TraceState', 'SpanName', 'SpanKind', 'ServiceName',
  'ResourceAttributes', 'SpanAttributes', 'Duration', 'StatusCode', 'StatusMessage',
  'Events.Timestamp', 'Events.Name', 'Events.Attributes', 'Links.TraceId', 'Links.SpanId', 'Links.TraceState', 'Links.Attributes',
];

const KINDS = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];
const STATUSES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];

function quote(s: string): string {
  return `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

function ident(s: string): string {
  return `\`${s.replaceAll('`', '\\`')}\``;
}

function enumName(column: string, names: readonly string[]): string {
  return `arrayElement([${names.map(quote).join(', ')}], ${column} + 1)`;
}

/** The first (only) member of an OTLP JSON AnyValue object, as the exporter's AsString() gives it. */
function anyValueText(json: string): string {
  const k = `JSONExtractKeys(${json})[1]`;
  return `if(JSONType(${json}, ${k}) = 'String', JSONExtractString(${json}, ${k}), JSONExtractRaw(${json}, ${k}))`;
}

/** OTLP JSON `[{"key":…,"value":{…}},…]` (raw array elements) → Map(String, String). */
function attributesMap(rawArray: string): string {
  return `mapFromArrays(arrayMap(a -> JSONExtractString(a, 'key'), ${rawArray}), arrayMap(a -> ${anyValueText(`JSONExtractRaw(a, 'value')`)}, ${rawArray}))`;
}

function valueText(column: string, type: ValueType): string {
  const c = ident(column);
  if (type === ValueType.Array) {
    // {"arrayValue":{"values":[{"stringValue":"a"},{"intValue":"3"}]}} → ["a","3"]
    return `if(isNull(${c}), NULL, '[' || arrayStringConcat(arrayMap(x -> JSONExtractRaw(x, JSONExtractKeys(x)[1]), JSONExtractArrayRaw(assumeNotNull(${c}), 'arrayValue', 'values')), ',') || ']')`;
  }
  return `toString(${c})`;
}

/** Map of the non-null attribute columns of one scope (`extra` key/value SQL pairs first). */
function scopeMap(columns: readonly string[], scope: 'resource' | 'span', extra: readonly [string, string][] = []): string {
  const pairs = extra.map(([k, v]) => `${quote(k)}, ${v}`);
  for (const name of columns) {
    const ref = parseAttributeColumnName(name);
    if (!ref || ref.scope !== scope) continue;
    pairs.push(`${quote(ref.key)}, ${valueText(name, ref.type)}`);
  }
  if (pairs.length === 0) return 'map()';
  return `mapApply((k, v) -> (k, assumeNotNull(v)), mapFilter((k, v) -> isNotNull(v), map(${pairs.join(', ')})))`;
}

/**
 * A span's events as an array of raw JSON elements: OTLP JSON objects from
 * `events`, `[offset, name, attributes]` arrays from `events_compact`
 * (src/parts/events-compact.ts); a merged part may hold both columns.
 */
function eventListSql(columns: readonly string[]): string {
  const json = columns.includes(EVENTS_JSON_COLUMN) ? `JSONExtractArrayRaw(ifNull(${EVENTS_JSON_COLUMN}, '[]'))` : '[]';
  const compact = columns.includes(EVENTS_COMPACT_COLUMN) ? `JSONExtractArrayRaw(ifNull(${EVENTS_COMPACT_COLUMN}, '[]'))` : '[]';
  return `arrayConcat(${json}, ${compact})`;
}

/** Events.Timestamp, Events.Name, Events.Attributes of `evs` (eventListSql): each element an object or a compact array. */
function eventColumns(columns: readonly string[]): string[] {
  const compact = (e: string): string => `startsWith(${e}, '[')`;
  // the offset may be a quoted string of digits (beyond ±2^53)
  const offset = (e: string): string => `toInt64(trim(BOTH '"' FROM JSONExtractRaw(${e}, 1)))`;
  const time = (e: string): string =>
    `if(${compact(e)}, assumeNotNull(start_time_unix_nano) + ${offset(e)}, toInt64(JSONExtractString(${e}, 'timeUnixNano')))`;
  const raw = columns.includes(EVENTS_COMPACT_COLUMN);
  return [
    `arrayMap(e -> fromUnixTimestamp64Nano(${raw ? time('e') : `toInt64(JSONExtractString(e, 'timeUnixNano'))`}), evs)`,
    `arrayMap(e -> ${raw ? `if(${compact('e')}, JSONExtractString(e, 2), JSONExtractString(e, 'name'))` : `JSONExtractString(e, 'name')`}, evs)`,
    `arrayMap(e -> ${attributesMap(raw ? `if(${compact('e')}, JSONExtractArrayRaw(e, 3), JSONExtractArrayRaw(e, 'attributes'))` : `JSONExtractArrayRaw(e, 'attributes')`)}, evs)`,
  ];
}

/** INSERT of one part file, given its column names. */
export function otelInsertSql(partPath: string, columns: readonly string[]): string {
  const select = [
    'fromUnixTimestamp64Nano(assumeNotNull(start_time_unix_nano))',
    'lower(hex(trace_id))',
    'lower(hex(span_id))',
    `ifNull(lower(hex(parent_span_id)), '')`,
    `ifNull(trace_state, '')`,
    'name',
    enumName('kind', KINDS),
    'service_name',
    scopeMap(columns, 'resource', [['service.name', 'service_name']]),
    scopeMap(columns, 'span'),
    'duration_nano',
    enumName('status_code', STATUSES),
    `ifNull(status_message, '')`,
    ...eventColumns(columns),
    `arrayMap(l -> JSONExtractString(l, 'traceId'), lks)`,
    `arrayMap(l -> JSONExtractString(l, 'spanId'), lks)`,
    `arrayMap(l -> JSONExtractString(l, 'traceState'), lks)`,
    `arrayMap(l -> ${attributesMap(`JSONExtractArrayRaw(l, 'attributes')`)}, lks)`,
  ];
  return (
    `INSERT INTO otel_traces (${OTEL_TRACES_COLUMNS.map(ident).join(', ')}) SELECT ${select.join(', ')} ` +
    `FROM (SELECT *, ${eventListSql(columns)} AS evs, JSONExtractArrayRaw(ifNull(links, '[]')) AS lks ` +
    `FROM file(${quote(partPath)}, Parquet))`
  );
}

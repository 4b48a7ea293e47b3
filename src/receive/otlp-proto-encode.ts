// SpanBatch → OTLP/protobuf ExportTraceServiceRequest, and the export response.
// Used by the load generator and to log OTLP/JSON requests into the WAL as
// protobuf, so it writes columns straight to bytes: no object per span, int64
// columns read through 32-bit views instead of as bigints.
//
// Spans are grouped by (resource, scope) into ResourceSpans / ScopeSpans, in
// order of first appearance; default (zero, empty) scalar fields are omitted as
// proto3 does. Array and kvlist attributes are re-encoded from their canonical
// JSON.

import { SPAN_ID_BYTES, TRACE_ID_BYTES, ValueType, type AttributeColumns, type SpanBatch } from '../model/span-batch.js';
import { base64FromJson, doubleFromJson, int64FromJson } from './any-value-json.js';
import { HIGH_HALF, LOW_HALF, ProtoWriter, int64Halves } from './protobuf-writer.js';

// Reused across calls (encoding is synchronous): after warm-up no request pays
// for growing a buffer; each result is a copy of exactly its bytes. A buffer
// grown past MAX_RETAINED_BYTES by an outsized batch is let go afterwards.
const MAX_RETAINED_BYTES = 16 * 1024 * 1024;
let writer = new ProtoWriter();

/** Rows of a child table (attributes, events, links) grouped by owner, in their original order. */
interface OwnerIndex {
  /** rows of owner o are rows[start[o]] .. rows[start[o + 1] - 1] */
  start: Uint32Array;
  rows: Uint32Array;
}

function indexByOwner(owner: Uint32Array, rowCount: number, ownerCount: number): OwnerIndex {
  const start = new Uint32Array(ownerCount + 1);
  for (let r = 0; r < rowCount; r++) start[owner[r]! + 1]!++;
  for (let o = 0; o < ownerCount; o++) start[o + 1] += start[o]!;
  const next = start.slice(0, ownerCount);
  const rows = new Uint32Array(rowCount);
  for (let r = 0; r < rowCount; r++) rows[next[owner[r]!]!++] = r;
  return { start, rows };
}

/** An attribute table with what writing it needs. */
interface Attributes {
  columns: AttributeColumns;
  index: OwnerIndex;
  /** int column as 32-bit halves */
  int: Uint32Array;
}

function attributes(columns: AttributeColumns, ownerCount: number): Attributes {
  return { columns, index: indexByOwner(columns.owner, columns.length, ownerCount), int: int64Halves(columns.int) };
}

/** Everything about a batch the message writers need, computed once per call. */
interface Encoding {
  batch: SpanBatch;
  spanAttributes: Attributes;
  eventAttributes: Attributes;
  linkAttributes: Attributes;
  resourceAttributes: Attributes;
  scopeAttributes: Attributes;
  events: OwnerIndex;
  links: OwnerIndex;
  startTime: Uint32Array;
  endTime: Uint32Array;
  eventTime: Uint32Array;
}

function prepare(batch: SpanBatch): Encoding {
  return {
    batch,
    spanAttributes: attributes(batch.attributes, batch.length),
    eventAttributes: attributes(batch.events.attributes, batch.events.length),
    linkAttributes: attributes(batch.links.attributes, batch.links.length),
    resourceAttributes: attributes(batch.resources.attributes, batch.resources.length),
    scopeAttributes: attributes(batch.scopes.attributes, batch.scopes.length),
    events: indexByOwner(batch.events.owner, batch.events.length, batch.length),
    links: indexByOwner(batch.links.owner, batch.links.length, batch.length),
    startTime: int64Halves(batch.startTimeUnixNano),
    endTime: int64Halves(batch.endTimeUnixNano),
    eventTime: int64Halves(batch.events.timeUnixNano),
  };
}

/**
 * Spans in output order: (resource, scope) groups in order of first appearance,
 * a resource's groups together, spans of a group in batch order.
 */
interface SpanGroups {
  count: number;
  resource: number[];
  scope: number[];
  /** spans of group g (in output order) are spans[start[g]] .. spans[start[g + 1] - 1] */
  start: Uint32Array;
  spans: Uint32Array;
}

function groupSpans(batch: SpanBatch): SpanGroups {
  const n = batch.length;
  const groupOfSpan = new Uint32Array(n);
  const groupByKey = new Map<number, number>();
  const firstGroupOfResource = new Map<number, number>();
  const groupResource: number[] = [];
  const groupScope: number[] = [];
  let lastKey = -1;
  let lastGroup = 0;
  for (let i = 0; i < n; i++) {
    const key = batch.resource[i]! * batch.scopes.length + batch.scope[i]!;
    if (key !== lastKey) {
      let g = groupByKey.get(key);
      if (g === undefined) {
        g = groupResource.length;
        groupByKey.set(key, g);
        groupResource.push(batch.resource[i]!);
        groupScope.push(batch.scope[i]!);
        if (!firstGroupOfResource.has(batch.resource[i]!)) firstGroupOfResource.set(batch.resource[i]!, g);
      }
      lastKey = key;
      lastGroup = g;
    }
    groupOfSpan[i] = lastGroup;
  }
  // order groups by their resource's first appearance, then by their own
  const count = groupResource.length;
  const order = Array.from({ length: count }, (_, g) => g);
  order.sort((a, b) => firstGroupOfResource.get(groupResource[a]!)! - firstGroupOfResource.get(groupResource[b]!)! || a - b);
  const rank = new Uint32Array(count);
  for (let k = 0; k < count; k++) rank[order[k]!] = k;
  for (let i = 0; i < n; i++) groupOfSpan[i] = rank[groupOfSpan[i]!]!;
  const index = indexByOwner(groupOfSpan, n, count);
  return {
    count,
    resource: order.map((g) => groupResource[g]!),
    scope: order.map((g) => groupScope[g]!),
    start: index.start,
    spans: index.rows,
  };
}

/** Encodes a batch as an OTLP/protobuf ExportTraceServiceRequest. */
export function encodeExportTraceServiceRequest(batch: SpanBatch): Uint8Array {
  const w = writer;
  w.reset();
  const e = prepare(batch);
  const groups = groupSpans(batch);
  // ExportTraceServiceRequest: 1 resource_spans (repeated ResourceSpans)
  let g = 0;
  while (g < groups.count) {
    const resource = groups.resource[g]!;
    w.tag(10);
    const body = w.begin(3);
    g = writeResourceSpans(w, e, groups, g, resource);
    w.finish(body, 3);
  }
  const bytes = w.toBytes();
  if (w.buf.length > MAX_RETAINED_BYTES) writer = new ProtoWriter();
  return bytes;
}

// ResourceSpans: 1 resource (Resource), 2 scope_spans (repeated ScopeSpans), 3 schema_url (string)
// Writes groups from `g` on while they belong to `resource`; returns the next group.
function writeResourceSpans(w: ProtoWriter, e: Encoding, groups: SpanGroups, g: number, resource: number): number {
  const resources = e.batch.resources;
  w.tag(10);
  const body = w.begin(2);
  // Resource: 1 attributes (repeated KeyValue), 2 dropped_attributes_count (uint32)
  writeAttributes(w, e.resourceAttributes, resource, 10);
  writeUint32Field(w, 16, resources.droppedAttributesCount[resource]!);
  w.finish(body, 2);
  for (; g < groups.count && groups.resource[g] === resource; g++) {
    w.tag(18);
    const scopeSpans = w.begin(3);
    writeScopeSpans(w, e, groups, g);
    w.finish(scopeSpans, 3);
  }
  writeStringField(w, 26, resources.schemaUrl[resource]!);
  return g;
}

// ScopeSpans: 1 scope (InstrumentationScope), 2 spans (repeated Span), 3 schema_url (string)
function writeScopeSpans(w: ProtoWriter, e: Encoding, groups: SpanGroups, g: number): void {
  const scopes = e.batch.scopes;
  const scope = groups.scope[g]!;
  w.tag(10);
  const body = w.begin(1);
  // InstrumentationScope: 1 name, 2 version (string), 3 attributes (repeated KeyValue),
  // 4 dropped_attributes_count (uint32)
  writeStringField(w, 10, scopes.name[scope]!);
  writeStringField(w, 18, scopes.version[scope]!);
  writeAttributes(w, e.scopeAttributes, scope, 26);
  writeUint32Field(w, 32, scopes.droppedAttributesCount[scope]!);
  w.finish(body, 1);
  for (let k = groups.start[g]!; k < groups.start[g + 1]!; k++) {
    w.tag(18);
    const span = w.begin(2);
    writeSpan(w, e, groups.spans[k]!);
    w.finish(span, 2);
  }
  writeStringField(w, 26, scopes.schemaUrl[scope]!);
}

// Span:  1 trace_id (bytes)           2 span_id (bytes)          3 trace_state (string)
//        4 parent_span_id (bytes, omitted for a root)            5 name (string)
//        6 kind (enum)                7 start_time_unix_nano (fixed64)
//        8 end_time_unix_nano (fixed64)                          9 attributes (repeated KeyValue)
//       10 dropped_attributes_count  11 events (repeated Event)  12 dropped_events_count
//       13 links (repeated Link)     14 dropped_links_count      15 status (Status)
//       16 flags (fixed32)
function writeSpan(w: ProtoWriter, e: Encoding, i: number): void {
  const b = e.batch;
  w.tag(10);
  w.bytes(b.traceId, i * TRACE_ID_BYTES, (i + 1) * TRACE_ID_BYTES);
  w.tag(18);
  w.bytes(b.spanId, i * SPAN_ID_BYTES, (i + 1) * SPAN_ID_BYTES);
  writeStringField(w, 26, b.traceState[i]!);
  if (!isAllZero(b.parentSpanId, i * SPAN_ID_BYTES, SPAN_ID_BYTES)) {
    w.tag(34);
    w.bytes(b.parentSpanId, i * SPAN_ID_BYTES, (i + 1) * SPAN_ID_BYTES);
  }
  writeStringField(w, 42, b.name[i]!);
  writeUint32Field(w, 48, b.kind[i]!);
  w.tag(57);
  w.fixed64(e.startTime[2 * i + LOW_HALF]!, e.startTime[2 * i + HIGH_HALF]!);
  w.tag(65);
  w.fixed64(e.endTime[2 * i + LOW_HALF]!, e.endTime[2 * i + HIGH_HALF]!);
  writeAttributes(w, e.spanAttributes, i, 74);
  writeUint32Field(w, 80, b.droppedAttributesCount[i]!);
  for (let k = e.events.start[i]!; k < e.events.start[i + 1]!; k++) writeEvent(w, e, e.events.rows[k]!);
  writeUint32Field(w, 96, b.droppedEventsCount[i]!);
  for (let k = e.links.start[i]!; k < e.links.start[i + 1]!; k++) writeLink(w, e, e.links.rows[k]!);
  writeUint32Field(w, 112, b.droppedLinksCount[i]!);
  if (b.statusCode[i] !== 0 || b.statusMessage[i] !== '') {
    // Status: 2 message (string), 3 code (enum)
    w.tag(122);
    const status = w.begin(1);
    writeStringField(w, 18, b.statusMessage[i]!);
    writeUint32Field(w, 24, b.statusCode[i]!);
    w.finish(status, 1);
  }
  if (b.flags[i] !== 0) {
    w.tag(133);
    w.fixed32(b.flags[i]!);
  }
}

function isAllZero(bytes: Uint8Array, start: number, length: number): boolean {
  for (let k = start; k < start + length; k++) if (bytes[k] !== 0) return false;
  return true;
}

// Event (span field 11): 1 time_unix_nano (fixed64), 2 name (string),
// 3 attributes (repeated KeyValue), 4 dropped_attributes_count (uint32)
function writeEvent(w: ProtoWriter, e: Encoding, event: number): void {
  const events = e.batch.events;
  w.tag(90);
  const body = w.begin(1);
  w.tag(9);
  w.fixed64(e.eventTime[2 * event + LOW_HALF]!, e.eventTime[2 * event + HIGH_HALF]!);
  writeStringField(w, 18, events.name[event]!);
  writeAttributes(w, e.eventAttributes, event, 26);
  writeUint32Field(w, 32, events.droppedAttributesCount[event]!);
  w.finish(body, 1);
}

// Link (span field 13): 1 trace_id (bytes), 2 span_id (bytes), 3 trace_state (string),
// 4 attributes (repeated KeyValue), 5 dropped_attributes_count (uint32), 6 flags (fixed32)
function writeLink(w: ProtoWriter, e: Encoding, link: number): void {
  const links = e.batch.links;
  w.tag(106);
  const body = w.begin(1);
  w.tag(10);
  w.bytes(links.traceId, link * TRACE_ID_BYTES, (link + 1) * TRACE_ID_BYTES);
  w.tag(18);
  w.bytes(links.spanId, link * SPAN_ID_BYTES, (link + 1) * SPAN_ID_BYTES);
  writeStringField(w, 26, links.traceState[link]!);
  writeAttributes(w, e.linkAttributes, link, 34);
  writeUint32Field(w, 40, links.droppedAttributesCount[link]!);
  if (links.flags[link] !== 0) {
    w.tag(53);
    w.fixed32(links.flags[link]!);
  }
  w.finish(body, 1);
}

function writeStringField(w: ProtoWriter, tag: number, value: string): void {
  if (value === '') return;
  w.tag(tag);
  w.string(value);
}

function writeUint32Field(w: ProtoWriter, tag: number, value: number): void {
  if (value === 0) return;
  w.tag(tag);
  w.uint32(value);
}

// KeyValue: 1 key (string), 2 value (AnyValue)
// AnyValue: 1 string_value, 2 bool_value, 3 int_value (int64), 4 double_value,
//           5 array_value (ArrayValue), 6 kvlist_value (KeyValueList), 7 bytes_value
// Writes the attributes of `owner` as repeated KeyValue under `tag`.
function writeAttributes(w: ProtoWriter, a: Attributes, owner: number, tag: number): void {
  const { columns, index } = a;
  for (let k = index.start[owner]!; k < index.start[owner + 1]!; k++) {
    const row = index.rows[k]!;
    w.tag(tag);
    const keyValue = w.begin(1);
    writeStringField(w, 10, columns.key[row]!);
    w.tag(18);
    const value = w.begin(1);
    switch (columns.type[row]) {
      case ValueType.String:
        w.tag(10);
        w.string(columns.str[row]!);
        break;
      case ValueType.Bool:
        w.tag(16);
        w.bool(columns.num[row] !== 0);
        break;
      case ValueType.Int:
        w.tag(24);
        w.varint64(a.int[2 * row + LOW_HALF]!, a.int[2 * row + HIGH_HALF]!);
        break;
      case ValueType.Double:
        w.tag(33);
        w.double(columns.num[row]!);
        break;
      case ValueType.Bytes:
        w.tag(58);
        w.bytes(Buffer.from(columns.str[row]!, 'base64'));
        break;
      case ValueType.Array:
      case ValueType.KvList:
        writeAnyValueJson(w, JSON.parse(columns.str[row]!));
        break;
      default: // Empty: a value with nothing set
    }
    w.finish(value, 1);
    w.finish(keyValue, 1);
  }
}

/** The fields of an AnyValue given as (canonical) OTLP/JSON, already parsed. */
function writeAnyValueJson(w: ProtoWriter, value: Record<string, unknown>): void {
  if (value['stringValue'] !== undefined) {
    w.tag(10);
    w.string(value['stringValue'] as string);
  } else if (value['boolValue'] !== undefined) {
    w.tag(16);
    w.bool(value['boolValue'] === true);
  } else if (value['intValue'] !== undefined) {
    w.tag(24);
    writeIntJson(w, value['intValue']);
  } else if (value['doubleValue'] !== undefined) {
    w.tag(33);
    w.double(doubleFromJson(value['doubleValue']));
  } else if (value['bytesValue'] !== undefined) {
    w.tag(58);
    w.bytes(Buffer.from(base64FromJson(value['bytesValue']), 'base64'));
  } else if (value['arrayValue'] !== undefined) {
    // ArrayValue: 1 values (repeated AnyValue)
    w.tag(42);
    const list = w.begin(1);
    for (const element of listOf(value['arrayValue'])) {
      w.tag(10);
      const body = w.begin(1);
      writeAnyValueJson(w, element as Record<string, unknown>);
      w.finish(body, 1);
    }
    w.finish(list, 1);
  } else if (value['kvlistValue'] !== undefined) {
    // KeyValueList: 1 values (repeated KeyValue)
    w.tag(50);
    const list = w.begin(1);
    for (const entry of listOf(value['kvlistValue'])) {
      const kv = entry as { key: string; value: Record<string, unknown> };
      w.tag(10);
      const body = w.begin(1);
      writeStringField(w, 10, kv.key);
      w.tag(18);
      const inner = w.begin(1);
      writeAnyValueJson(w, kv.value);
      w.finish(inner, 1);
      w.finish(body, 1);
    }
    w.finish(list, 1);
  }
}

// Canonical intValues are decimal strings; those of up to 15 digits are safe
// integers, written without a bigint.
function writeIntJson(w: ProtoWriter, value: unknown): void {
  if (typeof value === 'string' && isShortDecimal(value)) w.int64Number(Number(value));
  else w.int64(int64FromJson(value));
}

/** -?[0-9]{1,15} */
function isShortDecimal(s: string): boolean {
  const start = s.charCodeAt(0) === 45 ? 1 : 0; // '-'
  if (s.length <= start || s.length - start > 15) return false;
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function listOf(list: unknown): readonly unknown[] {
  return (list as { values?: unknown[] }).values ?? [];
}

/**
 * ExportTraceServiceResponse: 1 partial_success (ExportTracePartialSuccess:
 * 1 rejected_spans (int64), 2 error_message (string)). Empty when all was accepted.
 */
export function encodeExportTraceServiceResponse(rejectedSpans: number, errorMessage: string): Uint8Array {
  if (rejectedSpans === 0 && errorMessage === '') return new Uint8Array(0);
  const w = new ProtoWriter(16 + errorMessage.length * 3);
  w.tag(10);
  const body = w.begin(1);
  if (rejectedSpans !== 0) {
    w.tag(8);
    w.int64(BigInt(rejectedSpans));
  }
  writeStringField(w, 18, errorMessage);
  w.finish(body, 1);
  return w.toBytes();
}

// OTLP/protobuf ExportTraceServiceRequest → SpanBatch, in one walk over the
// bytes with no object per span: each field goes straight into the builder's
// columns. Field numbers are those of opentelemetry-proto v1 (trace.proto,
// common.proto, resource.proto, trace_service.proto), as also written by
// @opentelemetry/otlp-transformer's serializer.
//
// protobuf rules kept: fields may come in any order (ResourceSpans.resource and
// ScopeSpans.scope are read in a first pass so spans can point at them), the
// last value of a repeated scalar wins, repeated embedded messages merge
// (attributes append), unknown fields of every wire type are skipped. A known
// field with the wrong wire type is a DecodeError, as is any truncation.
//
// A ResourceSpans or ScopeSpans that ends up with no spans adds nothing to the
// batch, so decode(encode(decode(x))) equals decode(x).

import { SpanBatchBuilder, type AttributeBuilder } from '../model/span-batch-builder.js';
import { SPAN_ID_BYTES, TRACE_ID_BYTES, ValueType } from '../model/span-batch.js';
import {
  ARRAY_VALUE_OPEN,
  EMPTY_VALUE_JSON,
  KVLIST_VALUE_OPEN,
  LIST_VALUE_CLOSE,
  MAX_ANY_VALUE_DEPTH,
  boolValueJson,
  bytesValueJson,
  doubleValueJson,
  intValueJson,
  keyValueJson,
  stringValueJson,
} from './any-value-json.js';
import { type DecodedTraces, SpanRejections } from './decoded-traces.js';
import { ProtoReader, WireType, int64FromHalves } from './protobuf-reader.js';

const VARINT = WireType.Varint;
const I64 = WireType.Fixed64;
const LEN = WireType.LengthDelimited;
const I32 = WireType.Fixed32;
const UNKNOWN = -1;

// Tags below are written as numbers, field number * 8 + wire type (e.g. 122 is
// field 15, length-delimited), so that switches compare against constants.

// Expected wire type per field number, for messages we decode; UNKNOWN for
// fields we skip whatever their type.
const REQUEST_WIRE = [UNKNOWN, LEN];
const RESOURCE_SPANS_WIRE = [UNKNOWN, LEN, LEN, LEN];
const RESOURCE_WIRE = [UNKNOWN, LEN, VARINT];
const SCOPE_SPANS_WIRE = [UNKNOWN, LEN, LEN, LEN];
const SCOPE_WIRE = [UNKNOWN, LEN, LEN, LEN, VARINT];
const SPAN_WIRE = [UNKNOWN, LEN, LEN, LEN, LEN, LEN, VARINT, I64, I64, LEN, VARINT, LEN, VARINT, LEN, VARINT, LEN, I32];
const EVENT_WIRE = [UNKNOWN, I64, LEN, LEN, VARINT];
const LINK_WIRE = [UNKNOWN, LEN, LEN, LEN, LEN, VARINT, I32];
const STATUS_WIRE = [UNKNOWN, UNKNOWN, LEN, VARINT]; // 1 is the retired deprecated_code
const KEY_VALUE_WIRE = [UNKNOWN, LEN, LEN];
const ANY_VALUE_WIRE = [UNKNOWN, LEN, VARINT, VARINT, I64, LEN, LEN, LEN];
const LIST_WIRE = [UNKNOWN, LEN]; // ArrayValue and KeyValueList: values = 1

const ANY_STRING = 10;
const ANY_BOOL = 16;
const ANY_INT = 24;
const ANY_DOUBLE = 33;
const ANY_ARRAY = 42;
const ANY_KVLIST = 50;
const ANY_BYTES = 58;

/** Longer span names are cut short in reject messages. */
const MAX_NAME_IN_MESSAGE = 100;


/** Decodes an OTLP/protobuf trace export request; throws DecodeError on malformed input. */
export function decodeExportTraceServiceRequest(bytes: Uint8Array): DecodedTraces {
  const r = new ProtoReader(bytes, 'otlp-proto');
  const b = new SpanBatchBuilder();
  const rejections = new SpanRejections();
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 10) {
      // 1 resource_spans
      const outer = r.enter();
      decodeResourceSpans(r, b, rejections);
      r.leave(outer);
    } else {
      r.skipUnknown(tag, REQUEST_WIRE, 'ExportTraceServiceRequest');
    }
  }
  return { batch: b.finish(), rejectedSpans: rejections.count, rejectMessage: rejections.message() };
}

// ResourceSpans: 1 resource (Resource), 2 scope_spans (repeated ScopeSpans), 3 schema_url (string)
function decodeResourceSpans(r: ProtoReader, b: SpanBatchBuilder, rejections: SpanRejections): void {
  const start = r.pos;
  const resource = b.resourceCount; // the index addResource will hand out
  const attributesStart = b.resourceAttributes.length;
  let schemaUrl = '';
  let dropped = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 10) {
      // 1 resource
      const outer = r.enter();
      dropped = decodeResource(r, b.resourceAttributes, resource, dropped);
      r.leave(outer);
    } else if (tag === 18) {
      r.skip(tag); // 2 scope_spans, read in the second pass
    } else if (tag === 26) {
      // 3 schema_url
      schemaUrl = r.string();
    } else {
      r.skipUnknown(tag, RESOURCE_SPANS_WIRE, 'ResourceSpans');
    }
  }
  b.addResource(schemaUrl, dropped);
  setServiceName(b, resource, attributesStart);

  const spansBefore = b.length;
  r.pos = start;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 18) {
      const outer = r.enter();
      decodeScopeSpans(r, b, resource, rejections);
      r.leave(outer);
    } else {
      r.skip(tag);
    }
  }
  if (b.length === spansBefore) b.removeLastResource(attributesStart);
}

/** The last `service.name` attribute of the resource, when it is a string. */
function setServiceName(b: SpanBatchBuilder, resource: number, attributesStart: number): void {
  const attrs = b.resourceAttributes;
  for (let i = attrs.length - 1; i >= attributesStart; i--) {
    if (attrs.key[i] === 'service.name') {
      if (attrs.type[i] === ValueType.String) b.setResourceServiceName(resource, attrs.str[i]!);
      return;
    }
  }
}

// Resource: 1 attributes (repeated KeyValue), 2 dropped_attributes_count (uint32)
function decodeResource(r: ProtoReader, attrs: AttributeBuilder, owner: number, dropped: number): number {
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 10) decodeKeyValue(r, attrs, owner); // 1 attributes
    else if (tag === 16) dropped = r.uint32(); // 2 dropped_attributes_count
    else r.skipUnknown(tag, RESOURCE_WIRE, 'Resource');
  }
  return dropped;
}

// ScopeSpans: 1 scope (InstrumentationScope), 2 spans (repeated Span), 3 schema_url (string)
function decodeScopeSpans(r: ProtoReader, b: SpanBatchBuilder, resource: number, rejections: SpanRejections): void {
  const start = r.pos;
  const scope = b.scopeCount;
  const attributesStart = b.scopeAttributes.length;
  const fields: ScopeFields = { name: '', version: '', dropped: 0 };
  let schemaUrl = '';
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 10) {
      // 1 scope
      const outer = r.enter();
      decodeScope(r, b.scopeAttributes, scope, fields);
      r.leave(outer);
    } else if (tag === 18) {
      r.skip(tag); // 2 spans, read in the second pass
    } else if (tag === 26) {
      // 3 schema_url
      schemaUrl = r.string();
    } else {
      r.skipUnknown(tag, SCOPE_SPANS_WIRE, 'ScopeSpans');
    }
  }
  b.addScope(fields.name, fields.version, schemaUrl, fields.dropped);

  const spansBefore = b.length;
  r.pos = start;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 18) {
      const outer = r.enter();
      decodeSpan(r, b, resource, scope, rejections);
      r.leave(outer);
    } else {
      r.skip(tag);
    }
  }
  if (b.length === spansBefore) b.removeLastScope(attributesStart);
}

interface ScopeFields {
  name: string;
  version: string;
  dropped: number;
}

// InstrumentationScope: 1 name, 2 version (string), 3 attributes (repeated KeyValue),
// 4 dropped_attributes_count (uint32)
function decodeScope(r: ProtoReader, attrs: AttributeBuilder, owner: number, out: ScopeFields): void {
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 10) out.name = r.string(); // 1 name
    else if (tag === 18) out.version = r.string(); // 2 version
    else if (tag === 26) decodeKeyValue(r, attrs, owner); // 3 attributes
    else if (tag === 32) out.dropped = r.uint32(); // 4 dropped_attributes_count
    else r.skipUnknown(tag, SCOPE_WIRE, 'InstrumentationScope');
  }
}


// Span:  1 trace_id (bytes)           2 span_id (bytes)          3 trace_state (string)
//        4 parent_span_id (bytes)     5 name (string)            6 kind (enum)
//        7 start_time_unix_nano (fixed64)                        8 end_time_unix_nano (fixed64)
//        9 attributes (repeated KeyValue)                       10 dropped_attributes_count (uint32)
//       11 events (repeated Event)   12 dropped_events_count    13 links (repeated Link)
//       14 dropped_links_count       15 status (Status)         16 flags (fixed32)
function decodeSpan(r: ProtoReader, b: SpanBatchBuilder, resource: number, scope: number, rejections: SpanRejections): void {
  // Where to roll back to if the span is rejected; a SpanMark is only built then.
  const spanAttributes = b.attributes.length;
  const events = b.eventCount;
  const eventAttributes = b.eventAttributes.length;
  const links = b.linkCount;
  const linkAttributes = b.linkAttributes.length;
  const i = b.addSpan(resource, scope);
  let traceIdLength = 0;
  let spanIdLength = 0;
  let parentIdLength = 0;
  let unstorableLinks = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    switch (tag) {
      case 10: // 1 trace_id
        traceIdLength = r.bytesInto(b.traceId, i * TRACE_ID_BYTES, TRACE_ID_BYTES);
        break;
      case 18: // 2 span_id
        spanIdLength = r.bytesInto(b.spanId, i * SPAN_ID_BYTES, SPAN_ID_BYTES);
        break;
      case 26: // 3 trace_state
        b.traceState[i] = r.string();
        break;
      case 34: // 4 parent_span_id
        parentIdLength = r.bytesInto(b.parentSpanId, i * SPAN_ID_BYTES, SPAN_ID_BYTES);
        if (parentIdLength === 0) b.parentSpanId.fill(0, i * SPAN_ID_BYTES, (i + 1) * SPAN_ID_BYTES);
        break;
      case 42: // 5 name
        b.name[i] = r.string();
        break;
      case 48: // 6 kind
        b.kind[i] = r.uint32();
        break;
      case 57: // 7 start_time_unix_nano
        b.startTimeUnixNano[i] = r.fixed64();
        break;
      case 65: // 8 end_time_unix_nano
        b.endTimeUnixNano[i] = r.fixed64();
        break;
      case 74: // 9 attributes
        decodeKeyValue(r, b.attributes, i);
        break;
      case 80: // 10 dropped_attributes_count
        b.droppedAttributesCount[i] = r.uint32();
        break;
      case 90: // 11 events
        decodeEvent(r, b, i);
        break;
      case 96: // 12 dropped_events_count
        b.droppedEventsCount[i] = r.uint32();
        break;
      case 106: // 13 links
        unstorableLinks += decodeLink(r, b, i);
        break;
      case 112: // 14 dropped_links_count
        b.droppedLinksCount[i] = r.uint32();
        break;
      case 122: // 15 status
        decodeStatus(r, b, i);
        break;
      case 133: // 16 flags
        b.flags[i] = r.fixed32();
        break;
      default:
        r.skipUnknown(tag, SPAN_WIRE, 'Span');
    }
  }
  b.droppedLinksCount[i] += unstorableLinks;
  const reason = invalidIds(b, i, traceIdLength, spanIdLength, parentIdLength);
  if (reason !== undefined) {
    const name = b.name[i]!;
    const shown = name.length > MAX_NAME_IN_MESSAGE ? `${name.slice(0, MAX_NAME_IN_MESSAGE)}…` : name;
    rejections.add(`${reason} in span ${JSON.stringify(shown)}`);
    b.rollback({ spans: i, spanAttributes, events, eventAttributes, links, linkAttributes });
  }
}

/** Why span `i` cannot be stored, or undefined when its ids are fine. */
function invalidIds(b: SpanBatchBuilder, i: number, traceIdLength: number, spanIdLength: number, parentIdLength: number): string | undefined {
  if (traceIdLength !== TRACE_ID_BYTES) return `invalid trace_id (length ${traceIdLength})`;
  if (isAllZero(b.traceId, i * TRACE_ID_BYTES, TRACE_ID_BYTES)) return 'invalid trace_id (all zero)';
  if (spanIdLength !== SPAN_ID_BYTES) return `invalid span_id (length ${spanIdLength})`;
  if (isAllZero(b.spanId, i * SPAN_ID_BYTES, SPAN_ID_BYTES)) return 'invalid span_id (all zero)';
  if (parentIdLength !== 0 && parentIdLength !== SPAN_ID_BYTES) return `invalid parent_span_id (length ${parentIdLength})`;
  return undefined;
}

function isAllZero(bytes: Uint8Array, start: number, length: number): boolean {
  for (let k = start; k < start + length; k++) if (bytes[k] !== 0) return false;
  return true;
}

// Status: 2 message (string), 3 code (enum)
function decodeStatus(r: ProtoReader, b: SpanBatchBuilder, span: number): void {
  const outer = r.enter();
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 18) b.statusMessage[span] = r.string(); // 2 message
    else if (tag === 24) b.statusCode[span] = r.uint32(); // 3 code
    else r.skipUnknown(tag, STATUS_WIRE, 'Status');
  }
  r.leave(outer);
}

// Event: 1 time_unix_nano (fixed64), 2 name (string), 3 attributes (repeated KeyValue),
// 4 dropped_attributes_count (uint32)
function decodeEvent(r: ProtoReader, b: SpanBatchBuilder, span: number): void {
  const outer = r.enter();
  const owner = b.eventCount; // the index addEvent will hand out
  let time = 0n;
  let name = '';
  let dropped = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 9) time = r.fixed64(); // 1 time_unix_nano
    else if (tag === 18) name = r.string(); // 2 name
    else if (tag === 26) decodeKeyValue(r, b.eventAttributes, owner); // 3 attributes
    else if (tag === 32) dropped = r.uint32(); // 4 dropped_attributes_count
    else r.skipUnknown(tag, EVENT_WIRE, 'Span.Event');
  }
  b.addEvent(span, time, name, dropped);
  r.leave(outer);
}

// Link: 1 trace_id (bytes), 2 span_id (bytes), 3 trace_state (string),
// 4 attributes (repeated KeyValue), 5 dropped_attributes_count (uint32), 6 flags (fixed32)
//
// A link whose ids have the wrong length cannot be stored in the fixed-width id
// columns; it is dropped (returns 1, for the span's dropped_links_count) and the
// span kept. Empty ids are kept as all-zero.
function decodeLink(r: ProtoReader, b: SpanBatchBuilder, span: number): number {
  const outer = r.enter();
  const owner = b.linkCount;
  const attributesStart = b.linkAttributes.length;
  let traceIdAt = -1;
  let traceIdLength = 0;
  let spanIdAt = -1;
  let spanIdLength = 0;
  let traceState = '';
  let dropped = 0;
  let flags = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 10) {
      // 1 trace_id
      traceIdLength = r.length();
      traceIdAt = r.pos;
      r.pos += traceIdLength;
    } else if (tag === 18) {
      // 2 span_id
      spanIdLength = r.length();
      spanIdAt = r.pos;
      r.pos += spanIdLength;
    } else if (tag === 26) traceState = r.string(); // 3 trace_state
    else if (tag === 34) decodeKeyValue(r, b.linkAttributes, owner); // 4 attributes
    else if (tag === 40) dropped = r.uint32(); // 5 dropped_attributes_count
    else if (tag === 53) flags = r.fixed32(); // 6 flags
    else r.skipUnknown(tag, LINK_WIRE, 'Span.Link');
  }
  r.leave(outer);
  const traceIdOk = traceIdLength === TRACE_ID_BYTES || traceIdLength === 0;
  const spanIdOk = spanIdLength === SPAN_ID_BYTES || spanIdLength === 0;
  if (!traceIdOk || !spanIdOk) {
    b.linkAttributes.truncate(attributesStart);
    return 1;
  }
  const link = b.addLink(span, traceState, flags, dropped);
  const src = r.bytes;
  if (traceIdLength !== 0) b.linkTraceId.set(src.subarray(traceIdAt, traceIdAt + TRACE_ID_BYTES), link * TRACE_ID_BYTES);
  if (spanIdLength !== 0) b.linkSpanId.set(src.subarray(spanIdAt, spanIdAt + SPAN_ID_BYTES), link * SPAN_ID_BYTES);
  return 0;
}


// KeyValue: 1 key (string), 2 value (AnyValue). The value is decoded once the
// key is known, as the key may come after it.
function decodeKeyValue(r: ProtoReader, attrs: AttributeBuilder, owner: number): void {
  const outer = r.enter();
  const start = r.pos;
  const end = r.end;
  const bytes = r.bytes;
  // Fast path for what every encoder writes: key, then value, nothing else.
  if (start < end && bytes[start] === 10) {
    r.pos = start + 1;
    const key = r.key();
    if (r.pos < end && bytes[r.pos] === 18) {
      r.pos++;
      const length = r.length();
      if (r.pos + length === end) {
        addAnyValue(r, attrs, owner, key);
        r.leave(outer);
        return;
      }
    }
    r.pos = start;
  }
  let key = '';
  let valueAt = -1;
  let valueEnd = -1;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 10) {
      key = r.key();
    } else if (tag === 18) {
      const length = r.length();
      valueAt = r.pos;
      valueEnd = valueAt + length;
      r.pos = valueEnd;
    } else {
      r.skipUnknown(tag, KEY_VALUE_WIRE, 'KeyValue');
    }
  }
  if (valueAt < 0) {
    attrs.addEmpty(owner, key);
  } else {
    r.pos = valueAt;
    r.end = valueEnd;
    addAnyValue(r, attrs, owner, key);
    r.end = end;
  }
  r.leave(outer);
}

/**
 * Finds the oneof member of the AnyValue in [r.pos, r.end) that counts (the
 * last one set) and leaves r.pos at its value; returns its tag, or 0 when none
 * is set.
 */
function findAnyValue(r: ProtoReader): number {
  let found = 0;
  let foundAt = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    switch (tag) {
      case ANY_STRING:
      case ANY_BOOL:
      case ANY_INT:
      case ANY_DOUBLE:
      case ANY_ARRAY:
      case ANY_KVLIST:
      case ANY_BYTES:
        found = tag;
        foundAt = r.pos;
        r.skip(tag);
        break;
      default:
        r.skipUnknown(tag, ANY_VALUE_WIRE, 'AnyValue');
    }
  }
  r.pos = foundAt;
  return found;
}

// AnyValue: 1 string_value, 2 bool_value, 3 int_value (int64), 4 double_value,
// 5 array_value (ArrayValue), 6 kvlist_value (KeyValueList), 7 bytes_value
// Adds the AnyValue in [r.pos, r.end) as an attribute; leaves r.pos anywhere.
function addAnyValue(r: ProtoReader, attrs: AttributeBuilder, owner: number, key: string): void {
  const start = r.pos;
  const end = r.end;
  // Fast path: a single scalar member, the usual case.
  if (start < end) {
    r.pos = start + 1;
    switch (r.bytes[start]) {
      case ANY_STRING: {
        const value = r.string();
        if (r.pos === end) return attrs.addString(owner, key, value);
        break;
      }
      case ANY_INT: {
        const value = r.int64();
        if (r.pos === end) return attrs.addInt(owner, key, value);
        break;
      }
      case ANY_BOOL: {
        const value = r.bool();
        if (r.pos === end) return attrs.addBool(owner, key, value);
        break;
      }
      case ANY_DOUBLE: {
        const value = r.double();
        if (r.pos === end) return attrs.addDouble(owner, key, value);
        break;
      }
    }
    r.pos = start;
  }
  switch (findAnyValue(r)) {
    case ANY_STRING:
      attrs.addString(owner, key, r.string());
      break;
    case ANY_BOOL:
      attrs.addBool(owner, key, r.bool());
      break;
    case ANY_INT:
      attrs.addInt(owner, key, r.int64());
      break;
    case ANY_DOUBLE:
      attrs.addDouble(owner, key, r.double());
      break;
    case ANY_BYTES:
      attrs.addBytes(owner, key, r.base64());
      break;
    case ANY_ARRAY:
      attrs.addComplex(owner, key, ValueType.Array, listJson(r, true, 2));
      break;
    case ANY_KVLIST:
      attrs.addComplex(owner, key, ValueType.KvList, listJson(r, false, 2));
      break;
    default:
      attrs.addEmpty(owner, key);
  }
}

/**
 * Canonical JSON (any-value-json.ts) of the ArrayValue or KeyValueList that
 * starts at r.pos (its length prefix); its elements are at nesting level `depth`.
 */
function listJson(r: ProtoReader, isArray: boolean, depth: number): string {
  const outer = r.enter();
  let out = isArray ? ARRAY_VALUE_OPEN : KVLIST_VALUE_OPEN;
  let first = true;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag !== 10) {
      r.skipUnknown(tag, LIST_WIRE, isArray ? 'ArrayValue' : 'KeyValueList');
      continue;
    }
    if (!first) out += ',';
    first = false;
    out += isArray ? elementJson(r, depth) : keyValueElementJson(r, depth);
  }
  r.leave(outer);
  return out + LIST_VALUE_CLOSE;
}

/** JSON of the length-delimited AnyValue at r.pos, nested at level `depth`. */
function elementJson(r: ProtoReader, depth: number): string {
  const outer = r.enter();
  if (depth > MAX_ANY_VALUE_DEPTH) r.fail(`AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
  const json = anyValueJson(r, depth);
  r.leave(outer);
  return json;
}

function anyValueJson(r: ProtoReader, depth: number): string {
  switch (findAnyValue(r)) {
    case ANY_STRING:
      return stringValueJson(r.string());
    case ANY_BOOL:
      return boolValueJson(r.bool());
    case ANY_INT: {
      const lo = r.varint64();
      // most ints are small and non-negative: skip the bigint
      return r.hi === 0 ? '{"intValue":"' + lo + '"}' : intValueJson(int64FromHalves(lo, r.hi));
    }
    case ANY_DOUBLE:
      return doubleValueJson(r.double());
    case ANY_BYTES:
      return bytesValueJson(r.base64());
    case ANY_ARRAY:
      return listJson(r, true, depth + 1);
    case ANY_KVLIST:
      return listJson(r, false, depth + 1);
    default:
      return EMPTY_VALUE_JSON;
  }
}

/** JSON of the length-delimited KeyValue at r.pos inside a kvlist at level `depth`. */
function keyValueElementJson(r: ProtoReader, depth: number): string {
  const outer = r.enter();
  let key = '';
  let valueAt = -1;
  let valueEnd = -1;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 10) {
      key = r.key();
    } else if (tag === 18) {
      const length = r.length();
      valueAt = r.pos;
      valueEnd = valueAt + length;
      r.pos = valueEnd;
    } else {
      r.skipUnknown(tag, KEY_VALUE_WIRE, 'KeyValue');
    }
  }
  let value = EMPTY_VALUE_JSON;
  if (valueAt >= 0) {
    if (depth > MAX_ANY_VALUE_DEPTH) r.fail(`AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`, valueAt);
    const kvEnd = r.end;
    r.pos = valueAt;
    r.end = valueEnd;
    value = anyValueJson(r, depth);
    r.pos = r.end = kvEnd;
  }
  r.leave(outer);
  return keyValueJson(key, value);
}

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

import { SpanBatchBuilder } from '../model/span-batch-builder.js';
import { SPAN_ID_BYTES, TRACE_ID_BYTES } from '../model/span-batch.js';
import { type DecodedTraces, Rejections } from './decoded-traces.js';
import { ProtoReader, WireType } from './protobuf-reader.js';
import { UNKNOWN_WIRE, decodeExportRequest, decodeKeyValue } from './otlp-proto-common.js';

const VARINT = WireType.Varint;
const I64 = WireType.Fixed64;
const LEN = WireType.LengthDelimited;
const I32 = WireType.Fixed32;
const UNKNOWN = UNKNOWN_WIRE;

// Tags below are written as numbers, field number * 8 + wire type (e.g. 122 is
// field 15, length-delimited), so that switches compare against constants.

// Expected wire type per field number, for messages we decode; UNKNOWN for
// fields we skip whatever their type.
const SPAN_WIRE = [UNKNOWN, LEN, LEN, LEN, LEN, LEN, VARINT, I64, I64, LEN, VARINT, LEN, VARINT, LEN, VARINT, LEN, I32];
const EVENT_WIRE = [UNKNOWN, I64, LEN, LEN, VARINT];
const LINK_WIRE = [UNKNOWN, LEN, LEN, LEN, LEN, VARINT, I32];
const STATUS_WIRE = [UNKNOWN, UNKNOWN, LEN, VARINT]; // 1 is the retired deprecated_code
const SPAN_GROUPS = { request: 'ExportTraceServiceRequest', resource: 'ResourceSpans', scope: 'ScopeSpans' };

/** Longer span names are cut short in reject messages. */
const MAX_NAME_IN_MESSAGE = 100;


/**
 * One builder for every request (decoding is synchronous): its arrays keep
 * their room between requests instead of growing step by step in each. One
 * left larger than this by a big request is dropped, not kept.
 */
let builder = new SpanBatchBuilder();
const REUSED_BUILDER_MAX_SPANS = 1 << 16;

/** Decodes an OTLP/protobuf trace export request; throws DecodeError on malformed input. */
export function decodeExportTraceServiceRequest(bytes: Uint8Array): DecodedTraces {
  const b = builder;
  b.reset();
  const rejections = new Rejections();
  try {
    decodeExportRequest(bytes, b, SPAN_GROUPS, (r, b, resource, scope) => decodeSpan(r, b, resource, scope, rejections));
    return { batch: b.finish(), rejectedSpans: rejections.count, rejectMessage: rejections.message() };
  } finally {
    if (b.length > REUSED_BUILDER_MAX_SPANS) builder = new SpanBatchBuilder();
  }
}

// Span:  1 trace_id (bytes)           2 span_id (bytes)          3 trace_state (string)
//        4 parent_span_id (bytes)     5 name (string)            6 kind (enum)
//        7 start_time_unix_nano (fixed64)                        8 end_time_unix_nano (fixed64)
//        9 attributes (repeated KeyValue)                       10 dropped_attributes_count (uint32)
//       11 events (repeated Event)   12 dropped_events_count    13 links (repeated Link)
//       14 dropped_links_count       15 status (Status)         16 flags (fixed32)
function decodeSpan(r: ProtoReader, b: SpanBatchBuilder, resource: number, scope: number, rejections: Rejections): void {
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
        b.setStartTime(i, r.fixed64Lo(), r.hi);
        break;
      case 65: // 8 end_time_unix_nano
        b.setEndTime(i, r.fixed64Lo(), r.hi);
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



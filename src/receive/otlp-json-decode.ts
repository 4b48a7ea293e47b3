// OTLP/JSON ExportTraceServiceRequest → SpanBatch, writing the same columns
// as the protobuf decoder. The body goes through JSON.parse (native, faster
// than any tokenizer written here) and the parsed tree is walked once, straight
// into the builder.
//
// The OTLP JSON encoding is the protobuf JSON mapping with exceptions:
//   traceId / spanId / parentSpanId   hex (case-insensitive), not base64
//   int64 / fixed64 (times, intValue) decimal string or JSON number
//   enums (kind, status.code)         number or name (SPAN_KIND_SERVER)
//   field names                       lowerCamelCase; proto snake_case accepted too
// Unknown fields are ignored; missing or null fields take the proto default.
//
// A wrong shape throws DecodeError naming the JSON path and nothing is kept.
// A span with invalid ids is dropped alone (rolled back) and counted; a link
// with ids of the wrong length is dropped into its span's dropped_links_count;
// a resource or scope left without spans adds nothing. All as the protobuf
// decoder does, so both give the same batch for the same request.

import { SPAN_ID_BYTES, TRACE_ID_BYTES } from '../model/span-batch.js';
import { SpanBatchBuilder } from '../model/span-batch-builder.js';
import { type DecodedTraces, Rejections } from './decoded-traces.js';
import { readAttributes } from './otlp-json-any-value.js';
import { readResourceGroups, type JsonGroupNames } from './otlp-json-groups.js';
import { idText, readHexText, writeHexId } from './otlp-json-ids.js';
import {
  describe,
  expectObject,
  readArray,
  readEnum,
  readFixed64,
  readObject,
  readString,
  readUint32,
  within,
  type JsonObject,
} from './otlp-json-fields.js';
import { decodeOtlpJsonBody } from './otlp-json-request.js';

const SPAN_KIND_NAMES = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
] as const;

const STATUS_CODE_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'] as const;

const SPAN_GROUPS: JsonGroupNames = {
  resources: ['resourceSpans', 'resource_spans'],
  scopes: ['scopeSpans', 'scope_spans'],
  items: ['spans', 'spans'],
};

export function decodeOtlpJsonTraces(body: Uint8Array | string): DecodedTraces {
  return decodeOtlpJsonBody(body, 'otlp-json', (request) => {
    const b = new SpanBatchBuilder();
    const rejections = new Rejections();
    readResourceGroups(request, b, SPAN_GROUPS, (item, b, resource, scope) => readSpan(item, b, rejections, resource, scope));
    return { batch: b.finish(), rejectedSpans: rejections.count, rejectMessage: rejections.message() };
  });
}


function readSpan(s: JsonObject, b: SpanBatchBuilder, rejections: Rejections, resource: number, scope: number): void {
  const mark = b.mark();
  const i = b.addSpan(resource, scope);
  // The whole span is read even when an id is bad, so a malformed field still
  // fails the request; `badId` names the first bad id, e.g. `traceId "abc"`.
  let badId = '';
  const traceId = readHexText(s, 'traceId', 'trace_id');
  if (traceId.length !== 2 * TRACE_ID_BYTES || !writeHexId(traceId, b.traceId, i * TRACE_ID_BYTES, TRACE_ID_BYTES)) {
    badId = idText(s, 'traceId', 'trace_id');
  }
  const spanId = readHexText(s, 'spanId', 'span_id');
  if (spanId.length !== 2 * SPAN_ID_BYTES || !writeHexId(spanId, b.spanId, i * SPAN_ID_BYTES, SPAN_ID_BYTES)) {
    if (badId === '') badId = idText(s, 'spanId', 'span_id');
  }
  // empty means a root span; an all-zero parent is accepted as one too
  const parentSpanId = readHexText(s, 'parentSpanId', 'parent_span_id');
  if (parentSpanId.length === 2 * SPAN_ID_BYTES) {
    writeHexId(parentSpanId, b.parentSpanId, i * SPAN_ID_BYTES, SPAN_ID_BYTES);
  } else if (parentSpanId.length !== 0 && badId === '') {
    badId = idText(s, 'parentSpanId', 'parent_span_id');
  }

  b.traceState[i] = readString(s, 'traceState', 'trace_state');
  b.flags[i] = readUint32(s, 'flags');
  const name = readString(s, 'name');
  b.name[i] = name;
  b.kind[i] = readEnum(s, 'kind', undefined, 'SpanKind', SPAN_KIND_NAMES);
  b.startTimeUnixNano[i] = readFixed64(s, 'startTimeUnixNano', 'start_time_unix_nano');
  b.endTimeUnixNano[i] = readFixed64(s, 'endTimeUnixNano', 'end_time_unix_nano');
  readAttributes(s, b.attributes, i);
  b.droppedAttributesCount[i] = readUint32(s, 'droppedAttributesCount', 'dropped_attributes_count');
  readEvents(s, b, i);
  b.droppedEventsCount[i] = readUint32(s, 'droppedEventsCount', 'dropped_events_count');
  const unstorableLinks = readLinks(s, b, i);
  b.droppedLinksCount[i] = readUint32(s, 'droppedLinksCount', 'dropped_links_count') + unstorableLinks;
  const status = readObject(s, 'status');
  if (status) {
    try {
      b.statusCode[i] = readEnum(status, 'code', undefined, 'StatusCode', STATUS_CODE_NAMES);
      b.statusMessage[i] = readString(status, 'message');
    } catch (e) {
      within(e, 'status');
    }
  }

  if (badId !== '') {
    b.rollback(mark);
    rejections.add(`invalid ${badId} in span ${describe(name)}`);
  }
}

function readEvents(s: JsonObject, b: SpanBatchBuilder, span: number): void {
  const events = readArray(s, 'events');
  let i = 0;
  try {
    for (; i < events.length; i++) {
      const ev = expectObject(events[i]);
      const e = b.addEvent(
        span,
        readFixed64(ev, 'timeUnixNano', 'time_unix_nano'),
        readString(ev, 'name'),
        readUint32(ev, 'droppedAttributesCount', 'dropped_attributes_count'),
      );
      readAttributes(ev, b.eventAttributes, e);
    }
  } catch (e) {
    within(e, `events[${i}]`);
  }
}

/**
 * Reads the span's links. As in the protobuf decoder, a link whose ids have
 * the wrong length cannot be stored in the fixed-width id columns: it is
 * dropped and counted (returned, for dropped_links_count) and the span kept.
 * Missing ids are kept as all-zero.
 */
function readLinks(s: JsonObject, b: SpanBatchBuilder, span: number): number {
  const links = readArray(s, 'links');
  let unstorable = 0;
  let i = 0;
  try {
    for (; i < links.length; i++) {
      const link = expectObject(links[i]);
      const traceState = readString(link, 'traceState', 'trace_state');
      const flags = readUint32(link, 'flags');
      const dropped = readUint32(link, 'droppedAttributesCount', 'dropped_attributes_count');
      const traceId = readHexText(link, 'traceId', 'trace_id');
      const spanId = readHexText(link, 'spanId', 'span_id');
      if (
        (traceId.length !== 0 && traceId.length !== 2 * TRACE_ID_BYTES) ||
        (spanId.length !== 0 && spanId.length !== 2 * SPAN_ID_BYTES)
      ) {
        // still read, so that malformed attributes fail the request
        const attributesStart = b.linkAttributes.length;
        readAttributes(link, b.linkAttributes, b.linkCount);
        b.linkAttributes.truncate(attributesStart);
        unstorable++;
        continue;
      }
      const l = b.addLink(span, traceState, flags, dropped);
      if (traceId.length !== 0) writeHexId(traceId, b.linkTraceId, l * TRACE_ID_BYTES, TRACE_ID_BYTES);
      if (spanId.length !== 0) writeHexId(spanId, b.linkSpanId, l * SPAN_ID_BYTES, SPAN_ID_BYTES);
      readAttributes(link, b.linkAttributes, l);
    }
  } catch (e) {
    within(e, `links[${i}]`);
  }
  return unstorable;
}


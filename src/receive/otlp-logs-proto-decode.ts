// OTLP/protobuf ExportLogsServiceRequest → LogBatch, in one walk over the
// bytes like the span decoder (otlp-proto-decode.ts), sharing its resource,
// scope and AnyValue code (otlp-proto-common.ts). Field numbers are those of
// opentelemetry-proto v1 logs.proto and logs_service.proto.
//
// A record whose trace_id is not 0 or 16 bytes, or span_id not 0 or 8, cannot
// be stored in the fixed-width id columns: it is dropped alone and counted
// (OTLP partial success). A kvlist body is also flattened into typed fields
// (log-body-fields.ts).

import { LogBatchBuilder } from '../model/log-batch-builder.js';
import { OTLP_LOG_STREAM } from '../model/log-batch.js';
import { SPAN_ID_BYTES, TRACE_ID_BYTES, ValueType } from '../model/span-batch.js';
import { Rejections } from './decoded-traces.js';
import type { DecodedLogs } from './decoded-logs.js';
import { flattenOtlpKvlist } from './log-body-fields.js';
import { UNKNOWN_WIRE, addAnyValue, decodeExportRequest, decodeKeyValue } from './otlp-proto-common.js';
import { ProtoReader, WireType } from './protobuf-reader.js';

const VARINT = WireType.Varint;
const I64 = WireType.Fixed64;
const LEN = WireType.LengthDelimited;
const I32 = WireType.Fixed32;
const UNKNOWN = UNKNOWN_WIRE;

// LogRecord fields 1..12; 4 is reserved
const LOG_RECORD_WIRE = [UNKNOWN, I64, VARINT, LEN, UNKNOWN, LEN, LEN, VARINT, I32, LEN, LEN, I64, LEN];
const LOG_GROUPS = { request: 'ExportLogsServiceRequest', resource: 'ResourceLogs', scope: 'ScopeLogs' };

/** Decodes an OTLP/protobuf logs export request; throws DecodeError on malformed input. */
export function decodeExportLogsServiceRequest(bytes: Uint8Array): DecodedLogs {
  const b = new LogBatchBuilder();
  const rejections = new Rejections('log record');
  decodeExportRequest(bytes, b, LOG_GROUPS, (r, b, resource, scope) => decodeLogRecord(r, b, resource, scope, rejections));
  return { batch: b.finish(), rejected: rejections.count, rejectMessage: rejections.message() };
}

// LogRecord:  1 time_unix_nano (fixed64)       11 observed_time_unix_nano (fixed64)
//             2 severity_number (enum)          3 severity_text (string)
//             5 body (AnyValue)                 6 attributes (repeated KeyValue)
//             7 dropped_attributes_count        8 flags (fixed32)
//             9 trace_id (bytes)               10 span_id (bytes)
//            12 event_name (string)
function decodeLogRecord(r: ProtoReader, b: LogBatchBuilder, resource: number, scope: number, rejections: Rejections): void {
  const mark = b.mark();
  const i = b.addRecord(resource, scope, OTLP_LOG_STREAM);
  let traceIdLength = 0;
  let spanIdLength = 0;
  let bodyAt = -1;
  let bodyEnd = -1;
  while (r.pos < r.end) {
    const tag = r.tag();
    switch (tag) {
      case 9: // 1 time_unix_nano
        b.timeUnixNano[i] = r.fixed64();
        break;
      case 89: // 11 observed_time_unix_nano
        b.observedTimeUnixNano[i] = r.fixed64();
        break;
      case 16: // 2 severity_number
        b.severityNumber[i] = Math.min(r.uint32(), 255);
        break;
      case 26: // 3 severity_text
        b.severityText[i] = r.string();
        break;
      case 42: {
        // 5 body: the last one wins; decoded after the loop
        const length = r.length();
        bodyAt = r.pos;
        bodyEnd = bodyAt + length;
        r.pos = bodyEnd;
        break;
      }
      case 50: // 6 attributes
        decodeKeyValue(r, b.attributes, i);
        break;
      case 56: // 7 dropped_attributes_count
        b.droppedAttributesCount[i] = r.uint32();
        break;
      case 69: // 8 flags
        b.flags[i] = r.fixed32();
        break;
      case 74: // 9 trace_id
        traceIdLength = r.bytesInto(b.traceId, i * TRACE_ID_BYTES, TRACE_ID_BYTES);
        break;
      case 82: // 10 span_id
        spanIdLength = r.bytesInto(b.spanId, i * SPAN_ID_BYTES, SPAN_ID_BYTES);
        break;
      case 98: // 12 event_name
        b.eventName[i] = r.string();
        break;
      default:
        r.skipUnknown(tag, LOG_RECORD_WIRE, 'LogRecord');
    }
  }
  if (bodyAt >= 0) {
    const end = r.end;
    r.pos = bodyAt;
    r.end = bodyEnd;
    addBody(r, b, i);
    r.pos = r.end = end;
  }
  const reason =
    traceIdLength !== 0 && traceIdLength !== TRACE_ID_BYTES
      ? `invalid trace_id (length ${traceIdLength})`
      : spanIdLength !== 0 && spanIdLength !== SPAN_ID_BYTES
        ? `invalid span_id (length ${spanIdLength})`
        : undefined;
  if (reason !== undefined) {
    rejections.add(reason);
    b.rollback(mark);
  }
}

/** The AnyValue at [r.pos, r.end) as record `i`'s body; a kvlist is flattened into fields too. */
function addBody(r: ProtoReader, b: LogBatchBuilder, i: number): void {
  const at = b.body.length;
  addAnyValue(r, b.body, i, '');
  if (b.body.type[at] === ValueType.KvList) flattenOtlpKvlist(b.body.str[at]!, b.bodyFields, i, b.rowTime(i));
}

// OTLP/JSON ExportLogsServiceRequest → LogBatch, the same columns as the
// protobuf decoder (otlp-logs-proto-decode.ts) for the same request. The JSON
// mapping's exceptions are those of traces (otlp-json-decode.ts): hex ids,
// int64 as string or number, enums as number or name, camelCase or snake_case.
// A wrong shape throws DecodeError naming the JSON path; a record with ids of
// the wrong length is dropped alone and counted.

import { LogBatchBuilder } from '../model/log-batch-builder.js';
import { OTLP_LOG_STREAM } from '../model/log-batch.js';
import { SPAN_ID_BYTES, TRACE_ID_BYTES, ValueType } from '../model/span-batch.js';
import { Rejections } from './decoded-traces.js';
import type { DecodedLogs } from './decoded-logs.js';
import { flattenOtlpKvlist } from './log-body-fields.js';
import { addAttribute, readAttributes } from './otlp-json-any-value.js';
import { readFixed64, readString, readUint32, readEnum, fieldOf, within, type JsonObject } from './otlp-json-fields.js';
import { readResourceGroups, type JsonGroupNames } from './otlp-json-groups.js';
import { idText, readHexText, writeHexId } from './otlp-json-ids.js';
import { decodeOtlpJsonBody } from './otlp-json-request.js';

const LOG_GROUPS: JsonGroupNames = {
  resources: ['resourceLogs', 'resource_logs'],
  scopes: ['scopeLogs', 'scope_logs'],
  items: ['logRecords', 'log_records'],
};

/** SeverityNumber names, index = value (logs.proto). */
export const SEVERITY_NUMBER_NAMES: readonly string[] = [
  'SEVERITY_NUMBER_UNSPECIFIED',
  ...['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].flatMap((level) => ['', '2', '3', '4'].map((n) => `SEVERITY_NUMBER_${level}${n}`)),
];

export function decodeOtlpJsonLogs(body: Uint8Array | string): DecodedLogs {
  return decodeOtlpJsonBody(body, 'otlp-json', (request) => {
    const b = new LogBatchBuilder();
    const rejections = new Rejections('log record');
    readResourceGroups(request, b, LOG_GROUPS, (item, b, resource, scope) => readLogRecord(item, b, rejections, resource, scope));
    return { batch: b.finish(), rejected: rejections.count, rejectMessage: rejections.message() };
  });
}

function readLogRecord(o: JsonObject, b: LogBatchBuilder, rejections: Rejections, resource: number, scope: number): void {
  const mark = b.mark();
  const i = b.addRecord(resource, scope, OTLP_LOG_STREAM);
  let badId = '';
  const traceId = readHexText(o, 'traceId', 'trace_id');
  if (traceId.length === 2 * TRACE_ID_BYTES) writeHexId(traceId, b.traceId, i * TRACE_ID_BYTES, TRACE_ID_BYTES);
  else if (traceId.length !== 0) badId = idText(o, 'traceId', 'trace_id');
  const spanId = readHexText(o, 'spanId', 'span_id');
  if (spanId.length === 2 * SPAN_ID_BYTES) writeHexId(spanId, b.spanId, i * SPAN_ID_BYTES, SPAN_ID_BYTES);
  else if (spanId.length !== 0 && badId === '') badId = idText(o, 'spanId', 'span_id');

  b.timeUnixNano[i] = readFixed64(o, 'timeUnixNano', 'time_unix_nano');
  b.observedTimeUnixNano[i] = readFixed64(o, 'observedTimeUnixNano', 'observed_time_unix_nano');
  b.severityNumber[i] = readEnum(o, 'severityNumber', 'severity_number', 'SeverityNumber', SEVERITY_NUMBER_NAMES);
  b.severityText[i] = readString(o, 'severityText', 'severity_text');
  b.eventName[i] = readString(o, 'eventName', 'event_name');
  b.flags[i] = readUint32(o, 'flags');
  b.droppedAttributesCount[i] = readUint32(o, 'droppedAttributesCount', 'dropped_attributes_count');
  readAttributes(o, b.attributes, i);
  const body = fieldOf(o, 'body');
  if (body !== undefined && body !== null) {
    const at = b.body.length;
    try {
      addAttribute(b.body, i, '', body);
    } catch (e) {
      within(e, 'body');
    }
    if (b.body.type[at] === ValueType.KvList) flattenOtlpKvlist(b.body.str[at]!, b.bodyFields, i, b.rowTime(i));
  }
  if (badId !== '') {
    b.rollback(mark);
    rejections.add(`invalid ${badId}`);
  }
}

// The columnar form log records pass in, like SpanBatch for spans: one typed
// array per field, indexed by record; attributes, bodies and flattened body
// fields are AttributeColumns with an `owner` index back to their record.
// Resources and scopes are shared with spans (span-batch.ts).

import type { AttributeColumns, ResourceColumns, ScopeColumns } from './span-batch.js';
import type { FieldColumn } from './field-columns.js';

export interface LogBatch {
  length: number;
  /** when the event happened; 0 = unknown (the store uses the observed time then) */
  timeUnixNano: BigInt64Array;
  /** when it was collected (OTLP), or when marquetry received it (JSON lines) */
  observedTimeUnixNano: BigInt64Array;
  /** OTLP SeverityNumber 0..24 (0 unspecified) */
  severityNumber: Uint8Array;
  severityText: string[];
  /**
   * The body, at most one row per record (owner = record, key ''); a record
   * without a row has no body. Typed as attribute values are: strings in
   * `str`, maps and arrays as canonical OTLP JSON (lossless).
   */
  body: AttributeColumns;
  /**
   * The fields of map bodies, flattened (receive/log-body-fields.ts): one
   * column per dotted path (`http.status`) and type; arrays as plain JSON
   * text, null as Empty, the record's time as text as its digits.
   */
  bodyFields: FieldColumn[];
  /** JSON lines: the body field named as the records' correlation key (`?correlation_field=`) */
  correlationField?: string;
  /** the word hashes of each record's text, when the decoder made them (JSON lines); else the seal does */
  tokens?: RecordTokens;
  attributes: AttributeColumns;
  droppedAttributesCount: Uint32Array;
  flags: Uint32Array;
  /** 16 bytes per record, all zero when the record names no trace */
  traceId: Uint8Array;
  /** 8 bytes per record, all zero when none */
  spanId: Uint8Array;
  /** LogRecord.event_name; '' when none */
  eventName: string[];
  /** where the records came from: 'otlp', or the stream of a JSON-lines ingest */
  stream: string[];
  /** index into resources */
  resource: Uint32Array;
  /** index into scopes */
  scope: Uint32Array;
  resources: ResourceColumns;
  scopes: ScopeColumns;
}

/** Word hashes of a batch's records, in record order: record r's are hashes[offsets[r], offsets[r + 1]). */
export interface RecordTokens {
  offsets: Uint32Array;
  hashes: Uint32Array;
}

/** The stream name of records that came in over OTLP. */
export const OTLP_LOG_STREAM = 'otlp';

/**
 * OTLP SeverityNumber of common level names, lower case (the logs data
 * model's mapping): what JSON-lines ingest reads a record's level as, and
 * what a log part may leave to the reader (src/parts/log-severity-text.ts).
 */
export const LEVEL_SEVERITY_NUMBERS: ReadonlyMap<string, number> = new Map([
  ['trace', 1],
  ['debug', 5],
  ['info', 9],
  ['information', 9],
  ['notice', 9],
  ['warn', 13],
  ['warning', 13],
  ['error', 17],
  ['err', 17],
  ['fatal', 21],
  ['critical', 21],
  ['crit', 21],
  ['alert', 21],
  ['emergency', 21],
  ['panic', 21],
]);

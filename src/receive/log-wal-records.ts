// Log requests as the logs WAL keeps them — OTLP protobuf (gzip kept), OTLP
// JSON, or a JSON-lines body with what its decoding depends on — and their
// decoding into a LogBatch, the same at ingest and at replay.

import { gunzipSync } from 'node:zlib';
import type { LogBatch } from '../model/log-batch.js';
import { DecodeError } from '../model/errors.js';
import { decodeExportLogsServiceRequest } from './otlp-logs-proto-decode.js';
import { decodeOtlpJsonLogs } from './otlp-logs-json-decode.js';
import { decodeJsonLinesWalRecord } from './json-lines-wal.js';

/** WAL record types of the logs stream. */
export const LogWalType = {
  /** ExportLogsServiceRequest protobuf, as received */
  OtlpProto: 1,
  /** the same, gzip-compressed as received */
  OtlpProtoGzip: 2,
  /** ExportLogsServiceRequest OTLP/JSON, decompressed */
  OtlpJson: 3,
  /** a JSON-lines ingest (receive/json-lines-wal.ts) */
  JsonLines: 4,
} as const;

export function decodeLogWalRecord(type: number, payload: Uint8Array): LogBatch {
  switch (type) {
    case LogWalType.OtlpProto:
      return decodeExportLogsServiceRequest(payload).batch;
    case LogWalType.OtlpProtoGzip:
      return decodeExportLogsServiceRequest(gunzipSync(payload)).batch;
    case LogWalType.OtlpJson:
      return decodeOtlpJsonLogs(payload).batch;
    case LogWalType.JsonLines:
      return decodeJsonLinesWalRecord(payload).batch;
    default:
      throw new DecodeError(`logs-wal: unknown record type ${type}`);
  }
}

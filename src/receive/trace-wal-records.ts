// Trace requests as the traces WAL keeps them — OTLP protobuf, gzip kept
// when it came gzipped (OTLP/JSON is logged as the protobuf of what was
// accepted) — and their decoding into a SpanBatch, the same at ingest and at
// replay.

import { gunzipSync } from 'node:zlib';
import type { SpanBatch } from '../model/span-batch.js';
import { decodeExportTraceServiceRequest } from './otlp-proto-decode.js';

/** WAL record types of the traces stream. */
export const WalRecordType = {
  /** ExportTraceServiceRequest protobuf, as received */
  OtlpProto: 1,
  /** the same, gzip-compressed as received (smaller WAL) */
  OtlpProtoGzip: 2,
} as const;

export function decodeTraceWalRecord(type: number, payload: Uint8Array): SpanBatch {
  return decodeExportTraceServiceRequest(type === WalRecordType.OtlpProtoGzip ? gunzipSync(payload) : payload).batch;
}

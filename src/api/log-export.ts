// Log ingest, whatever the transport: OTLP logs (protobuf or JSON) and JSON
// lines decode into a LogBatch, become durable in the logs WAL as received,
// then enter the head. Nothing is stored when decoding fails.

import type { LogStore } from '../store/log-store.js';
import { LogWalType } from '../store/log-store.js';
import { decodeExportLogsServiceRequest } from '../receive/otlp-logs-proto-decode.js';
import { decodeOtlpJsonLogs } from '../receive/otlp-logs-json-decode.js';
import { decodeJsonLines, type JsonLinesOptions, type LineError } from '../receive/json-lines-decode.js';
import { encodeJsonLinesWalRecord } from '../receive/json-lines-wal.js';
import type { ExportRequest } from './trace-export.js';
import type { OtlpExportResult } from './metrics-export.js';

export async function exportLogs(store: LogStore, req: ExportRequest): Promise<OtlpExportResult> {
  const decoded = req.format === 'proto' ? decodeExportLogsServiceRequest(req.body) : decodeOtlpJsonLogs(req.body);
  if (decoded.batch.length > 0) {
    const type = req.format === 'json' ? LogWalType.OtlpJson : req.gzipped ? LogWalType.OtlpProtoGzip : LogWalType.OtlpProto;
    await store.ingest(decoded.batch, type, req.format === 'proto' && req.gzipped ? req.gzipped : req.body);
  }
  return { rejected: decoded.rejected, message: decoded.rejectMessage };
}

export interface JsonLinesResult {
  accepted: number;
  rejected: number;
  /** one per bad line, in line order */
  errors: LineError[];
}

/** `body` decompressed; `gzipped` the bytes as received when they came gzipped (kept in the WAL). */
export async function ingestJsonLines(store: LogStore, options: JsonLinesOptions, body: Uint8Array, gzipped?: Uint8Array): Promise<JsonLinesResult> {
  const decoded = decodeJsonLines(body, options);
  if (decoded.batch.length > 0) {
    await store.ingest(decoded.batch, LogWalType.JsonLines, encodeJsonLinesWalRecord(options, gzipped ?? body, gzipped !== undefined));
  }
  return { accepted: decoded.batch.length, rejected: decoded.errors.length, errors: decoded.errors };
}

// Log ingest, whatever the transport: OTLP logs (protobuf or JSON) and JSON
// lines decode into a LogBatch (in the log store's ingest thread), become
// durable in the logs WAL as received, then enter the head. Nothing is stored
// when decoding fails.

import type { LogStore } from '../store/log-store.js';
import { LogWalType } from '../receive/log-wal-records.js';
import type { JsonLinesOptions, LineError } from '../receive/json-lines-decode.js';
import { encodeJsonLinesWalRecord } from '../receive/json-lines-wal.js';
import type { ExportRequest } from './trace-export.js';
import type { OtlpExportResult } from './metrics-export.js';

export async function exportLogs(store: LogStore, req: ExportRequest): Promise<OtlpExportResult> {
  const type = req.format === 'json' ? LogWalType.OtlpJson : req.gzipped ? LogWalType.OtlpProtoGzip : LogWalType.OtlpProto;
  const decoded = await store.ingestOtlp(req.format, req.body, type, req.format === 'proto' && req.gzipped ? req.gzipped : req.body);
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
  const walPayload = encodeJsonLinesWalRecord(options, gzipped ?? body, gzipped !== undefined);
  const ingested = await store.ingestJsonLines(options, body, walPayload);
  return { accepted: ingested.accepted, rejected: ingested.errors.length, errors: ingested.errors };
}

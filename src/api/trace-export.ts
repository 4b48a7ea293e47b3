// One OTLP trace export, whatever the transport: decode into columns, make
// durable, report partial success. Nothing is stored when decoding fails.

import type { TraceStore } from '../store/trace-store.js';
import { WalRecordType } from '../store/trace-store.js';
import { decodeExportTraceServiceRequest } from '../receive/otlp-proto-decode.js';
import { decodeOtlpJsonTraces } from '../receive/otlp-json-decode.js';
import { encodeExportTraceServiceRequest } from '../receive/otlp-proto-encode.js';
import type { OtlpFormat } from '../receive/request-body.js';

export interface ExportResult {
  acceptedSpans: number;
  rejectedSpans: number;
  rejectMessage: string;
}

export interface ExportRequest {
  format: OtlpFormat;
  /** decompressed body */
  body: Uint8Array;
  /** the gzip bytes as received, when the body came gzipped (kept in the WAL as is) */
  gzipped?: Uint8Array;
}

export async function exportTraces(store: TraceStore, req: ExportRequest): Promise<ExportResult> {
  if (req.format === 'proto') {
    const decoded = decodeExportTraceServiceRequest(req.body);
    if (req.gzipped) await store.ingest(decoded.batch, WalRecordType.OtlpProtoGzip, req.gzipped);
    else await store.ingest(decoded.batch, WalRecordType.OtlpProto, req.body);
    return { acceptedSpans: decoded.batch.length, rejectedSpans: decoded.rejectedSpans, rejectMessage: decoded.rejectMessage };
  }
  const decoded = decodeOtlpJsonTraces(req.body);
  // The WAL keeps one format: JSON requests are logged as the protobuf of what was accepted.
  if (decoded.batch.length > 0) {
    await store.ingest(decoded.batch, WalRecordType.OtlpProto, encodeExportTraceServiceRequest(decoded.batch));
  }
  return { acceptedSpans: decoded.batch.length, rejectedSpans: decoded.rejectedSpans, rejectMessage: decoded.rejectMessage };
}

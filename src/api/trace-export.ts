// One OTLP trace export, whatever the transport: decoded into columns (in the
// trace store's ingest thread), made durable, partial success reported.
// Nothing is stored when decoding fails.

import type { TraceStore } from '../store/trace-store.js';
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
  const r = await store.ingestOtlp(req.format, req.body, req.format === 'proto' ? req.gzipped : undefined);
  return { acceptedSpans: r.accepted, rejectedSpans: r.rejected, rejectMessage: r.rejectMessage };
}

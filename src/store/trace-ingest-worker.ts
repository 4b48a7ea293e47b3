// Worker thread body of TraceIngestThread (trace-ingest-thread.ts): decodes
// OTLP trace requests and keeps their batches, by ticket, until the head has
// them staged as span rows.

import { workerData } from 'node:worker_threads';
import type { SpanBatch } from '../model/span-batch.js';
import { decodeExportTraceServiceRequest } from '../receive/otlp-proto-decode.js';
import { decodeOtlpJsonTraces } from '../receive/otlp-json-decode.js';
import { encodeExportTraceServiceRequest } from '../receive/otlp-proto-encode.js';
import { decodeTraceWalRecord } from '../receive/trace-wal-records.js';
import { spanStagingSchema } from '../parts/span-columns.js';
import { serveIngestThread } from './ingest-worker.js';
import { registerThisThread } from './thread-cpu.js';
import type { TraceIngestOptions } from './trace-ingest-thread.js';

const options = workerData as TraceIngestOptions;
registerThisThread('trace-ingest');

serveIngestThread<SpanBatch>({
  schema: spanStagingSchema(options.dedicatedColumns),
  decoders: {
    otlp: (body, format) => {
      if (format === 'proto') {
        const decoded = decodeExportTraceServiceRequest(body);
        return { batch: decoded.batch, extra: { rejected: decoded.rejectedSpans, rejectMessage: decoded.rejectMessage } };
      }
      const decoded = decodeOtlpJsonTraces(body);
      // The WAL keeps one format: JSON requests are logged as the protobuf of what was accepted.
      const walPayload = decoded.batch.length > 0 ? encodeExportTraceServiceRequest(decoded.batch) : new Uint8Array(0);
      const transfer = walPayload.byteOffset === 0 && walPayload.buffer instanceof ArrayBuffer && walPayload.byteLength === walPayload.buffer.byteLength ? [walPayload.buffer] : [];
      return { batch: decoded.batch, extra: { rejected: decoded.rejectedSpans, rejectMessage: decoded.rejectMessage, walPayload }, transfer };
    },
  },
  decodeWalRecord: decodeTraceWalRecord,
});

// Worker thread body of LogIngestThread (log-ingest-thread.ts): decodes log
// requests and keeps their batches, by ticket, until the head has them staged
// — the per-record work of log ingest (parsing, flattening, row columns, word
// hashes, the staging Parquet file) done beside the main thread, which is left
// HTTP and the WAL.

import type { LogBatch } from '../model/log-batch.js';
import { decodeJsonLines, type JsonLinesOptions } from '../receive/json-lines-decode.js';
import { decodeExportLogsServiceRequest } from '../receive/otlp-logs-proto-decode.js';
import { decodeOtlpJsonLogs } from '../receive/otlp-logs-json-decode.js';
import { decodeLogWalRecord } from '../receive/log-wal-records.js';
import { LOG_STAGING_SCHEMA } from '../parts/log-columns.js';
import type { LogTokens } from '../parts/log-token-chunks.js';
import { serveIngestThread } from './ingest-worker.js';
import { registerThisThread } from './thread-cpu.js';

registerThisThread('log-ingest');

serveIngestThread<LogBatch>({
  schema: LOG_STAGING_SCHEMA,
  decoders: {
    jsonLines: (body, options) => {
      const decoded = decodeJsonLines(body, options as JsonLinesOptions);
      return { batch: decoded.batch, extra: { errors: decoded.errors } };
    },
    otlp: (body, format) => {
      const decoded = format === 'proto' ? decodeExportLogsServiceRequest(body) : decodeOtlpJsonLogs(body);
      return { batch: decoded.batch, extra: { rejected: decoded.rejected, rejectMessage: decoded.rejectMessage } };
    },
  },
  decodeWalRecord: decodeLogWalRecord,
  sidecarBuffers: (sidecar) => {
    const tokens = sidecar as LogTokens | undefined;
    const out: ArrayBuffer[] = [];
    for (const a of [tokens?.offsets, tokens?.hashes, tokens?.serviceOfRow, tokens?.correlation]) if (a && a.buffer instanceof ArrayBuffer && !out.includes(a.buffer)) out.push(a.buffer);
    return out;
  },
});

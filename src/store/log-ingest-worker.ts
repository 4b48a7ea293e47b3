// Worker thread body of LogIngestThread (log-ingest-thread.ts): decodes log
// requests and keeps their batches, by ticket, until the head has them staged
// — the per-record work of log ingest (parsing, flattening, row columns, word
// hashes, the staging Parquet file) done beside the main thread, which is left
// HTTP and the WAL.

import { parentPort } from 'node:worker_threads';
import type { LogBatch } from '../model/log-batch.js';
import { DecodeError } from '../model/errors.js';
import { decodeJsonLines } from '../receive/json-lines-decode.js';
import { decodeExportLogsServiceRequest } from '../receive/otlp-logs-proto-decode.js';
import { decodeOtlpJsonLogs } from '../receive/otlp-logs-json-decode.js';
import { decodeLogWalRecord } from '../receive/log-wal-records.js';
import { LOG_STAGING_SCHEMA } from '../parts/log-columns.js';
import { stageRows, type StagedContent } from '../head/head.js';
import type { LogIngestAnswer, LogIngestRequest, LogTicket } from './log-ingest-protocol.js';
import type { LogTokens } from '../parts/log-token-chunks.js';

const port = parentPort!;
const batches = new Map<number, LogBatch>();
let nextTicket = 1;

function keep(batch: LogBatch): LogTicket {
  if (batch.length === 0) return { id: 0, length: 0 };
  const id = nextTicket++;
  batches.set(id, batch);
  return { id, length: batch.length };
}

async function stage(tickets: readonly number[], path: string, rows: number): Promise<StagedContent> {
  const staged = tickets.map((id) => {
    const batch = batches.get(id);
    if (!batch) throw new Error(`log ingest thread: no batch for ticket ${id}`);
    return batch;
  });
  const content = await stageRows(LOG_STAGING_SCHEMA, staged, path, rows);
  // only once the file is written: a failed seal is tried again with the same tickets
  for (const id of tickets) batches.delete(id);
  return content;
}

/** The typed arrays a staged file's description carries, moved rather than copied. */
function buffersOf(content: StagedContent): ArrayBuffer[] {
  const tokens = content.sidecar as LogTokens | undefined;
  const arrays = [content.traceIds, content.startNs, tokens?.offsets, tokens?.hashes, tokens?.serviceOfRow];
  const out = new Set<ArrayBuffer>();
  for (const a of arrays) if (a && a.buffer instanceof ArrayBuffer) out.add(a.buffer);
  return [...out];
}

async function answer(m: Exclude<LogIngestRequest, { op: 'discard' }>): Promise<[LogIngestAnswer, ArrayBuffer[]]> {
  switch (m.op) {
    case 'jsonLines': {
      const decoded = decodeJsonLines(m.body, m.options);
      return [{ call: m.call, result: { ticket: keep(decoded.batch), errors: decoded.errors } }, []];
    }
    case 'otlp': {
      const decoded = m.format === 'proto' ? decodeExportLogsServiceRequest(m.body) : decodeOtlpJsonLogs(m.body);
      return [{ call: m.call, result: { ticket: keep(decoded.batch), rejected: decoded.rejected, rejectMessage: decoded.rejectMessage } }, []];
    }
    case 'walRecord':
      return [{ call: m.call, result: keep(decodeLogWalRecord(m.type, m.payload)) }, []];
    case 'stage': {
      const content = await stage(m.tickets, m.path, m.rows);
      return [{ call: m.call, result: content }, buffersOf(content)];
    }
  }
}

port.on('message', (m: LogIngestRequest) => {
  if (m.op === 'discard') {
    for (const id of m.tickets) batches.delete(id);
    return;
  }
  answer(m).then(
    ([a, transfer]) => port.postMessage(a, transfer),
    (err: unknown) => port.postMessage({ call: m.call, error: { decode: err instanceof DecodeError, message: err instanceof Error ? err.message : String(err) } } satisfies LogIngestAnswer),
  );
});

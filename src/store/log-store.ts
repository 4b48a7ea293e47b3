// The log store: the signal store (src/store/signal-store.ts) for log records.
// WAL records are the requests as received — OTLP protobuf (gzip kept),
// OTLP JSON, or a JSON-lines body with what its decoding depends on — so
// replay decodes them again exactly as ingest did. Parts are sorted by
// service, then time (docs/logs.md).

import { gunzipSync } from 'node:zlib';
import type { LogBatch } from '../model/log-batch.js';
import { DecodeError } from '../model/errors.js';
import type { PartLayout } from '../parts/part-writer.js';
import { TOKEN_CHUNK_ROWS } from '../parts/token-index.js';
import { LOG_STAGING_SCHEMA, LOG_TIME_COLUMN } from '../parts/log-columns.js';
import { decodeExportLogsServiceRequest } from '../receive/otlp-logs-proto-decode.js';
import { decodeOtlpJsonLogs } from '../receive/otlp-logs-json-decode.js';
import { decodeJsonLinesWalRecord } from '../receive/json-lines-wal.js';
import type { ServerConfig } from '../config/config.js';
import { SignalStore, type SignalDefinition } from './signal-store.js';
import { LogTokenIndexes } from './log-token-store.js';

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

export const LOG_PART_LAYOUT: PartLayout = {
  stream: 'logs',
  timeColumn: LOG_TIME_COLUMN,
  // A service's records sit together (similar text compresses and the token
  // index of a row group stays selective); time orders them within it.
  sortSql: `service_name, ${LOG_TIME_COLUMN}`,
  // ties in a known order: the token index is built for the part's rows before DuckDB writes them
  tieBreakBySourceRow: true,
  // One chunk of the token index is one row group: a word in one chunk reads 16 Ki rows, not 64 Ki.
  rowGroupRows: TOKEN_CHUNK_ROWS,
};

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

export const LOG_SIGNAL: SignalDefinition<LogBatch> = {
  staging: LOG_STAGING_SCHEMA,
  layout: LOG_PART_LAYOUT,
  rowNoun: 'log records',
  decodeWalRecord: (record) => decodeLogWalRecord(record.type, record.payload),
};

export class LogStore extends SignalStore<LogBatch> {
  /** the token index beside every part, for full-text search */
  readonly tokenIndexes = new LogTokenIndexes(this.dataDir);

  static async open(config: ServerConfig): Promise<LogStore> {
    const parts = await SignalStore.openParts(config, LOG_SIGNAL);
    const store = new LogStore(
      config,
      parts.dataDir,
      LOG_SIGNAL,
      { flushMaxRows: config.flushMaxSpans, partMaxRows: config.partMaxSpans, maxHeadRows: config.maxHeadSpans },
      parts.wal,
      parts.head,
      parts.catalog,
      parts.writeEngine,
    );
    store.addCompanion(store.tokenIndexes);
    await store.start();
    return store;
  }
}

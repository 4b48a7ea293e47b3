// The log store: the signal store (src/store/signal-store.ts) for log records.
// WAL records are the requests as received — OTLP protobuf (gzip kept),
// OTLP JSON, or a JSON-lines body with what its decoding depends on
// (receive/log-wal-records.ts) — so replay decodes them again exactly as
// ingest did. Requests are decoded, and their rows staged, in the store's
// ingest thread (log-ingest-thread.ts); the head holds tickets for the
// batches there. Parts are sorted by service, then unit of work (rows
// sharing a request or trace id together), then time (docs/logs.md).

import type { PartLayout } from '../parts/part-writer.js';
import { TOKEN_CHUNK_ROWS } from '../parts/token-index.js';
import { LOG_TIME_COLUMN } from '../parts/log-columns.js';
import { LOG_TIME_US_COLUMN } from '../parts/log-time-micros.js';
import { LogWalType } from '../receive/log-wal-records.js';
import type { JsonLinesOptions, LineError } from '../receive/json-lines-decode.js';
import type { ServerConfig } from '../config/config.js';
import { SignalStore, type SignalDefinition, type SignalLimits } from './signal-store.js';
import { LogTokenIndexes } from './log-token-store.js';
import { PartPagesCache } from '../query/part-pages.js';
import { LogIngestThread } from './log-ingest-thread.js';
import type { LogTicket } from './log-ingest-protocol.js';
import type { Wal } from '../wal/wal.js';
import type { Head } from '../head/head.js';
import type { Catalog } from '../parts/catalog.js';
import type { Engine } from '../engine/duckdb.js';
import { logRowsOf } from '../parts/log-token-chunks.js';
import type { ColumnFileOptions } from '../parts/parquet/writer.js';

/**
 * Encodings of log parts (docs/storage.md, "How log parts are written").
 * zstd level 1, pages of 1 MiB. Level 1 since session 5 (WebAssembly: 9 was
 * 1 B/record smaller for 6 × level 1's CPU). With the native zstd (session
 * 11) level 1 is the smallest of levels 1–9 on every column but one, and the
 * levels that are smaller (11 and up) cost more than the whole ingest:
 * docs/storage.md, "Session 11: zstd levels of log parts". Pages of 1 MiB
 * hold a row group's column in one frame (32 Ki rows; at 64 Ki the request
 * ids take two pages): the request ids, the one column above 256 KiB a row
 * group of 32 Ki, 0.013 B/record smaller.
 * Int64 and int32 columns delta-coded and strings PLAIN where smaller.
 */
export const LOG_PART_ENCODING: ColumnFileOptions = {
  codec: { codec: 'zstd', level: 1 },
  pageBytes: 1 << 20,
  tryDeltaInt64: true,
  tryDeltaInt32: true,
  tryPlainStrings: true,
  // request ids and message ids without their length prefixes where smaller: 0.2 B/record (docs/storage.md, "Session 10")
  tryDeltaLengthStrings: true,
  allOptional: true,
};

/**
 * Whether a flush writes a log part's per-request fields once per unit of
 * work (`::unit` columns, `__unit_row`: src/parts/log-unit-form.ts,
 * docs/format/log-unit-columns.md): ~1 B/record less (docs/storage.md,
 * "Session 16: the flush writes per-request fields once per unit"); every
 * reader of parts reads the form (src/parts/log-unit-join.ts, the page
 * reader, the merge).
 */
export const LOG_UNIT_COLUMNS = true;

export const LOG_PART_LAYOUT: PartLayout = {
  stream: 'logs',
  timeColumn: LOG_TIME_COLUMN,
  // A service's records sit together (similar text compresses and the token
  // index of a row group stays selective). A flush orders them within it by
  // unit of work, then time (logPartRows); this is DuckDB's order where the
  // flush cannot regroup the rows itself (the part then gets no token index).
  sortSql: `service_name, ${LOG_TIME_COLUMN}`,
  // ties in a known order: the token index is built for the part's rows before DuckDB writes them
  tieBreakBySourceRow: true,
  // One chunk of the token index is one row group: a word in one chunk reads 64 Ki rows (32 Ki in session
  // 12, 16 Ki before: the footer, dictionary pages and zstd frames of fewer row groups, 0.15 B/record at 64 Ki).
  rowGroupRows: TOKEN_CHUNK_ROWS,
  // Written by our own writer: zstd pages, delta-coded int64s and int32s, PLAIN or dictionary strings by size
  // (docs/storage.md, "Log parts"), every column OPTIONAL so a merge concatenates chunks.
  encoding: LOG_PART_ENCODING,
  // times that are all whole µs stored in µs: ~1.2 B/record less (src/parts/log-time-micros.ts)
  wholeMicrosTimeColumn: LOG_TIME_US_COLUMN,
  // message-like text as template + numbers, decimal doubles as int32s, where smaller
  // (src/parts/log-text-template.ts, log-decimal-double.ts)
  compactBodyFields: true,
  unitColumns: LOG_UNIT_COLUMNS,
};

function logSignal(thread: LogIngestThread): SignalDefinition<LogTicket> {
  return {
    staging: thread,
    layout: LOG_PART_LAYOUT,
    partLogRows: logRowsOf,
    rowNoun: 'log records',
    decodeWalRecord: (record) => thread.decodeWalRecord(record.type, record.payload),
  };
}

export interface JsonLinesIngested {
  accepted: number;
  /** one per bad line, in line order */
  errors: LineError[];
}

export interface OtlpLogsIngested {
  rejected: number;
  rejectMessage: string;
}

export class LogStore extends SignalStore<LogTicket> {
  /** the token index beside every part, for full-text search */
  readonly tokenIndexes = new LogTokenIndexes(this.dataDir);
  /** footers of the parts and staging files a search read rows of by row number (src/query/part-pages.ts) */
  readonly partPages = new PartPagesCache();

  private constructor(
    config: ServerConfig,
    dataDir: string,
    signal: SignalDefinition<LogTicket>,
    limits: SignalLimits,
    wal: Wal,
    head: Head<LogTicket>,
    catalog: Catalog,
    writeEngine: Engine,
    private readonly thread: LogIngestThread,
  ) {
    super(config, dataDir, signal, limits, wal, head, catalog, writeEngine);
  }

  static async open(config: ServerConfig): Promise<LogStore> {
    const thread = new LogIngestThread();
    try {
      const signal = logSignal(thread);
      const parts = await SignalStore.openParts(config, signal);
      const store = new LogStore(
        config,
        parts.dataDir,
        signal,
        { flushMaxRows: config.flushMaxSpans, partMaxRows: config.partMaxSpans, maxHeadRows: config.maxHeadSpans },
        parts.wal,
        parts.head,
        parts.catalog,
        parts.writeEngine,
        thread,
      );
      store.addCompanion(store.tokenIndexes);
      await store.start();
      return store;
    } catch (err) {
      await thread.close();
      throw err;
    }
  }

  /**
   * A JSON-lines body (decompressed): its good lines made durable, then
   * visible. `walPayload` is the record the WAL keeps (json-lines-wal.ts),
   * made before decoding: the body then moves to the ingest thread, uncopied.
   */
  async ingestJsonLines(options: JsonLinesOptions, body: Uint8Array, walPayload: Uint8Array): Promise<JsonLinesIngested> {
    const { ticket, errors } = await this.thread.decodeJsonLines(body, options);
    await this.ingestHeld(ticket, LogWalType.JsonLines, walPayload, this.thread);
    return { accepted: ticket.length, errors };
  }

  /**
   * An OTLP logs request (`body` decompressed); `walPayload` the request as
   * received: `body` itself (lent to the ingest thread and back, uncopied) or
   * its gzipped bytes (`body` then moved there for good). `body` is detached
   * once this returns when it was a buffer of its own.
   */
  async ingestOtlp(format: 'proto' | 'json', body: Uint8Array, walType: number, walPayload: Uint8Array): Promise<OtlpLogsIngested> {
    const walKeepsBody = walPayload === body;
    const { ticket, rejected, rejectMessage, lent } = await this.thread.decodeOtlp(format, body, walKeepsBody);
    await this.ingestHeld(ticket, walType, walKeepsBody ? (lent ?? body) : walPayload, this.thread);
    return { rejected, rejectMessage };
  }

  override async close(): Promise<void> {
    try {
      await super.close();
    } finally {
      await this.thread.close();
    }
  }
}

// The trace store: WAL → head → staging files → parts, and the snapshots
// queries read. Acknowledge only after the WAL fsync; a part is committed to
// the catalog together with the WAL checkpoint it covers, so after a crash
// every acknowledged span is replayed or already in a part — exactly once.

import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { OverloadedError } from '../model/errors.js';
import type { SpanBatch } from '../model/span-batch.js';
import { Wal } from '../wal/wal.js';
import { Head, type StagedFile } from '../head/head.js';
import { Catalog, type PartInfo } from '../parts/catalog.js';
import { FileLeases } from '../parts/file-leases.js';
import { writeParts, type PartSource } from '../parts/part-writer.js';
import { Engine } from '../engine/duckdb.js';
import { decodeExportTraceServiceRequest } from '../receive/otlp-proto-decode.js';
import type { ServerConfig } from '../config/config.js';
import { Compactor } from './compactor.js';
import { RollupStore } from '../analysis/rollup-store.js';

/** WAL record types of the traces stream. */
export const WalRecordType = {
  /** ExportTraceServiceRequest protobuf, as received */
  OtlpProto: 1,
  /** the same, gzip-compressed as received (smaller WAL) */
  OtlpProtoGzip: 2,
} as const;

export const TRACES_STREAM = 'traces';

/** The files one query reads, held until release(). */
export interface TraceSnapshot {
  parts: readonly PartInfo[];
  staged: readonly StagedFile[];
  dataDir: string;
  release(): void;
}

export interface StoreStats {
  headPendingSpans: number;
  headStagedSpans: number;
  parts: number;
  partRows: number;
  partBytes: number;
  walDurableSeq: number;
  walCheckpointSeq: number;
}

export class TraceStore {
  private sealTimer: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private lastFlushMs = Date.now();
  private closed = false;
  readonly leases = new FileLeases();
  private readonly compactor: Compactor;
  /** service-health rollups beside the parts (src/analysis/rollup-store.ts) */
  readonly rollups: RollupStore;

  private constructor(
    readonly config: ServerConfig,
    readonly dataDir: string,
    private readonly wal: Wal,
    private readonly head: Head,
    readonly catalog: Catalog,
    /** flushes and compaction get their own single-threaded engine so ingest keeps a core */
    private readonly writeEngine: Engine,
  ) {
    this.rollups = new RollupStore(dataDir, this.leases);
    this.compactor = new Compactor(writeEngine, dataDir, catalog, this.leases, config, this.rollups);
  }

  static async open(config: ServerConfig): Promise<TraceStore> {
    const dataDir = resolve(config.dataDir);
    const catalog = await Catalog.open(join(dataDir, 'catalog', 'traces'));
    const head = await Head.open({ stagingDir: join(dataDir, 'staging', 'traces'), dedicated: config.dedicatedColumns });
    const wal = await Wal.open({ dir: join(dataDir, 'wal', TRACES_STREAM), fsync: config.walFsync });
    // 1 GB: at 512 MB DuckDB's sort of a 1 M-span flush fails with Out of Memory instead of spilling.
    const writeEngine = await Engine.create({ dataDir, threads: 1, memoryLimit: '1GB' });
    const store = new TraceStore(config, dataDir, wal, head, catalog, writeEngine);
    await store.replay();
    store.startTimers();
    // Rollups: load every part's into memory in the background, so the first overview is fast.
    void store.rollups.warm(writeEngine, catalog.snapshot.parts).catch(() => undefined);
    return store;
  }

  /** Replays WAL records not yet in parts into the head, then flushes them. */
  private async replay(): Promise<void> {
    const checkpoint = this.catalog.snapshot.walCheckpoints[TRACES_STREAM] ?? 0;
    await this.wal.replay(checkpoint, async (record) => {
      const body = record.type === WalRecordType.OtlpProtoGzip ? gunzipSync(record.payload) : record.payload;
      this.head.append(decodeExportTraceServiceRequest(body).batch, record.seq);
      if (this.head.pendingSpans >= 200_000) await this.head.seal();
    });
    if (this.head.pendingSpans > 0 || this.head.staged.length > 0) {
      // A failed flush must not stop the server: the spans stay queryable in
      // the head and durable in the WAL, and the flush timer tries again.
      await this.flush().catch((err) => console.error(`flush after replay failed, will retry: ${String(err)}`));
    }
  }

  private startTimers(): void {
    this.sealTimer = setInterval(() => {
      if (this.head.pendingSpans > 0) void this.head.seal().catch((err) => console.error(`head: seal failed: ${err}`));
      if (this.head.stagedSpans >= this.config.flushMaxSpans || (Date.now() - this.lastFlushMs >= this.config.flushIntervalMs && this.head.staged.length > 0)) {
        void this.flush().catch((err) => console.error(`flush: ${err}`));
      }
    }, this.config.sealIntervalMs);
    this.sealTimer.unref();
    this.flushTimer = setInterval(() => {
      void this.compactor.runOnce().catch((err) => console.error(`compaction: ${err}`));
    }, this.config.compactIntervalMs);
    this.flushTimer.unref();
  }

  /** Checks that the head has room; throws OverloadedError (→ 503 + Retry-After) when not. */
  admit(spans: number): void {
    if (this.closed) throw new OverloadedError('store: shutting down', 5);
    const inHead = this.head.pendingSpans + this.head.stagedSpans;
    if (inHead + spans > this.config.maxHeadSpans) {
      throw new OverloadedError(`store: head holds ${inHead} spans, flush is behind`, 2);
    }
  }

  /**
   * Makes a decoded request durable, then visible. `walType`/`walPayload` is the
   * request as received (protobuf, or gzip of it), replayed after a crash.
   */
  async ingest(batch: SpanBatch, walType: number, walPayload: Uint8Array): Promise<void> {
    if (batch.length === 0) return;
    this.admit(batch.length);
    const { seq, durable } = this.wal.append(walType, walPayload);
    await durable;
    this.head.append(batch, seq);
  }

  /** Files to query: every committed part and every staged file, sealed just now. */
  async snapshot(): Promise<TraceSnapshot> {
    await this.head.seal();
    const parts = this.catalog.snapshot.parts;
    const staged = [...this.head.staged];
    const paths = [...parts.map((p) => join(this.dataDir, p.path)), ...staged.map((f) => f.path)];
    const release = this.leases.acquire(paths);
    return { parts, staged, dataDir: this.dataDir, release };
  }

  /** Moves every staged span into parts and cuts the WAL behind them. */
  flush(): Promise<void> {
    if (!this.flushing) {
      this.flushing = this.flushNow().finally(() => {
        this.flushing = undefined;
      });
    }
    return this.flushing;
  }

  private async flushNow(): Promise<void> {
    await this.head.seal();
    const files = [...this.head.staged];
    this.lastFlushMs = Date.now();
    if (files.length === 0) return;
    const written = await writeParts(this.writeEngine, this.dataDir, stagedSource(files), 0);
    // Rollups: one file beside each new part, committed with it (src/analysis/rollup-store.ts).
    const parts = await this.rollups.writeForParts(this.writeEngine, files.map((f) => f.path), written);
    const checkpoint = files[files.length - 1]!.lastSeq;
    await this.catalog.commit(
      (s) => ({
        parts: [...s.parts, ...parts],
        walCheckpoints: { ...s.walCheckpoints, [TRACES_STREAM]: checkpoint },
      }),
      // Same tick as the parts become visible: no snapshot sees a span twice.
      () => this.head.removeStaged(files),
    );
    this.leases.retire(files.map((f) => f.path));
    await this.wal.truncateThrough(checkpoint);
  }

  compact(): Promise<number> {
    return this.compactor.runOnce();
  }

  stats(): StoreStats {
    const s = this.catalog.snapshot;
    return {
      headPendingSpans: this.head.pendingSpans,
      headStagedSpans: this.head.stagedSpans,
      parts: s.parts.length,
      partRows: s.parts.reduce((n, p) => n + p.rows, 0),
      partBytes: s.parts.reduce((n, p) => n + p.bytes, 0),
      walDurableSeq: this.wal.durableSeq,
      walCheckpointSeq: s.walCheckpoints[TRACES_STREAM] ?? 0,
    };
  }

  /** Stops timers, flushes the head into parts, closes the WAL. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sealTimer);
    clearInterval(this.flushTimer);
    await this.compactor.stop();
    await this.rollups.stop();
    // A timed flush may be running already: flush until the head is empty.
    while (this.head.pendingSpans > 0 || this.head.staged.length > 0) await this.flush();
    await this.wal.close();
    this.writeEngine.close();
  }
}

function stagedSource(files: readonly StagedFile[]): PartSource {
  let rows = 0;
  for (const f of files) rows += f.rows;
  const traceIds = new Uint8Array(rows * 16);
  const startNs = new BigInt64Array(rows);
  const columns = new Set<string>();
  const services = new Set<string>();
  let r = 0;
  for (const f of files) {
    traceIds.set(f.traceIds, r * 16);
    startNs.set(f.startNs, r);
    r += f.rows;
    for (const c of f.columns) columns.add(c);
    for (const s of f.services) services.add(s);
  }
  return { paths: files.map((f) => f.path), traceIds, startNs, columns, services };
}

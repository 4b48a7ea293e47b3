// The trace store: the signal store (src/store/signal-store.ts) for spans, with
// WAL records that are OTLP requests as received, and service-health rollups,
// span cubes and trace summaries kept beside every part.

import { TRACE_PART_LAYOUT } from '../parts/part-writer.js';
import { WalRecordType } from '../receive/trace-wal-records.js';
import type { ServerConfig } from '../config/config.js';
import { RollupStore } from '../analysis/rollup-store.js';
import { CubeStore } from '../analysis/cube-store.js';
import { TraceSummaries } from './trace-summary-store.js';
import { SignalStore, type SignalDefinition, type SignalSnapshot } from './signal-store.js';
import type { Ticket } from './ingest-thread.js';
import { TraceIngestThread } from './trace-ingest-thread.js';
import { BodyArena, type ArenaSlot } from './body-arena.js';

export type { StoreStats } from './signal-store.js';
export { WalRecordType } from '../receive/trace-wal-records.js';

export const TRACES_STREAM = TRACE_PART_LAYOUT.stream;

/**
 * The body arena's size: room for the bodies of many concurrent requests
 * (the bench's 8 clients send ~360 KB each); a body that finds no room is
 * passed to the thread in a buffer of its own, as larger ones are.
 */
const BODY_ARENA_BYTES = 32 << 20;

/** The files one trace query reads, held until release(). */
export type TraceSnapshot = SignalSnapshot;

function traceSignal(thread: TraceIngestThread): SignalDefinition<Ticket> {
  return {
    staging: thread,
    layout: TRACE_PART_LAYOUT,
    rowNoun: 'spans',
    decodeWalRecord: (record) => thread.decodeWalRecord(record.type, record.payload),
  };
}

export interface OtlpTracesIngested {
  accepted: number;
  rejected: number;
  rejectMessage: string;
}

export class TraceStore extends SignalStore<Ticket> {
  /** service-health rollups beside the parts (src/analysis/rollup-store.ts) */
  readonly rollups: RollupStore;
  /** span cubes beside the parts, for comparisons (src/analysis/cube-store.ts) */
  readonly cubes: CubeStore;
  /** trace summaries beside the parts, for search answers (src/store/trace-summary-store.ts) */
  readonly summaries: TraceSummaries;
  /** request bodies the ingest thread reads in place (body-arena.ts) */
  private readonly bodies = new BodyArena(BODY_ARENA_BYTES);

  private constructor(
    config: ServerConfig,
    signal: SignalDefinition<Ticket>,
    parts: Awaited<ReturnType<typeof SignalStore.openParts<Ticket>>>,
    /** decodes requests and writes staging files (trace-ingest-thread.ts) */
    private readonly thread: TraceIngestThread,
  ) {
    super(config, parts.dataDir, signal, { flushMaxRows: config.flushMaxSpans, partMaxRows: config.partMaxSpans, maxHeadRows: config.maxHeadSpans }, parts.wal, parts.head, parts.catalog, parts.writeEngine);
    const rollups = new RollupStore(parts.dataDir, this.leases);
    this.rollups = rollups;
    this.addCompanion({
      afterFlush: (engine, staged, written) => rollups.writeForParts(engine, staged.map((f) => f.path), written),
      afterMerge: async (engine, group, partPath) => ({ rollupPath: await rollups.writeMerged(engine, group, partPath) }),
      stop: () => rollups.stop(),
    });
    this.cubes = new CubeStore(parts.dataDir);
    this.addCompanion(this.cubes);
    this.summaries = new TraceSummaries(parts.dataDir);
    this.addCompanion(this.summaries);
  }

  static async open(config: ServerConfig): Promise<TraceStore> {
    const thread = new TraceIngestThread({ dedicatedColumns: config.dedicatedColumns });
    let store: TraceStore;
    try {
      const signal = traceSignal(thread);
      store = new TraceStore(config, signal, await SignalStore.openParts(config, signal), thread);
      await store.start();
    } catch (err) {
      await thread.close();
      throw err;
    }
    // Rollups: load every part's into memory in the background, so the first overview is fast.
    void store.rollups.warm(store.writeEngine, store.catalog.snapshot.parts).catch(() => undefined);
    // Cubes of parts written before them, built in the background; comparisons read those parts' spans meanwhile.
    // Summaries likewise, after the cubes (one background build at a time); searches read those parts' spans meanwhile.
    const cubes = store.cubes.backfill(store.writeEngine, store.catalog, store.leases);
    void store.summaries.backfill(store.writeEngine, store.catalog, store.leases, cubes);
    return store;
  }

  /**
   * An OTLP trace request (`body` decompressed; `gzipped` the bytes as
   * received when they came gzipped, which the WAL keeps): decoded in the
   * ingest thread, its accepted spans made durable, then visible. Nothing is
   * stored when it does not decode (DecodeError). `body` is moved to the
   * thread when it is a buffer of its own: detached once this returns.
   */
  async ingestOtlp(format: 'proto' | 'json', body: Uint8Array, gzipped?: Uint8Array): Promise<OtlpTracesIngested> {
    if (format === 'proto' && !gzipped) {
      // a copy into the arena costs less than moving a buffer of its own to the thread and back (body-arena.ts)
      const slot = this.bodies.reserve(body.length);
      if (slot) {
        slot.bytes.set(body);
        return this.ingestOtlpSlot(slot);
      }
    }
    // before decoding: a request refused for memory should not cost the thread's work and heap first
    this.admitMemory();
    // the WAL keeps a protobuf body as received: gzipped if it came so, else the body itself
    const walKeepsBody = format === 'proto' && !gzipped;
    const decoded = await this.thread.decodeOtlp(format, body, walKeepsBody);
    const walType = format === 'proto' && gzipped ? WalRecordType.OtlpProtoGzip : WalRecordType.OtlpProto;
    const walPayload = format === 'json' ? decoded.walPayload! : (gzipped ?? decoded.lent ?? body);
    await this.ingestHeld(decoded.ticket, walType, walPayload, this.thread);
    return { accepted: decoded.ticket.length, rejected: decoded.rejected, rejectMessage: decoded.rejectMessage };
  }

  /**
   * A space of `length` bytes to read an OTLP/protobuf body into (not
   * gzipped), for ingestOtlpSlot; undefined when the arena has no room (use
   * ingestOtlp then).
   */
  reserveBody(length: number): ArenaSlot | undefined {
    return this.bodies.reserve(length);
  }

  /** ingestOtlp() of an OTLP/protobuf body read into `slot` (reserveBody); releases the slot. */
  async ingestOtlpSlot(slot: ArenaSlot): Promise<OtlpTracesIngested> {
    try {
      this.admitMemory();
      const decoded = await this.thread.decodeOtlpProtoInArena(this.bodies, slot);
      // the WAL writes the body from the slot: it is released once the record is durable (or failed)
      await this.ingestHeld(decoded.ticket, WalRecordType.OtlpProto, slot.bytes, this.thread);
      return { accepted: decoded.ticket.length, rejected: decoded.rejected, rejectMessage: decoded.rejectMessage };
    } finally {
      slot.release();
    }
  }

  override async close(): Promise<void> {
    try {
      await super.close();
    } finally {
      await this.thread.close();
    }
  }
}

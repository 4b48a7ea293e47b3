// The trace store: the signal store (src/store/signal-store.ts) for spans, with
// WAL records that are OTLP requests as received, and service-health rollups,
// span cubes and trace summaries kept beside every part.

import { gunzipSync } from 'node:zlib';
import type { SpanBatch } from '../model/span-batch.js';
import { TRACE_PART_LAYOUT } from '../parts/part-writer.js';
import { spanStagingSchema } from '../parts/span-columns.js';
import { decodeExportTraceServiceRequest } from '../receive/otlp-proto-decode.js';
import type { ServerConfig } from '../config/config.js';
import { RollupStore } from '../analysis/rollup-store.js';
import { CubeStore } from '../analysis/cube-store.js';
import { TraceSummaries } from './trace-summary-store.js';
import { SignalStore, type SignalDefinition, type SignalSnapshot } from './signal-store.js';

export type { StoreStats } from './signal-store.js';

/** WAL record types of the traces stream. */
export const WalRecordType = {
  /** ExportTraceServiceRequest protobuf, as received */
  OtlpProto: 1,
  /** the same, gzip-compressed as received (smaller WAL) */
  OtlpProtoGzip: 2,
} as const;

export const TRACES_STREAM = TRACE_PART_LAYOUT.stream;

/** The files one trace query reads, held until release(). */
export type TraceSnapshot = SignalSnapshot;

export function traceSignal(config: ServerConfig): SignalDefinition<SpanBatch> {
  return {
    staging: spanStagingSchema(config.dedicatedColumns),
    layout: TRACE_PART_LAYOUT,
    rowNoun: 'spans',
    decodeWalRecord: (record) =>
      decodeExportTraceServiceRequest(record.type === WalRecordType.OtlpProtoGzip ? gunzipSync(record.payload) : record.payload).batch,
  };
}

export class TraceStore extends SignalStore<SpanBatch> {
  /** service-health rollups beside the parts (src/analysis/rollup-store.ts) */
  readonly rollups: RollupStore;
  /** span cubes beside the parts, for comparisons (src/analysis/cube-store.ts) */
  readonly cubes: CubeStore;
  /** trace summaries beside the parts, for search answers (src/store/trace-summary-store.ts) */
  readonly summaries: TraceSummaries;

  private constructor(config: ServerConfig, parts: Awaited<ReturnType<typeof SignalStore.openParts<SpanBatch>>>) {
    super(config, parts.dataDir, traceSignal(config), { flushMaxRows: config.flushMaxSpans, partMaxRows: config.partMaxSpans, maxHeadRows: config.maxHeadSpans }, parts.wal, parts.head, parts.catalog, parts.writeEngine);
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
    const store = new TraceStore(config, await SignalStore.openParts(config, traceSignal(config)));
    await store.start();
    // Rollups: load every part's into memory in the background, so the first overview is fast.
    void store.rollups.warm(store.writeEngine, store.catalog.snapshot.parts).catch(() => undefined);
    // Cubes of parts written before them, built in the background; comparisons read those parts' spans meanwhile.
    // Summaries likewise, after the cubes (one background build at a time); searches read those parts' spans meanwhile.
    const cubes = store.cubes.backfill(store.writeEngine, store.catalog, store.leases);
    void store.summaries.backfill(store.writeEngine, store.catalog, store.leases, cubes);
    return store;
  }
}

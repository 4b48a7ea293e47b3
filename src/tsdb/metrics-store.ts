// The metrics store: WAL → head → blocks, with the same exactly-once rule as
// traces: a block is committed to the catalog together with the WAL
// checkpoint it covers; after a crash the WAL replays only what is newer.

import { join, resolve } from 'node:path';
import { readdir, rm } from 'node:fs/promises';
import type { MetricMetadata, SampleBatch } from '../model/sample-batch.js';
import { OverloadedError } from '../model/errors.js';
import { Wal } from '../wal/wal.js';
import { Catalog } from '../parts/catalog.js';
import { MetricsHead, type AppendResult, type Resolved, type SeriesData } from './head.js';
import { BLOCKS_DIR, BlockReader, TEMP_BLOCK_PREFIX, writeBlock, type BlockInfo } from './block.js';
import { compactBlocks, compactionRanges, planCompaction } from './compaction.js';
import { mergeSeries } from './series-merge.js';
import type { Labels } from './series-index.js';
import type { LabelMatcher } from './promql/ast.js';
import type { ChunkEncoding } from './chunks/index.js';

export const METRICS_STREAM = 'metrics';
const UPKEEP_INTERVAL_MS = 5_000;

export interface MetricsStoreOptions {
  dataDir: string;
  chunkEncoding: ChunkEncoding | 'auto';
  /** persist the head into a block once it holds this many samples… */
  blockMaxSamples: number;
  /** …or spans this long */
  blockMaxSpanMs: number;
  /** beyond this many samples in the head, ingest answers 503 */
  maxHeadSamples: number;
  retentionMs: number;
  walFsync: boolean;
  /** run persist/compaction/retention every few seconds (tests that drive them by hand turn it off) */
  backgroundUpkeep?: boolean;
  /** decodes a WAL record back into samples (the receive layer knows the formats) */
  decodeWalRecord: (type: number, payload: Uint8Array) => SampleBatch;
}

export class MetricsStore {
  readonly head: MetricsHead;
  /** latest metadata per metric family, as senders reported it (kept in memory; rebuilt by WAL replay) */
  readonly metadata = new Map<string, MetricMetadata>();
  private blocks: BlockReader[] = [];
  /** blocks replaced or expired whose folders may still be in use */
  private retired: BlockReader[] = [];
  private persisting: Promise<void> | undefined;
  /** compaction and retention, one round at a time (they both replace blocks) */
  private upkeep: Promise<unknown> = Promise.resolve();
  private readonly ranges: number[];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private headMinT = Infinity;
  private headMaxT = -Infinity;
  /** WAL seq of the last batch in the head */
  private headSeq = 0;

  private constructor(
    private readonly options: MetricsStoreOptions,
    private readonly dataDir: string,
    private readonly wal: Wal,
    private readonly catalog: Catalog<BlockInfo>,
  ) {
    this.head = new MetricsHead(options.chunkEncoding);
    this.ranges = compactionRanges(options.blockMaxSpanMs, options.retentionMs);
  }

  static async open(options: MetricsStoreOptions): Promise<MetricsStore> {
    const dataDir = resolve(options.dataDir);
    const catalog = await Catalog.open<BlockInfo>(join(dataDir, 'catalog', METRICS_STREAM));
    const wal = await Wal.open({ dir: join(dataDir, 'wal', METRICS_STREAM), fsync: options.walFsync });
    const store = new MetricsStore(options, dataDir, wal, catalog);
    await removeUncatalogedBlocks(dataDir, catalog.snapshot.parts);
    store.blocks = await Promise.all(catalog.snapshot.parts.map((b) => BlockReader.open(dataDir, b)));
    // Ordering checks continue across restarts: seed each series' last sample from the blocks.
    for (const b of store.blocks) {
      for (let id = 0; id < b.index.size; id++) {
        const last = b.index.lastSample(id);
        store.head.seedLast(b.index.labels(id), last.t, last.v);
      }
      for (const m of b.metadata) store.metadata.set(m.metric, m);
    }
    const checkpoint = catalog.snapshot.walCheckpoints[METRICS_STREAM] ?? 0;
    await wal.replay(checkpoint, (record) => {
      try {
        store.applyToHead(options.decodeWalRecord(record.type, record.payload), record.seq);
      } catch (err) {
        // The request was refused when it arrived too (out of order etc.): refuse it again.
        console.error(`metrics: WAL record ${record.seq} not replayed: ${(err as Error).message}`);
      }
    });
    if (options.backgroundUpkeep !== false) {
      store.timer = setInterval(() => void store.maintain().catch((err) => console.error(`metrics: ${String(err)}`)), UPKEEP_INTERVAL_MS);
      store.timer.unref();
    }
    return store;
  }

  private applyToHead(batch: SampleBatch, seq: number, checked?: Resolved): AppendResult {
    const result = this.head.append(batch, checked);
    this.headSeq = seq;
    for (const m of batch.metadata) this.metadata.set(m.metric, m);
    for (let i = 0; i < batch.sampleCount; i++) {
      const t = batch.sampleTimeMs[i]!;
      if (t < this.headMinT) this.headMinT = t;
      if (t > this.headMaxT) this.headMaxT = t;
    }
    return result;
  }

  /** Checks, makes durable, then applies a batch. Throws DecodeError (400) or OverloadedError (503). */
  async ingest(batch: SampleBatch, walType: number, walPayload: Uint8Array): Promise<AppendResult> {
    if (this.closed) throw new OverloadedError('metrics: shutting down', 5);
    if (this.head.samples + batch.sampleCount > this.options.maxHeadSamples) {
      void this.persist().catch((err) => console.error(`metrics: persist failed: ${String(err)}`));
      throw new OverloadedError(`metrics: head holds ${this.head.samples} samples, persisting is behind`, 2);
    }
    const checked = this.head.check(batch);
    const { seq, durable } = this.wal.append(walType, walPayload);
    await durable;
    return this.applyToHead(batch, seq, checked);
  }

  /** Samples of the matching series within [minT, maxT], blocks then head, merged per series. */
  async select(matchers: readonly LabelMatcher[], minT: number, maxT: number): Promise<SeriesData[]> {
    const parts: SeriesData[][] = [];
    // This snapshot of blocks stays readable even if a compaction replaces them meanwhile.
    const blocks = this.blocks;
    const releases = blocks.map((b) => b.acquire());
    try {
      for (const b of blocks) parts.push(await b.select(matchers, minT, maxT));
    } finally {
      for (const release of releases) release();
    }
    parts.push(this.head.select(this.head.index.select(matchers), minT, maxT));
    return mergeSeries(parts);
  }

  labelNames(): string[] {
    const names = new Set(this.head.index.labelNames());
    for (const b of this.blocks) for (const n of b.index.labelNames()) names.add(n);
    return [...names].sort();
  }

  labelValues(name: string): string[] {
    const values = new Set(this.head.index.labelValues(name));
    for (const b of this.blocks) for (const v of b.index.labelValues(name)) values.add(v);
    return [...values].sort();
  }

  /** Label sets of matching series having samples in [minT, maxT] (or any, when unbounded). */
  async series(matchers: readonly LabelMatcher[], minT: number, maxT: number): Promise<Labels[]> {
    return (await this.select(matchers, minT, maxT)).map((s) => s.labels);
  }

  private async maintain(): Promise<void> {
    if (this.head.samples >= this.options.blockMaxSamples || (this.head.samples > 0 && this.headMaxT - this.headMinT >= this.options.blockMaxSpanMs)) {
      await this.persist();
    }
    await this.compact();
    await this.runUpkeep(() => this.applyRetention());
  }

  private runUpkeep<T>(task: () => Promise<T>): Promise<T> {
    const run = this.upkeep.then(task, task);
    this.upkeep = run.catch(() => undefined);
    return run;
  }

  /** Merges blocks while a merge is due (compaction.ts); returns how many merges ran. */
  compact(): Promise<number> {
    return this.runUpkeep(async () => {
      let merges = 0;
      for (;;) {
        if (this.closed) return merges;
        const plan = planCompaction(this.catalog.snapshot.parts, this.ranges);
        if (!plan) return merges;
        await this.merge(plan.sources, plan.level);
        merges++;
      }
    });
  }

  private async merge(sourceInfos: readonly BlockInfo[], level: number): Promise<void> {
    const ids = new Set(sourceInfos.map((b) => b.id));
    const sources = this.blocks.filter((b) => ids.has(b.info.id)).sort((a, b) => a.info.minT - b.info.minT);
    const metadata = new Map<string, MetricMetadata>();
    for (const b of sources) for (const m of b.metadata) metadata.set(m.metric, m);
    const info = await compactBlocks(this.dataDir, sources, level, this.options.chunkEncoding, [...metadata.values()]);
    const reader = await BlockReader.open(this.dataDir, info);
    // The new block replaces its sources in one catalog snapshot; only then may the sources go.
    await this.catalog.commit((s) => ({ ...s, parts: [...s.parts.filter((b) => !ids.has(b.id)), info] }));
    this.blocks = [...this.blocks.filter((b) => !ids.has(b.info.id)), reader];
    this.retire(sources);
  }

  private retire(blocks: readonly BlockReader[]): void {
    for (const b of blocks) b.retire();
    this.retired = [...this.retired, ...blocks];
    void Promise.all(blocks.map((b) => b.removed())).then(() => {
      this.retired = this.retired.filter((b) => !blocks.includes(b));
    });
  }

  /** Writes the whole head into a block and cuts the WAL behind it. */
  persist(): Promise<void> {
    this.persisting ??= this.persistNow().finally(() => {
      this.persisting = undefined;
    });
    return this.persisting;
  }

  private async persistNow(): Promise<void> {
    if (this.head.samples === 0) return;
    // Synchronous drain: the block holds exactly the batches up to headSeq.
    const checkpoint = this.headSeq;
    const series = this.head.drainChunks();
    this.headMinT = Infinity;
    this.headMaxT = -Infinity;
    const info = await writeBlock(this.dataDir, series, 0, [...this.metadata.values()]);
    const reader = await BlockReader.open(this.dataDir, info);
    await this.catalog.commit((s) => ({ parts: [...s.parts, info], walCheckpoints: { ...s.walCheckpoints, [METRICS_STREAM]: checkpoint } }));
    this.blocks.push(reader);
    await this.wal.truncateThrough(checkpoint);
  }

  private async applyRetention(): Promise<void> {
    if (this.options.retentionMs <= 0) return;
    const cutoff = Date.now() - this.options.retentionMs;
    const expired = this.catalog.snapshot.parts.filter((b) => b.maxT < cutoff);
    if (expired.length === 0) return;
    const ids = new Set(expired.map((b) => b.id));
    await this.catalog.commit((s) => ({ ...s, parts: s.parts.filter((b) => !ids.has(b.id)) }));
    this.retire(this.blocks.filter((b) => ids.has(b.info.id)));
    this.blocks = this.blocks.filter((b) => !ids.has(b.info.id));
  }

  stats(): { series: number; headSamples: number; blocks: number; blockSamples: number; blockBytes: number } {
    const parts = this.catalog.snapshot.parts;
    return {
      series: this.head.seriesCount,
      headSamples: this.head.samples,
      blocks: parts.length,
      blockSamples: parts.reduce((n, b) => n + b.samples, 0),
      blockBytes: parts.reduce((n, b) => n + b.chunkBytes + b.indexBytes, 0),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.persisting?.catch(() => undefined);
    await this.upkeep;
    await this.persist();
    await Promise.all(this.retired.map((b) => b.removed()));
    await this.wal.close();
  }
}

/**
 * Removes block folders the catalog does not name: a block being written
 * when the process died, or a compaction's sources whose replacement was
 * committed just before it.
 */
async function removeUncatalogedBlocks(dataDir: string, blocks: readonly BlockInfo[]): Promise<void> {
  const live = new Set(blocks.map((b) => b.id));
  let names: string[];
  try {
    names = await readdir(join(dataDir, BLOCKS_DIR));
  } catch {
    return;
  }
  for (const name of names) {
    if (live.has(name)) continue;
    if (name.startsWith(TEMP_BLOCK_PREFIX) || BLOCK_ID.test(name)) await rm(join(dataDir, BLOCKS_DIR, name), { recursive: true, force: true });
  }
}

const BLOCK_ID = /^[0-9a-z]{9}-[0-9a-f]{16}$/;

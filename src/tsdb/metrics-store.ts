// The metrics store: WAL → head → blocks, with the same exactly-once rule as
// traces: a block is committed to the catalog together with the WAL
// checkpoint it covers; after a crash the WAL replays only what is newer.

import { join, resolve } from 'node:path';
import { rm } from 'node:fs/promises';
import type { MetricMetadata, SampleBatch } from '../model/sample-batch.js';
import { OverloadedError } from '../model/errors.js';
import { Wal } from '../wal/wal.js';
import { Catalog } from '../parts/catalog.js';
import { MetricsHead, type AppendResult, type Resolved, type SeriesData } from './head.js';
import { BlockReader, writeBlock, type BlockInfo } from './block.js';
import { labelsKey, type Labels } from './series-index.js';
import type { LabelMatcher } from './promql/ast.js';
import type { ChunkEncoding } from './chunks/index.js';

export const METRICS_STREAM = 'metrics';

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
  /** decodes a WAL record back into samples (the receive layer knows the formats) */
  decodeWalRecord: (type: number, payload: Uint8Array) => SampleBatch;
}

export class MetricsStore {
  readonly head: MetricsHead;
  /** latest metadata per metric family, as senders reported it (kept in memory; rebuilt by WAL replay) */
  readonly metadata = new Map<string, MetricMetadata>();
  private blocks: BlockReader[] = [];
  private persisting: Promise<void> | undefined;
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
  }

  static async open(options: MetricsStoreOptions): Promise<MetricsStore> {
    const dataDir = resolve(options.dataDir);
    const catalog = await Catalog.open<BlockInfo>(join(dataDir, 'catalog', METRICS_STREAM));
    const wal = await Wal.open({ dir: join(dataDir, 'wal', METRICS_STREAM), fsync: options.walFsync });
    const store = new MetricsStore(options, dataDir, wal, catalog);
    store.blocks = await Promise.all(catalog.snapshot.parts.map((b) => BlockReader.open(dataDir, b)));
    // Ordering checks continue across restarts: seed each series' last sample from the blocks.
    for (const b of store.blocks) {
      b.last.forEach((last, id) => store.head.seedLast(b.index.labels(id), last.t, last.v));
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
    store.timer = setInterval(() => void store.maintain().catch((err) => console.error(`metrics: ${String(err)}`)), 5_000);
    store.timer.unref();
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
    for (const b of this.blocks) parts.push(await b.select(matchers, minT, maxT));
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
    await this.applyRetention();
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
    this.blocks = this.blocks.filter((b) => !ids.has(b.info.id));
    // Readers open the chunks file per query, so a removed folder only fails queries already running on it.
    for (const b of expired) await rm(join(this.dataDir, b.dir), { recursive: true, force: true });
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
    await this.persist();
    await this.wal.close();
  }
}

/** Joins the pieces of each series (blocks are older than the head) into one time-ordered array. */
export function mergeSeries(pieces: readonly SeriesData[][]): SeriesData[] {
  const byKey = new Map<string, SeriesData[]>();
  for (const list of pieces) {
    for (const s of list) {
      const key = labelsKey(s.labels);
      const got = byKey.get(key);
      if (got) got.push(s);
      else byKey.set(key, [s]);
    }
  }
  const out: SeriesData[] = [];
  for (const list of byKey.values()) {
    if (list.length === 1) {
      out.push(list[0]!);
      continue;
    }
    list.sort((a, b) => a.t[0]! - b.t[0]!);
    let n = 0;
    for (const s of list) n += s.t.length;
    const t = new Float64Array(n);
    const v = new Float64Array(n);
    let k = 0;
    let lastT = -Infinity;
    for (const s of list) {
      for (let i = 0; i < s.t.length; i++) {
        if (s.t[i]! <= lastT) continue; // overlapping pieces: keep the first sample per timestamp
        t[k] = s.t[i]!;
        v[k] = s.v[i]!;
        lastT = s.t[i]!;
        k++;
      }
    }
    out.push({ labels: list[0]!.labels, t: t.subarray(0, k), v: v.subarray(0, k) });
  }
  return out;
}

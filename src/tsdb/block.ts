// Persisted metric blocks (docs/format/metric-block.md): an immutable folder
// per block with the chunks of every series back to back (`chunks`) and a
// binary index (`index`, block-index.ts) of series labels, chunk references
// and postings; blocks written before it have `index.json` (version 1), still
// read. A series' chunks are contiguous, so one positional read fetches all
// chunks a query needs.

import { mkdir, open, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { chunkIterator } from './chunks/index.js';
import type { ClosedChunk, SeriesData } from './head.js';
import { SeriesIndex, selectSeries, type Labels } from './series-index.js';
import { BinaryBlockIndex, encodeBlockIndex, type BlockIndex, type ChunkRef, type IndexSeries } from './block-index.js';
import type { LabelMatcher } from './promql/ast.js';
import type { MetricMetadata } from '../model/sample-batch.js';
import { fsyncDir } from '../parts/fsync.js';

export interface BlockInfo {
  id: string;
  /** relative to the data folder */
  dir: string;
  minT: number;
  maxT: number;
  series: number;
  samples: number;
  chunkBytes: number;
  indexBytes: number;
  /** 0 = persisted from the head; k = compacted into a window of the k-th compaction range */
  level: number;
}

/** Version 1 index, JSON (read only: blocks are written with version 2). */
interface IndexFile {
  version: 1;
  minT: number;
  maxT: number;
  /** metric family metadata known when the block was written (absent in older blocks) */
  metadata?: MetricMetadata[];
  /** per series: labels as [name, value] pairs, chunk refs, last sample */
  series: { labels: [string, string][]; chunks: ChunkRef[]; lastT: number; lastV: number | string }[];
}

export interface BlockSeriesInput {
  labels: Labels;
  chunks: ClosedChunk[];
  lastT: number;
  lastV: number;
}

export function newBlockId(): string {
  return `${Date.now().toString(36).padStart(9, '0')}-${randomBytes(8).toString('hex')}`;
}

export const BLOCKS_DIR = join('blocks', 'metrics');
/** Block folders being written start with a dot; a crash can leave one behind (removed on open). */
export const TEMP_BLOCK_PREFIX = '.';

/** Chunk bytes are buffered and written in pieces of about this size. */
const WRITE_BUFFER_BYTES = 1 << 20;

/**
 * Writes one block series by series (a compaction streams millions of chunks
 * through it). Chunks are fsynced before the index, the index before the
 * folder is renamed into place, and the rename before the caller commits the
 * block to the catalog.
 */
export class BlockWriter {
  private readonly series: IndexSeries[] = [];
  private minT = Infinity;
  private maxT = -Infinity;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private offset = 0;
  private samples = 0;

  private constructor(
    private readonly dataDir: string,
    private readonly id: string,
    private readonly tmp: string,
    private readonly fh: FileHandle,
    private readonly level: number,
  ) {}

  static async create(dataDir: string, level: number): Promise<BlockWriter> {
    const id = newBlockId();
    const tmp = join(dataDir, BLOCKS_DIR, `${TEMP_BLOCK_PREFIX}${id}.tmp`);
    await mkdir(tmp, { recursive: true });
    return new BlockWriter(dataDir, id, tmp, await open(join(tmp, 'chunks'), 'w'), level);
  }

  async add(s: BlockSeriesInput): Promise<void> {
    if (s.chunks.length === 0) return;
    const refs: ChunkRef[] = [];
    for (const c of s.chunks) {
      this.pending.push(c.bytes);
      this.pendingBytes += c.bytes.length;
      refs.push([this.offset, c.bytes.length, c.minT, c.maxT, c.count]);
      this.offset += c.bytes.length;
      this.samples += c.count;
      if (c.minT < this.minT) this.minT = c.minT;
      if (c.maxT > this.maxT) this.maxT = c.maxT;
    }
    this.series.push({ labels: s.labels, chunks: refs, lastT: s.lastT, lastV: s.lastV });
    if (this.pendingBytes >= WRITE_BUFFER_BYTES) await this.flushPending();
  }

  private async flushPending(): Promise<void> {
    if (this.pendingBytes === 0) return;
    await this.fh.write(Buffer.concat(this.pending, this.pendingBytes));
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Makes the block durable under its final name; the caller then commits it to the catalog. */
  async finish(metadata: readonly MetricMetadata[]): Promise<BlockInfo> {
    try {
      await this.flushPending();
      await this.fh.sync();
    } finally {
      await this.fh.close();
    }
    const index = encodeBlockIndex(this.series, this.minT, this.maxT, metadata);
    await writeFile(join(this.tmp, INDEX_FILE), index, { flush: true });
    await fsyncDir(this.tmp);
    const rel = join(BLOCKS_DIR, this.id);
    await rename(this.tmp, join(this.dataDir, rel));
    await fsyncDir(dirname(join(this.dataDir, rel)));
    return { id: this.id, dir: rel, minT: this.minT, maxT: this.maxT, series: this.series.length, samples: this.samples, chunkBytes: this.offset, indexBytes: index.length, level: this.level };
  }

  /** Removes the unfinished folder (a failed compaction). */
  async abort(): Promise<void> {
    await this.fh.close().catch(() => undefined);
    await rm(this.tmp, { recursive: true, force: true });
  }
}

/** Writes a whole block from series already in memory (the head's). */
export async function writeBlock(dataDir: string, series: readonly BlockSeriesInput[], level = 0, metadata: readonly MetricMetadata[] = []): Promise<BlockInfo> {
  const writer = await BlockWriter.create(dataDir, level);
  try {
    for (const s of series) await writer.add(s);
    return await writer.finish(metadata);
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

const INDEX_FILE = 'index';
const LEGACY_INDEX_FILE = 'index.json';

/** Opens a block's index: the binary one, or a version 1 `index.json`. */
export async function openBlockIndex(dir: string): Promise<BlockIndex> {
  try {
    return new BinaryBlockIndex(await readFile(join(dir, INDEX_FILE)));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return new JsonBlockIndex(JSON.parse(await readFile(join(dir, LEGACY_INDEX_FILE), 'utf8')) as IndexFile);
}

/** A version 1 index, held in memory as a series index. */
export class JsonBlockIndex implements BlockIndex {
  private readonly index = new SeriesIndex();
  readonly minT: number;
  readonly maxT: number;
  readonly metadata: readonly MetricMetadata[];

  constructor(private readonly file: IndexFile) {
    this.minT = file.minT;
    this.maxT = file.maxT;
    this.metadata = file.metadata ?? [];
    for (const s of file.series) this.index.getOrCreate(s.labels.map(([name, value]) => ({ name, value })));
  }

  get size(): number {
    return this.index.size;
  }
  labels(id: number): Labels {
    return this.index.labels(id);
  }
  chunkRefs(id: number): ChunkRef[] {
    return this.file.series[id]!.chunks;
  }
  lastSample(id: number): { t: number; v: number } {
    const s = this.file.series[id]!;
    return { t: s.lastT, v: Number(s.lastV) };
  }
  postingsOf(name: string, value: string): readonly number[] {
    return this.index.postingsOf(name, value);
  }
  valuePostings(name: string): Iterable<[string, readonly number[]]> {
    return this.index.valuePostings(name);
  }
  select(matchers: readonly LabelMatcher[]): number[] {
    return selectSeries(this, matchers);
  }
  labelNames(): string[] {
    return this.index.labelNames();
  }
  labelValues(name: string): string[] {
    return this.index.labelValues(name);
  }
}

/** An opened block: its index in memory, chunks read on demand. */
export class BlockReader {
  /** queries reading the block now; a retired block's folder is removed when the last one ends */
  private readers = 0;
  private retired = false;
  private removal: Promise<void> | undefined;

  private constructor(
    readonly info: BlockInfo,
    private readonly dataDir: string,
    readonly index: BlockIndex,
  ) {}

  static async open(dataDir: string, info: BlockInfo): Promise<BlockReader> {
    return new BlockReader(info, dataDir, await openBlockIndex(join(dataDir, info.dir)));
  }

  get metadata(): readonly MetricMetadata[] {
    return this.index.metadata;
  }

  /** Keeps the block's files until the returned function is called. */
  acquire(): () => void {
    this.readers++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.readers === 0 && this.retired) this.remove();
    };
  }

  /** The block left the catalog: remove its folder once no query reads it. */
  retire(): void {
    this.retired = true;
    if (this.readers === 0) this.remove();
  }

  /** Settles once a retired block's folder is gone (at once when nothing is pending). */
  removed(): Promise<void> {
    return this.removal ?? Promise.resolve();
  }

  private remove(): void {
    this.removal ??= rm(join(this.dataDir, this.info.dir), { recursive: true, force: true }).catch((err: unknown) => console.error(`metrics: removing block ${this.info.id}: ${String(err)}`));
  }

  /** Opens the chunks file for a run of reads (close it after). */
  openChunks(): Promise<FileHandle> {
    return open(join(this.dataDir, this.info.dir, 'chunks'), 'r');
  }

  /** Samples within [minT, maxT] of the series matching `matchers`. */
  async select(matchers: readonly LabelMatcher[], minT: number, maxT: number): Promise<SeriesData[]> {
    if (maxT < this.info.minT || minT > this.info.maxT) return [];
    const ids = this.index.select(matchers);
    if (ids.length === 0) return [];
    const fh = await this.openChunks();
    try {
      const out: SeriesData[] = [];
      for (const id of ids) {
        const s = await this.readSeries(fh, id, minT, maxT);
        if (s) out.push(s);
      }
      return out;
    } finally {
      await fh.close();
    }
  }

  /** One series' samples within [minT, maxT] (undefined when it has none there). */
  async readSeries(fh: FileHandle, id: number, minT: number, maxT: number): Promise<SeriesData | undefined> {
    const refs = this.index.chunkRefs(id).filter((r) => r[3] >= minT && r[2] <= maxT);
    if (refs.length === 0) return undefined;
    const from = refs[0]![0];
    const to = refs[refs.length - 1]![0] + refs[refs.length - 1]![1];
    const buf = Buffer.alloc(to - from);
    await fh.read(buf, 0, buf.length, from);
    let n = 0;
    for (const r of refs) n += r[4];
    const t = new Float64Array(n);
    const v = new Float64Array(n);
    let k = 0;
    for (const r of refs) {
      const it = chunkIterator(buf.subarray(r[0] - from, r[0] - from + r[1]));
      while (it.next()) {
        if (it.t < minT || it.t > maxT) continue;
        t[k] = it.t;
        v[k] = it.v;
        k++;
      }
    }
    return k > 0 ? { labels: this.index.labels(id), t: t.subarray(0, k), v: v.subarray(0, k) } : undefined;
  }
}

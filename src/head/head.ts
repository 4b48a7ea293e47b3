// The head: spans acknowledged (durable in the WAL) but not yet in parts.
// Batches wait in memory until they are sealed into a small uncompressed
// Parquet staging file — at least every SEAL_INTERVAL and before every query —
// so queries see every acknowledged span through one engine (DuckDB), and the
// flusher later merges staging files into big sorted zstd parts.
//
// Staging files are not part of the catalog: after a crash they are deleted
// and rebuilt by WAL replay.

import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { SpanBatch } from '../model/span-batch.js';
import type { AttributeColumnRef } from '../parts/schema.js';
import { countSpans, spanRowColumns } from '../parts/span-columns.js';
import { writeParquetFile } from '../parts/parquet/writer.js';

export interface StagedFile {
  path: string;
  rows: number;
  firstSeq: number;
  lastSeq: number;
  minStartNs: bigint;
  maxStartNs: bigint;
  /** 16 bytes per span, in row order; used for part bloom filters */
  traceIds: Uint8Array;
  /** per span, in row order; used to split parts by day */
  startNs: BigInt64Array;
  columns: string[];
  services: Set<string>;
}

export interface HeadOptions {
  stagingDir: string;
  dedicated: readonly AttributeColumnRef[];
}

interface PendingBatch {
  batch: SpanBatch;
  seq: number;
}

export class Head {
  private pending: PendingBatch[] = [];
  private pendingSpanCount = 0;
  private stagedFiles: StagedFile[] = [];
  private sealing: Promise<void> = Promise.resolve();
  private fileCounter = 0;

  private constructor(private readonly options: HeadOptions) {}

  /** Opens the staging folder, dropping leftovers of a previous run (the WAL replays them). */
  static async open(options: HeadOptions): Promise<Head> {
    await mkdir(options.stagingDir, { recursive: true });
    for (const name of await readdir(options.stagingDir)) {
      await rm(join(options.stagingDir, name), { force: true });
    }
    return new Head(options);
  }

  /** Adds a durable batch. Seqs must ascend: the caller appends in WAL order. */
  append(batch: SpanBatch, seq: number): void {
    if (batch.length === 0) return;
    this.pending.push({ batch, seq });
    this.pendingSpanCount += batch.length;
  }

  get pendingSpans(): number {
    return this.pendingSpanCount;
  }

  get stagedSpans(): number {
    let n = 0;
    for (const f of this.stagedFiles) n += f.rows;
    return n;
  }

  /** Staging files in seq order. */
  get staged(): readonly StagedFile[] {
    return this.stagedFiles;
  }

  /** Writes everything pending into a staging file; resolves once it is queryable. */
  seal(): Promise<void> {
    const next = this.sealing.then(() => this.sealNow());
    this.sealing = next.catch(() => undefined);
    return next;
  }

  private async sealNow(): Promise<void> {
    if (this.pending.length === 0) return;
    // Take the pending batches out before writing: batches appended while the
    // file is written go into a fresh list and wait for the next seal.
    const taken = this.pending;
    this.pending = [];
    const batches = taken.map((p) => p.batch);
    const rows = countSpans(batches);
    this.pendingSpanCount -= rows;
    const firstSeq = taken[0]!.seq;
    const lastSeq = taken[taken.length - 1]!.seq;
    const path = join(
      this.options.stagingDir,
      `${String(firstSeq).padStart(16, '0')}-${String(lastSeq).padStart(16, '0')}-${this.fileCounter++}.parquet`,
    );
    let columns;
    try {
      columns = spanRowColumns(batches, this.options.dedicated);
      await writeParquetFile(path, rows, columns);
    } catch (err) {
      // Not sealed: put them back in front, in seq order, for the next attempt.
      this.pending = taken.concat(this.pending);
      this.pendingSpanCount += rows;
      throw err;
    }

    const traceIds = columns[0]!.values as Uint8Array;
    const startNs = columns.find((c) => c.name === 'start_time_unix_nano')!.values as BigInt64Array;
    let minStartNs = startNs[0]!;
    let maxStartNs = startNs[0]!;
    for (let i = 1; i < rows; i++) {
      const t = startNs[i]!;
      if (t < minStartNs) minStartNs = t;
      if (t > maxStartNs) maxStartNs = t;
    }
    const services = new Set<string>();
    for (const b of batches) for (const s of b.resources.serviceName) services.add(s);

    this.stagedFiles.push({
      path,
      rows,
      firstSeq,
      lastSeq,
      minStartNs,
      maxStartNs,
      traceIds,
      startNs,
      columns: columns.map((c) => c.name),
      services,
    });
  }

  /** Forgets staged files that are now in parts (the caller retires the files). */
  removeStaged(files: readonly StagedFile[]): void {
    const gone = new Set(files);
    this.stagedFiles = this.stagedFiles.filter((f) => !gone.has(f));
  }
}

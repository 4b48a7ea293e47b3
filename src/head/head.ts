// The head of a signal (traces, logs): rows acknowledged (durable in the WAL)
// but not yet in parts. Batches wait in memory until they are sealed into a
// small uncompressed Parquet staging file — at least every SEAL_INTERVAL and
// before every query — so queries see every acknowledged row through one
// engine (DuckDB), and the flusher later merges staging files into big sorted
// zstd parts.
//
// Staging files are not part of the catalog: after a crash they are deleted
// and rebuilt by WAL replay.

import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeParquetFile, type ParquetColumn } from '../parts/parquet/writer.js';
import type { FileLayout } from '../parts/parquet/layout.js';

export interface StagedFile {
  path: string;
  rows: number;
  firstSeq: number;
  lastSeq: number;
  /** range of the row time column (span start, log record time), unix nanos */
  minStartNs: bigint;
  maxStartNs: bigint;
  /** 16 bytes per row, in row order (all zero where a row has none); used for part bloom filters */
  traceIds: Uint8Array;
  /** row time per row, in row order; used to split parts by day */
  startNs: BigInt64Array;
  columns: string[];
  /** where the file's pages lie: a flush regroups its rows from them (src/parts/sorted-run.ts) */
  layout: FileLayout | undefined;
  services: Set<string>;
  /** what the signal's schema derived from the batches at seal time (StagingSchema.sidecar) */
  sidecar?: unknown;
}

/** A staging file as written, before the head gives it its place (path and seqs). */
export type StagedContent = Omit<StagedFile, 'path' | 'firstSeq' | 'lastSeq'>;

/**
 * How a head turns batches into a staging file: from their rows as flat
 * columns (RowStagingSchema, written in this thread), or by a stager that
 * holds the batches itself (logs: a worker thread decodes and stages them,
 * and the head keeps only their handles).
 */
export type StagingSchema<B extends { length: number }> = RowStagingSchema<B> | Stager<B>;

export interface Stager<B extends { length: number }> {
  /** Writes the rows of `batches` (`rows` in all) into a staging file at `path`. */
  stage(batches: readonly B[], path: string, rows: number): Promise<StagedContent>;
}

/** What a head needs to know about a signal's batches and row layout. */
export interface RowStagingSchema<B extends { length: number }> {
  /** the batches' rows as flat columns (src/parts/schema.ts for spans) */
  rowColumns(batches: readonly B[]): ParquetColumn[];
  /** int64 column holding each row's time */
  timeColumn: string;
  /** fixed16 column holding each row's trace id */
  traceIdColumn: string;
  /** service names the batches' rows carry */
  services(batches: readonly B[]): Iterable<string>;
  /** anything else a flush needs from the batches, kept with the staged file (logs: token hashes) */
  sidecar?(batches: readonly B[]): unknown;
  /** the columns of a staging file now written, no longer used by the head (their arrays may be reused) */
  recycle?(columns: readonly ParquetColumn[]): void;
}

export interface HeadOptions<B extends { length: number }> {
  stagingDir: string;
  schema: StagingSchema<B>;
}

interface PendingBatch<B> {
  batch: B;
  seq: number;
}

export class Head<B extends { length: number }> {
  private pending: PendingBatch<B>[] = [];
  private pendingRowCount = 0;
  private stagedFiles: StagedFile[] = [];
  private sealing: Promise<void> = Promise.resolve();
  private fileCounter = 0;

  private constructor(private readonly options: HeadOptions<B>) {}

  /** Opens the staging folder, dropping leftovers of a previous run (the WAL replays them). */
  static async open<B extends { length: number }>(options: HeadOptions<B>): Promise<Head<B>> {
    await mkdir(options.stagingDir, { recursive: true });
    for (const name of await readdir(options.stagingDir)) {
      await rm(join(options.stagingDir, name), { force: true });
    }
    return new Head(options);
  }

  /** Adds a durable batch. Seqs must ascend: the caller appends in WAL order. */
  append(batch: B, seq: number): void {
    if (batch.length === 0) return;
    this.pending.push({ batch, seq });
    this.pendingRowCount += batch.length;
  }

  get pendingRows(): number {
    return this.pendingRowCount;
  }

  get stagedRows(): number {
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
    let rows = 0;
    for (const b of batches) rows += b.length;
    const firstSeq = taken[0]!.seq;
    const lastSeq = taken[taken.length - 1]!.seq;
    const path = join(
      this.options.stagingDir,
      `${String(firstSeq).padStart(16, '0')}-${String(lastSeq).padStart(16, '0')}-${this.fileCounter++}.parquet`,
    );
    const schema = this.options.schema;
    let content: StagedContent;
    try {
      content = 'stage' in schema ? await schema.stage(batches, path, rows) : await stageRows(schema, batches, path, rows);
    } catch (err) {
      // Not sealed: put them back in front, in seq order, for the next attempt.
      this.pending = taken.concat(this.pending);
      throw err;
    }
    // Counted as pending until staged: while the file is written the rows are
    // in neither count otherwise, and admission (maxHeadRows) let a request
    // in over the bound (test/e2e/bad-input.test.ts "overload", flaky).
    this.stagedFiles.push({ path, firstSeq, lastSeq, ...content });
    this.pendingRowCount -= rows;
  }

  /** Forgets staged files that are now in parts (the caller retires the files). */
  removeStaged(files: readonly StagedFile[]): void {
    const gone = new Set(files);
    this.stagedFiles = this.stagedFiles.filter((f) => !gone.has(f));
  }
}

/** Writes the rows of `batches` into a staging file at `path` (not fsynced: after a crash the WAL replays them). */
export async function stageRows<B extends { length: number }>(schema: RowStagingSchema<B>, batches: readonly B[], path: string, rows: number): Promise<StagedContent> {
  const columns = schema.rowColumns(batches);
  const { layout } = await writeParquetFile(path, rows, columns, { durable: false });
  const traceIds = (columns.find((c) => c.name === schema.traceIdColumn) as { values: Uint8Array }).values;
  const startNs = (columns.find((c) => c.name === schema.timeColumn) as { values: BigInt64Array }).values;
  let minStartNs = startNs[0]!;
  let maxStartNs = startNs[0]!;
  for (let i = 1; i < rows; i++) {
    const t = startNs[i]!;
    if (t < minStartNs) minStartNs = t;
    if (t > maxStartNs) maxStartNs = t;
  }
  // the file is written: the columns' arrays may serve the next one (not the two kept below)
  schema.recycle?.(columns.filter((c) => c.name !== schema.traceIdColumn && c.name !== schema.timeColumn));
  return {
    rows,
    minStartNs,
    maxStartNs,
    traceIds,
    startNs,
    columns: columns.map((c) => c.name),
    layout,
    services: new Set(schema.services(batches)),
    ...(schema.sidecar ? { sidecar: schema.sidecar(batches) } : {}),
  };
}

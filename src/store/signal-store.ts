// The store of one signal (traces, logs): WAL → head → staging files → parts,
// and the snapshots queries read. Acknowledge only after the WAL fsync; a part
// is committed to the catalog together with the WAL checkpoint it covers, so
// after a crash every acknowledged row is replayed or already in a part —
// exactly once. What differs between signals — batch type, row columns, WAL
// records, part sort order, companion files — comes in a SignalDefinition.

import { rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { OverloadedError } from '../model/errors.js';
import { Wal, type WalRecord } from '../wal/wal.js';
import { Head, type StagedFile, type StagingSchema } from '../head/head.js';
import { Catalog, partFilePaths, type PartInfo } from '../parts/catalog.js';
import { partIdOf, sweepOrphanPartFiles } from '../parts/orphan-files.js';
import { FileLeases } from '../parts/file-leases.js';
import { sortedRunDir, writeParts, type PartLayout, type PartSource } from '../parts/part-writer.js';
import { Engine } from '../engine/duckdb.js';
import type { ServerConfig } from '../config/config.js';
import { Compactor } from './compactor.js';
import type { PartCompanion } from './part-companion.js';
import { ResidentMemoryBound } from './memory-bound.js';

export interface SignalDefinition<B extends { length: number }> {
  /** the row layout of staging files */
  staging: StagingSchema<B>;
  /** folder, time column and sort order of parts; `layout.stream` also names the WAL stream */
  layout: PartLayout;
  /** what a row is called in messages: 'spans', 'log records' */
  rowNoun: string;
  /** a WAL record of this signal's stream back into a batch (replay) */
  decodeWalRecord(record: WalRecord): B | Promise<B>;
  /** log parts: what the flush's worker orders a part's rows by and builds its token index from (PartSource.logRows) */
  partLogRows?(files: readonly StagedFile[]): PartSource['logRows'];
}

/** Flush and admission limits, in rows. */
export interface SignalLimits {
  /** flush as soon as this many rows are staged */
  flushMaxRows: number;
  /** most rows of one part a flush writes */
  partMaxRows: number;
  /** beyond this many rows not yet in parts, ingest answers 503 */
  maxHeadRows: number;
}

/** The files one query reads, held until release(). */
export interface SignalSnapshot {
  parts: readonly PartInfo[];
  staged: readonly StagedFile[];
  dataDir: string;
  release(): void;
}

export interface StoreStats {
  headPendingRows: number;
  headStagedRows: number;
  parts: number;
  partRows: number;
  partBytes: number;
  walDurableSeq: number;
  walCheckpointSeq: number;
}

/** Most rows admitted and not yet sealed into a staging file (~0.45 GB of decoded log batches). */
const MAX_UNSEALED_ROWS = 1_000_000;

/** Replay seals the head every this many rows, so staging files stay small. */
const REPLAY_SEAL_ROWS = 200_000;

/** The share of a flush (flushMaxRows) the head must hold for a refusal by memory to flush it early (flushForMemory). */
const MEMORY_FLUSH_SHARE = 1 / 16;

export class SignalStore<B extends { length: number }> {
  private sealTimer: NodeJS.Timeout | undefined;
  private compactTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private lastFlushMs = Date.now();
  private closed = false;
  readonly leases = new FileLeases();
  private readonly compactor: Compactor;
  private readonly companions: PartCompanion[] = [];
  private readonly memory: ResidentMemoryBound;

  protected constructor(
    readonly config: ServerConfig,
    readonly dataDir: string,
    protected readonly signal: SignalDefinition<B>,
    private readonly limits: SignalLimits,
    private readonly wal: Wal,
    private readonly head: Head<B>,
    readonly catalog: Catalog,
    /** flushes and compaction get their own single-threaded engine so ingest keeps a core */
    protected readonly writeEngine: Engine,
  ) {
    this.memory = new ResidentMemoryBound(config.maxMemoryBytes);
    this.compactor = new Compactor(writeEngine, dataDir, catalog, this.leases, config, signal.layout, this.companions);
  }

  /** Opens the WAL, head, catalog and write engine of `signal` under the configured data folder. */
  protected static async openParts<B extends { length: number }>(config: ServerConfig, signal: SignalDefinition<B>) {
    const dataDir = resolve(config.dataDir);
    const stream = signal.layout.stream;
    const catalog = await Catalog.open(join(dataDir, 'catalog', stream));
    const orphans = await sweepOrphanPartFiles(join(dataDir, 'parts', stream), livePartIds(dataDir, catalog.snapshot.parts));
    if (orphans.length > 0) console.error(`${stream}: deleted ${orphans.length} part file(s) no catalogued part owns (from a crash or an interrupted merge)`);
    // regrouped rows of a flush a crash interrupted
    await rm(sortedRunDir(dataDir, signal.layout), { recursive: true, force: true });
    const head = await Head.open<B>({ stagingDir: join(dataDir, 'staging', stream), schema: signal.staging });
    const wal = await Wal.open({ dir: join(dataDir, 'wal', stream), fsync: config.walFsync });
    // 1 GB: at 512 MB DuckDB's sort of a 1 M-span flush fails with Out of Memory instead of spilling.
    const writeEngine = await Engine.create({ dataDir, threads: 1, memoryLimit: '1GB' });
    return { dataDir, catalog, head, wal, writeEngine };
  }

  get stream(): string {
    return this.signal.layout.stream;
  }

  /** Adds a companion written beside every part from now on (call before start()). */
  protected addCompanion(companion: PartCompanion): void {
    this.companions.push(companion);
  }

  /** Replays the WAL, then starts sealing, flushing and compaction. */
  protected async start(): Promise<void> {
    await this.replay();
    this.startTimers();
  }

  /** Replays WAL records not yet in parts into the head, then flushes them. */
  private async replay(): Promise<void> {
    const checkpoint = this.catalog.snapshot.walCheckpoints[this.stream] ?? 0;
    await this.wal.replay(checkpoint, async (record) => {
      this.head.append(await this.signal.decodeWalRecord(record), record.seq);
      if (this.head.pendingRows >= Math.min(REPLAY_SEAL_ROWS, this.limits.flushMaxRows)) await this.head.seal();
    });
    // Every replayed row into parts before accepting more: one flush takes at
    // most flushMaxRows, and the rest would otherwise wait for the timer.
    while (this.head.pendingRows > 0 || this.head.staged.length > 0) {
      try {
        await this.flush();
      } catch (err) {
        // A failed flush must not stop the server: the rows stay queryable in
        // the head and durable in the WAL, and the flush timer tries again.
        console.error(`${this.stream}: flush after replay failed, will retry: ${String(err)}`);
        break;
      }
    }
  }

  private startTimers(): void {
    this.sealTimer = setInterval(() => {
      if (this.head.pendingRows > 0) void this.head.seal().catch((err) => console.error(`${this.stream} head: seal failed: ${err}`));
      if (this.head.stagedRows >= this.limits.flushMaxRows || (Date.now() - this.lastFlushMs >= this.config.flushIntervalMs && this.head.staged.length > 0)) {
        void this.flush().catch((err) => console.error(`${this.stream} flush: ${err}`));
      }
    }, this.config.sealIntervalMs);
    this.sealTimer.unref();
    this.compactTimer = setInterval(() => {
      void this.compactor.runOnce().catch((err) => console.error(`${this.stream} compaction: ${err}`));
    }, this.config.compactIntervalMs);
    this.compactTimer.unref();
  }

  /** Checks that the head has room; throws OverloadedError (→ 503 + Retry-After) when not. */
  admit(rows: number): void {
    if (this.closed) throw new OverloadedError('store: shutting down', 5);
    this.admitMemory();
    const inHead = this.head.pendingRows + this.head.stagedRows;
    if (inHead + rows > this.limits.maxHeadRows) {
      throw new OverloadedError(`store: ${this.stream} head holds ${inHead} ${this.signal.rowNoun}, flush is behind`, 2);
    }
    // Unsealed rows live as decoded batches in memory (the ingest thread's heap):
    // bounded on their own, whatever room the staging files leave.
    if (this.head.pendingRows + rows > MAX_UNSEALED_ROWS) {
      throw new OverloadedError(`store: ${this.stream} head holds ${this.head.pendingRows} ${this.signal.rowNoun} not yet staged, sealing is behind`, 1);
    }
  }

  /**
   * Throws OverloadedError (→ 503 + Retry-After) while the process's resident
   * memory, with room for a flush unless one runs (its memory is then
   * resident already), exceeds --max-memory and this store holds
   * rows a seal or flush will release. With nothing held, waiting would not
   * free anything (and an empty head would never admit again): admitted.
   */
  admitMemory(): void {
    const rss = this.memory.exceeded(this.flushing !== undefined);
    if (rss === undefined) return;
    if (this.head.pendingRows === 0 && this.head.staged.length === 0 && !this.flushing) return;
    this.flushForMemory();
    throw new OverloadedError(`store: resident memory ${mib(rss)} MiB leaves no room for a flush under --max-memory ${mib(this.memory.maxBytes)} MiB; ${this.stream} wait for the head to flush`, 1);
  }

  /**
   * Starts the head's flush now rather than at its timer, when memory
   * refuses ingest, no flush runs and the head holds a sizeable share of a
   * flush. Why: resident memory stays high between flushes (V8 and the
   * allocators keep what the last flush freed, and reuse it for the next),
   * so without a flush running the bound went on refusing an idle server
   * until the flush timer (15 s by default): 440–656 refused requests, 80
   * given up, in a 10 M-span bench run. A running flush lifts the headroom
   * (its memory is resident already), and what it frees is reused. A small
   * head waits for the timer: flushing it would free little and make a part
   * of a few rows per refused request.
   */
  private flushForMemory(): void {
    if (this.flushing || this.head.pendingRows + this.head.stagedRows < this.limits.flushMaxRows * MEMORY_FLUSH_SHARE) return;
    void this.flush().catch((err) => console.error(`${this.stream} flush: ${err}`));
  }

  /**
   * Makes a decoded request durable, then visible. `walType`/`walPayload` is the
   * request as received (or an encoding of the batch), replayed after a crash.
   */
  async ingest(batch: B, walType: number, walPayload: Uint8Array): Promise<void> {
    if (batch.length === 0) return;
    this.admit(batch.length);
    const { seq, durable } = this.wal.append(walType, walPayload);
    await durable;
    this.head.append(batch, seq);
  }

  /** ingest() of a batch an ingest thread holds (a ticket): dropped there when it does not become durable. */
  protected async ingestHeld(ticket: B, walType: number, walPayload: Uint8Array, thread: { discard(ticket: B): void }): Promise<void> {
    if (ticket.length === 0) return;
    try {
      await this.ingest(ticket, walType, walPayload);
    } catch (err) {
      thread.discard(ticket);
      throw err;
    }
  }

  /** Files to query: every committed part and every staged file, sealed just now. */
  async snapshot(): Promise<SignalSnapshot> {
    await this.head.seal();
    const parts = this.catalog.snapshot.parts;
    const staged = [...this.head.staged];
    const paths = [...parts.map((p) => join(this.dataDir, p.path)), ...staged.map((f) => f.path)];
    const release = this.leases.acquire(paths);
    return { parts, staged, dataDir: this.dataDir, release };
  }

  /** Moves every staged row into parts and cuts the WAL behind them. */
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
    const files = oldestUpTo(this.head.staged, this.limits.flushMaxRows);
    this.lastFlushMs = Date.now();
    if (files.length === 0) return;
    let parts = await writeParts(this.writeEngine, this.dataDir, this.signal.layout, stagedSource(files, this.signal.partLogRows), 0, this.limits.partMaxRows);
    const stagedPaths = files.map((f) => f.path);
    for (const c of this.companions) parts = await c.afterFlush(this.writeEngine, files, parts);
    const checkpoint = files[files.length - 1]!.lastSeq;
    await this.catalog.commit(
      (s) => ({
        parts: [...s.parts, ...parts],
        walCheckpoints: { ...s.walCheckpoints, [this.stream]: checkpoint },
      }),
      // Same tick as the parts become visible: no snapshot sees a row twice.
      () => this.head.removeStaged(files),
    );
    this.leases.retire(stagedPaths);
    await this.wal.truncateThrough(checkpoint);
  }

  compact(): Promise<number> {
    return this.compactor.runOnce();
  }

  stats(): StoreStats {
    const s = this.catalog.snapshot;
    return {
      headPendingRows: this.head.pendingRows,
      headStagedRows: this.head.stagedRows,
      parts: s.parts.length,
      partRows: s.parts.reduce((n, p) => n + p.rows, 0),
      partBytes: s.parts.reduce((n, p) => n + p.bytes, 0),
      walDurableSeq: this.wal.durableSeq,
      walCheckpointSeq: s.walCheckpoints[this.stream] ?? 0,
    };
  }

  /** Stops timers, flushes the head into parts, closes the WAL. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sealTimer);
    clearInterval(this.compactTimer);
    await this.compactor.stop();
    for (const c of this.companions) await c.stop();
    // A timed flush may be running already: flush until the head is empty.
    while (this.head.pendingRows > 0 || this.head.staged.length > 0) await this.flush();
    await this.wal.close();
    this.writeEngine.close();
  }
}

/**
 * The oldest staged files holding at most `maxRows` rows (at least one file):
 * a flush that fell behind writes several parts of bounded size rather than
 * one huge one, so its sort stays small and a lookup opens a file of few row
 * groups (docs/storage.md). Taking a prefix in seq order keeps the WAL
 * checkpoint exact.
 */
export function oldestUpTo(staged: readonly StagedFile[], maxRows: number): StagedFile[] {
  const out: StagedFile[] = [];
  let rows = 0;
  for (const f of staged) {
    if (out.length > 0 && rows + f.rows > maxRows) break;
    out.push(f);
    rows += f.rows;
  }
  return out;
}

/** What writeParts needs of staging files (the flush's source). */
export function stagedSource(files: readonly StagedFile[], logRowsOf?: SignalDefinition<{ length: number }>['partLogRows']): PartSource {
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
  const source: PartSource = { paths: files.map((f) => f.path), traceIds, startNs, columns, services, layouts: files.map((f) => f.layout) };
  const logRows = logRowsOf?.(files);
  if (logRows) source.logRows = logRows;
  return source;
}

function mib(bytes: number): string {
  return Math.round(bytes / 2 ** 20).toLocaleString('en-US');
}

/** The part ids (file names up to their first dot) of every file the catalogued parts own. */
function livePartIds(dataDir: string, parts: readonly PartInfo[]): Set<string> {
  const ids = new Set<string>();
  for (const p of parts) for (const f of partFilePaths(dataDir, p)) ids.add(partIdOf(basename(f)));
  return ids;
}

// The write-ahead log of one stream: appends with group commit, replay after
// a restart, deletion of checkpointed segments. Format and rules:
// docs/format/wal.md.

import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ClosedError, OverloadedError, TooLargeError, WalCorruptError } from '../model/errors.js';
import { MAX_RECORD_PAYLOAD_BYTES, RECORD_HEADER_BYTES, SEGMENT_HEADER_BYTES, recordHeader } from './format.js';
import { CommitGroup } from './commit-group.js';
import { recoverDirectory, type Recovery } from './recovery.js';
import { SegmentReader, type WalRecord } from './segment-reader.js';
import { createSegment, deleteSegment, segmentName, syncDirectory, type SegmentFile } from './segment-files.js';
import { writeFully } from './write-fully.js';

export type { WalRecord } from './segment-reader.js';

export const DEFAULT_MAX_SEGMENT_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_PENDING_BYTES = 64 * 1024 * 1024;
/** What an OverloadedError from append suggests: one fsync is milliseconds, so retry soon. */
const OVERLOADED_RETRY_AFTER_SECONDS = 1;

export interface WalOptions {
  dir: string;
  /** Rotate to a new segment once the active one reaches this size. Default 64 MiB. */
  maxSegmentBytes?: number;
  /** Bytes appended but not yet durable beyond which append throws OverloadedError. Default 64 MiB. */
  maxPendingBytes?: number;
  /** Default true. false skips every fsync: only for benchmarks that say so. */
  fsync?: boolean;
  /** Where one-line warnings go (torn tail cut, corruption set aside). Default console.warn. */
  log?: (line: string) => void;
}

export interface ReplayResult {
  records: number;
  /** Payload bytes delivered. */
  bytes: number;
  /** Bytes cut from a torn tail or set aside as corrupt when the WAL was opened. */
  truncatedBytes: number;
}

export interface WalStats {
  /** fdatasync calls on segment files (one per group commit, plus one per rotation). */
  fsyncs: number;
  appends: number;
  /** Record bytes written to segments (framing included, segment headers not). */
  bytesWritten: number;
  segments: number;
}

export class Wal {
  private readonly maxSegmentBytes: number;
  private readonly maxPendingBytes: number;
  private readonly fsyncEnabled: boolean;
  private readonly dir: string;
  /** Kept segments in seq order; the last one is the active segment. */
  private segments: SegmentFile[];
  private activeBytes: number;
  private readonly recoveredTruncatedBytes: number;

  private nextSeq: number;
  private durableSeqValue: number;
  /** Appends not yet taken by the writer: the next group commit. */
  private queued: CommitGroup | undefined;
  /** Bytes of the group being written and synced now. */
  private inflightBytes = 0;
  private writer: Promise<void> | undefined;
  private failure: ClosedError | undefined;
  private closing = false;
  private closed: Promise<void> | undefined;
  private appendedSinceOpen = false;
  /** Serializes truncateThrough calls. */
  private deleting: Promise<unknown> = Promise.resolve();
  private readonly counters = { fsyncs: 0, appends: 0, bytesWritten: 0 };

  private constructor(
    options: WalOptions,
    private readonly log: (line: string) => void,
    recovery: Recovery,
    private active: FileHandle | undefined,
  ) {
    this.dir = options.dir;
    this.maxSegmentBytes = options.maxSegmentBytes ?? DEFAULT_MAX_SEGMENT_BYTES;
    this.maxPendingBytes = options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
    this.fsyncEnabled = options.fsync ?? true;
    this.segments = recovery.segments;
    this.activeBytes = recovery.activeBytes;
    this.recoveredTruncatedBytes = recovery.truncatedBytes;
    this.nextSeq = recovery.lastSeq + 1;
    this.durableSeqValue = recovery.lastSeq;
  }

  /** Validates the directory, cuts a torn tail, and is ready to append after the last valid record. */
  static async open(options: WalOptions): Promise<Wal> {
    const log = options.log ?? ((line: string) => console.warn(line));
    const recovery = await recoverDirectory(options.dir, log);
    const last = recovery.segments.at(-1);
    const active = last === undefined ? undefined : await open(join(options.dir, last.name), 'r+');
    return new Wal(options, log, recovery, active);
  }

  /** Last appended seq (0 when the log has never held a record). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** Every record with seq ≤ durableSeq is fsynced. */
  get durableSeq(): number {
    return this.durableSeqValue;
  }

  /** Bytes appended but not yet durable (queued plus being written). */
  get pendingBytes(): number {
    return (this.queued?.bytes ?? 0) + this.inflightBytes;
  }

  stats(): WalStats {
    return { ...this.counters, segments: this.segments.length };
  }

  /**
   * Replays records with seq > afterSeq in order, re-checking each checksum.
   * Call once, before the first append. A payload is a view that stays
   * valid after the callback returns. If afterSeq is past the last record,
   * the (fully checkpointed) segments are deleted and numbering continues
   * at afterSeq + 1.
   */
  async replay(afterSeq: number, onRecord: (record: WalRecord) => void | Promise<void>): Promise<ReplayResult> {
    if (this.appendedSinceOpen) throw new Error('wal: replay must be called before the first append');
    const oldest = this.segments[0];
    if (oldest !== undefined && oldest.firstSeq > afterSeq + 1) {
      this.log(
        `wal: records ${afterSeq + 1}..${oldest.firstSeq - 1} are missing: ` +
          `replay starts after ${afterSeq} but the oldest segment ${oldest.name} starts at ${oldest.firstSeq}`,
      );
    }
    let records = 0;
    let bytes = 0;
    const segments = this.segments.slice();
    for (let i = 0; i < segments.length; i++) {
      const next = segments[i + 1];
      if (next !== undefined && next.firstSeq - 1 <= afterSeq) continue;
      const segment = segments[i]!;
      const reader = await SegmentReader.open(join(this.dir, segment.name));
      try {
        let seq = segment.firstSeq;
        if (await reader.readHeader(seq)) {
          for (let record = await reader.next(seq); record !== undefined; record = await reader.next(++seq)) {
            if (record.seq <= afterSeq) continue;
            const pending = onRecord(record);
            if (pending !== undefined) await pending;
            records++;
            bytes += record.payload.length;
          }
        }
        if (reader.problem !== undefined) {
          throw new WalCorruptError(
            `wal: ${reader.problem} in segment ${segment.name} at offset ${reader.offset} during replay (file changed since open)`,
          );
        }
      } finally {
        await reader.close();
      }
    }
    if (afterSeq > this.lastSeq) await this.restartAfter(afterSeq);
    return { records, bytes, truncatedBytes: this.recoveredTruncatedBytes };
  }

  /**
   * Frames the record into the pending group and returns its seq at once;
   * `durable` resolves when the group is fsynced and rejects if writing
   * fails. Throws OverloadedError when maxPendingBytes would be exceeded
   * (a single record is always accepted when nothing is pending). `payload`
   * is written from the caller's buffer, not a copy: leave it unchanged
   * until `durable` settles.
   */
  append(type: number, payload: Uint8Array): { seq: number; durable: Promise<void> } {
    if (this.failure !== undefined) throw this.failure;
    if (this.closing) throw new ClosedError('wal: closed');
    if (!Number.isInteger(type) || type < 1 || type > 255) {
      throw new RangeError(`wal: record type must be an integer 1..255, got ${type}`);
    }
    if (payload.length > MAX_RECORD_PAYLOAD_BYTES) {
      throw new TooLargeError(`wal: payload of ${payload.length} bytes exceeds the ${MAX_RECORD_PAYLOAD_BYTES}-byte record limit`);
    }
    const pending = this.pendingBytes;
    if (pending > 0 && pending + RECORD_HEADER_BYTES + payload.length > this.maxPendingBytes) {
      throw new OverloadedError(
        `wal: ${pending} bytes waiting for fsync, limit ${this.maxPendingBytes}`,
        OVERLOADED_RETRY_AFTER_SECONDS,
      );
    }
    const seq = this.nextSeq++;
    const group = (this.queued ??= new CommitGroup(seq));
    group.add(recordHeader(type, seq, payload), payload);
    this.appendedSinceOpen = true;
    this.counters.appends++;
    this.startWriter();
    return { seq, durable: group.durable };
  }

  /** Deletes whole segments whose records all have seq ≤ checkpointSeq, oldest first; never the active one. */
  truncateThrough(checkpointSeq: number): Promise<number> {
    const run = this.deleting.then(() => this.deleteCheckpointed(checkpointSeq));
    this.deleting = run.catch(() => undefined);
    return run;
  }

  /** Writes and fsyncs everything pending, then closes; later appends throw ClosedError. */
  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    while (this.writer !== undefined) await this.writer;
    await this.deleting;
    await this.active?.close();
    this.active = undefined;
  }

  private startWriter(): void {
    if (this.writer !== undefined) return;
    // Start on a microtask, so every append issued in this tick joins the first group.
    this.writer = Promise.resolve().then(() => this.writeLoop());
  }

  /** One group at a time: write it, fsync once, resolve every append in it. */
  private async writeLoop(): Promise<void> {
    try {
      while (this.queued !== undefined) {
        const group = this.queued;
        this.queued = undefined;
        this.inflightBytes = group.bytes;
        try {
          await this.writeGroup(group);
        } catch (error) {
          this.fail(error, group);
          return;
        }
        this.inflightBytes = 0;
        this.durableSeqValue = group.firstSeq + group.records - 1;
        group.resolve();
      }
    } finally {
      this.writer = undefined;
    }
  }

  private async writeGroup(group: CommitGroup): Promise<void> {
    const records = group.records;
    let i = 0;
    while (i < records) {
      let handle = this.active;
      if (handle === undefined || (this.activeBytes >= this.maxSegmentBytes && this.activeBytes > SEGMENT_HEADER_BYTES)) {
        handle = await this.rotate(group.firstSeq + i);
      }
      // Fill the segment up to maxSegmentBytes (at least one record), so a segment overshoots by one record at most.
      let end = i;
      let bytes = 0;
      do bytes += group.recordBytes(end++);
      while (end < records && this.activeBytes + bytes < this.maxSegmentBytes);
      await writeFully(handle, group.buffers(i, end), this.activeBytes);
      this.activeBytes += bytes;
      this.counters.bytesWritten += bytes;
      i = end;
    }
    await this.syncActive();
  }

  /** Seals the active segment (synced before the next one exists) and starts one at `firstSeq`. */
  private async rotate(firstSeq: number): Promise<FileHandle> {
    if (this.active !== undefined) {
      await this.syncActive();
      await this.active.close();
      this.active = undefined;
    }
    const handle = await createSegment(this.dir, firstSeq, this.fsyncEnabled);
    this.active = handle;
    this.activeBytes = SEGMENT_HEADER_BYTES;
    this.segments.push({ firstSeq, name: segmentName(firstSeq) });
    return handle;
  }

  private async syncActive(): Promise<void> {
    if (!this.fsyncEnabled || this.active === undefined) return;
    await this.active.datasync();
    this.counters.fsyncs++;
  }

  private fail(error: unknown, group: CommitGroup): void {
    const cause = error instanceof Error ? error : new Error(String(error));
    this.failure = new ClosedError(`wal: closed after a write failure: ${cause.message}`, { cause });
    this.log(this.failure.message);
    group.reject(this.failure);
    this.queued?.reject(this.failure);
    this.queued = undefined;
    this.inflightBytes = 0;
  }

  private async deleteCheckpointed(checkpointSeq: number): Promise<number> {
    let deleted = 0;
    while (this.segments.length > 1 && this.segments[1]!.firstSeq - 1 <= checkpointSeq) {
      await deleteSegment(this.dir, this.segments[0]!.name);
      this.segments.shift();
      deleted++;
    }
    if (deleted > 0 && this.fsyncEnabled) await syncDirectory(this.dir);
    return deleted;
  }

  /** The checkpoint is past every record: drop the segments and number on from afterSeq + 1. */
  private async restartAfter(afterSeq: number): Promise<void> {
    if (this.segments.length > 0) {
      this.log(
        `wal: checkpoint ${afterSeq} is past the last record ${this.lastSeq}; ` +
          `deleting ${this.segments.length} checkpointed segments, next seq ${afterSeq + 1}`,
      );
    }
    await this.active?.close();
    this.active = undefined;
    this.activeBytes = 0;
    for (const segment of this.segments) await deleteSegment(this.dir, segment.name);
    if (this.segments.length > 0 && this.fsyncEnabled) await syncDirectory(this.dir);
    this.segments = [];
    this.nextSeq = afterSeq + 1;
    this.durableSeqValue = afterSeq;
  }
}

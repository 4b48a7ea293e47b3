// Sequential, validating reader of one segment file. Reads in large chunks;
// a returned payload is a view into a chunk that is never reused, so it stays
// valid after the reader moves on.

import { open, type FileHandle } from 'node:fs/promises';
import {
  MAX_RECORD_PAYLOAD_BYTES,
  RECORD_HEADER_BYTES,
  SEGMENT_HEADER_BYTES,
  checkRecord,
  checkSegmentHeader,
  readPayloadLength,
  recordType,
} from './format.js';

const READ_CHUNK_BYTES = 4 * 1024 * 1024;

export interface WalRecord {
  seq: number;
  type: number;
  payload: Uint8Array;
}

export class SegmentReader {
  /** Why reading stopped early; undefined while every record so far was valid. */
  problem: string | undefined;

  private buf = Buffer.alloc(0);
  /** File offset of buf[0]. */
  private bufOffset = 0;
  private start = 0;
  private end = 0;

  private constructor(
    private readonly handle: FileHandle,
    /** File size when opened; bytes appended later are not read. */
    readonly fileBytes: number,
  ) {}

  static async open(path: string): Promise<SegmentReader> {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      return new SegmentReader(handle, size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** File offset of the next unread byte: the end of the last valid record. */
  get offset(): number {
    return this.bufOffset + this.start;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  /** Reads and checks the header; false (with `problem` set) when it is bad. */
  async readHeader(expectedFirstSeq: number): Promise<boolean> {
    const available = Math.min(SEGMENT_HEADER_BYTES, this.fileBytes);
    await this.ensure(available);
    const header = this.buf.subarray(this.start, this.start + available);
    this.problem = checkSegmentHeader(header, expectedFirstSeq);
    if (this.problem !== undefined) return false;
    this.start += SEGMENT_HEADER_BYTES;
    return true;
  }

  /**
   * The next record, or undefined at the end of the file or at the first
   * invalid record (then `problem` says why and `offset` points at it).
   */
  async next(expectedSeq: number): Promise<WalRecord | undefined> {
    if (this.problem !== undefined || this.offset >= this.fileBytes) return undefined;
    // Check the buffer first: awaiting ensure() for every record costs more than parsing it.
    if (this.end - this.start < RECORD_HEADER_BYTES && !(await this.ensure(RECORD_HEADER_BYTES))) {
      this.problem = `truncated record header (${this.fileBytes - this.offset} bytes left)`;
      return undefined;
    }
    const payloadBytes = readPayloadLength(this.buf, this.start);
    if (payloadBytes > MAX_RECORD_PAYLOAD_BYTES) {
      this.problem = `payload length ${payloadBytes} over the ${MAX_RECORD_PAYLOAD_BYTES}-byte limit`;
      return undefined;
    }
    const recordBytes = RECORD_HEADER_BYTES + payloadBytes;
    if (this.end - this.start < recordBytes && !(await this.ensure(recordBytes))) {
      this.problem = `record of ${recordBytes} bytes runs past the end of the file`;
      return undefined;
    }
    const record = this.buf.subarray(this.start, this.start + recordBytes);
    this.problem = checkRecord(record, expectedSeq);
    if (this.problem !== undefined) return undefined;
    this.start += recordBytes;
    const payload = new Uint8Array(record.buffer, record.byteOffset + RECORD_HEADER_BYTES, payloadBytes);
    return { seq: expectedSeq, type: recordType(record), payload };
  }

  /** Makes `bytes` unread bytes available in buf; false if the file is shorter. */
  private async ensure(bytes: number): Promise<boolean> {
    const buffered = this.end - this.start;
    if (buffered >= bytes) return true;
    const unreadInFile = this.fileBytes - (this.bufOffset + this.end);
    if (buffered + unreadInFile < bytes) return false;
    // A fresh chunk each time (never overwrite one), so earlier payload views stay valid.
    const size = Math.min(Math.max(READ_CHUNK_BYTES, bytes), buffered + unreadInFile);
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, this.start, this.end);
    let filled = buffered;
    while (filled < size) {
      const { bytesRead } = await this.handle.read(next, filled, size - filled, this.bufOffset + this.end + (filled - buffered));
      if (bytesRead === 0) break; // the file shrank under us
      filled += bytesRead;
    }
    this.bufOffset += this.start;
    this.buf = next;
    this.start = 0;
    this.end = filled;
    return filled >= bytes;
  }
}

// Byte layout of WAL segments and records. The diagrams and the rules are in
// docs/format/wal.md; this file is the only place that knows the offsets.
//
// Segment header (16 bytes):
//   0  magic      6 bytes  "MQWAL1"
//   6  version    u16      1
//   8  first seq  u64      seq of the segment's first record (= file name)
//
// Record (17-byte header + payload):
//   0  len        u32      payload bytes, ≤ MAX_RECORD_PAYLOAD_BYTES
//   4  crc        u32      crc32 over bytes [0,4) then [8, 17+len)
//   8  type       u8       1..255 (0 reserved: zero-filled space never parses)
//   9  seq        u64      previous record's seq + 1
//   17 payload    len bytes

import { crc32 } from './crc32.js';

export const SEGMENT_MAGIC = Buffer.from('MQWAL1', 'latin1');
export const SEGMENT_VERSION = 1;
export const SEGMENT_HEADER_BYTES = 16;
export const RECORD_HEADER_BYTES = 17;
export const MAX_RECORD_PAYLOAD_BYTES = 256 * 1024 * 1024;

const TWO_POW_32 = 0x1_0000_0000;
/** High half of a u64 above this would not fit a safe JS integer (2^53). */
const MAX_SAFE_HIGH_WORD = 0x1f_ffff;

/** Writes a u64 from a safe integer without going through BigInt. */
function writeU64(buf: Buffer, value: number, offset: number): void {
  buf.writeUInt32LE(value % TWO_POW_32, offset);
  buf.writeUInt32LE(Math.floor(value / TWO_POW_32), offset + 4);
}

/** Reads a u64; -1 when it is not a safe integer (never a valid seq). */
function readU64(buf: Uint8Array, offset: number): number {
  const view = buf as Buffer;
  const high = view.readUInt32LE(offset + 4);
  if (high > MAX_SAFE_HIGH_WORD) return -1;
  return high * TWO_POW_32 + view.readUInt32LE(offset);
}

export function encodeSegmentHeader(firstSeq: number): Buffer {
  const header = Buffer.alloc(SEGMENT_HEADER_BYTES);
  SEGMENT_MAGIC.copy(header, 0);
  header.writeUInt16LE(SEGMENT_VERSION, 6);
  writeU64(header, firstSeq, 8);
  return header;
}

/** Why a segment header is unusable, or undefined when it is good. */
export function checkSegmentHeader(header: Buffer, expectedFirstSeq: number): string | undefined {
  if (header.length < SEGMENT_HEADER_BYTES) return `segment header is ${header.length} bytes, expected ${SEGMENT_HEADER_BYTES}`;
  if (!header.subarray(0, 6).equals(SEGMENT_MAGIC)) return 'bad magic (not a marquetry WAL segment)';
  const version = header.readUInt16LE(6);
  if (version !== SEGMENT_VERSION) return `unsupported segment version ${version}`;
  const firstSeq = readU64(header, 8);
  if (firstSeq !== expectedFirstSeq) return `segment starts at seq ${firstSeq}, expected ${expectedFirstSeq}`;
  return undefined;
}

function recordChecksum(record: Uint8Array, payloadBytes: number): number {
  const lengthCrc = crc32(record.subarray(0, 4), 0);
  return crc32(record.subarray(8, RECORD_HEADER_BYTES + payloadBytes), lengthCrc);
}

/**
 * The 17-byte header of a record of `payload`, checksummed: written just
 * before the payload's own bytes (one writev), so a request body is not
 * copied into a frame of its own.
 */
export function recordHeader(type: number, seq: number, payload: Uint8Array): Buffer {
  const header = Buffer.allocUnsafe(RECORD_HEADER_BYTES);
  header.writeUInt32LE(payload.length, 0);
  header[8] = type;
  writeU64(header, seq, 9);
  const crc = crc32(header.subarray(8, RECORD_HEADER_BYTES), crc32(header.subarray(0, 4), 0));
  header.writeUInt32LE(crc32(payload, crc), 4);
  return header;
}

/** Header and payload in one buffer: the exact bytes of a record on disk. */
export function frameRecord(type: number, seq: number, payload: Uint8Array): Buffer {
  return Buffer.concat([recordHeader(type, seq, payload), payload]);
}

/** Payload length from a record header (first 4 bytes); not yet trusted. */
export function readPayloadLength(buf: Buffer, offset: number): number {
  return buf.readUInt32LE(offset);
}

/**
 * Why the whole record at `record` (header + payload, already bounds-checked)
 * is invalid, or undefined when it is good.
 */
export function checkRecord(record: Buffer, expectedSeq: number): string | undefined {
  const payloadBytes = record.length - RECORD_HEADER_BYTES;
  if (record.readUInt32LE(4) !== recordChecksum(record, payloadBytes)) return 'checksum mismatch';
  if (record[8] === 0) return 'record type 0';
  const seq = readU64(record, 9);
  if (seq !== expectedSeq) return `seq ${seq}, expected ${expectedSeq}`;
  return undefined;
}

export function recordType(record: Buffer): number {
  return record[8]!;
}

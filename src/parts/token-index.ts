// The token index of a log part: for each chunk of the part's rows — a range
// of TOKEN_CHUNK_ROWS consecutive rows, one Parquet row group of a flushed
// part — a bloom filter of the hashes of the words in its text fields
// (log-tokens.ts), with the chunk's time and service range. A full-text query
// tests its words against every chunk and reads only the rows of chunks that
// may hold them (`file_row_number BETWEEN first AND last`: DuckDB skips the
// other row groups). A merged part is its inputs one after another, so its
// index is theirs with the row numbers shifted. Byte layout:
// docs/format/token-index.md.

import { readFile, rename, writeFile } from 'node:fs/promises';
import { crc32 } from '../wal/crc32.js';

const MAGIC = 'MQTOKIX2';
/** Rows per chunk: about one Parquet row group of a log part. */
export const TOKEN_CHUNK_ROWS = 16_384;
const BITS_PER_TOKEN = 10; // ≈ 1 % false positives with 7 probes
const PROBES = 7;
const MIN_BITS = 256;

export interface TokenChunk {
  /** the chunk's rows are [firstRow, firstRow + rows) of its file */
  firstRow: number;
  rows: number;
  minTimeNs: bigint;
  maxTimeNs: bigint;
  /** smallest and largest service name of its rows (UTF-8 byte order) */
  minService: string;
  maxService: string;
  bitCount: number;
  bits: Uint8Array;
}

/** Second probe step from the first hash (murmur3's finaliser), odd so probes cycle through every bit. */
function step(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h | 1) >>> 0;
}

/** A chunk's bloom over `hashes` (repeats allowed). */
export function buildChunkBloom(hashes: Uint32Array, distinctEstimate: number): { bitCount: number; bits: Uint8Array } {
  const bitCount = Math.max(MIN_BITS, Math.ceil((distinctEstimate * BITS_PER_TOKEN) / 8) * 8);
  const bits = new Uint8Array(bitCount / 8);
  for (let i = 0; i < hashes.length; i++) {
    const h1 = hashes[i]!;
    const h2 = step(h1);
    let b = h1 % bitCount;
    const s = h2 % bitCount;
    for (let k = 0; k < PROBES; k++) {
      bits[b >>> 3]! |= 1 << (b & 7);
      b += s;
      if (b >= bitCount) b -= bitCount;
    }
  }
  return { bitCount, bits };
}

/** Open addressing over a power-of-two table, reused from chunk to chunk; 0 marks a free slot. */
let distinctTable = new Uint32Array(1 << 16);

/**
 * The distinct values of `hashes`, in no particular order: what a chunk's
 * bloom is sized by and built from. A chunk holds ~250 k words of which
 * ~1 in 8 is new: setting the bloom's 7 bits once per distinct word instead
 * of once per word gives the same bits for an eighth of the (cache-missing)
 * stores, and a Set<number> cost more than the rest of building the index.
 */
export function distinctHashes(hashes: Uint32Array): Uint32Array {
  let size = distinctTable.length;
  while (size < hashes.length * 2) size *= 2;
  if (size !== distinctTable.length) distinctTable = new Uint32Array(size);
  const table = distinctTable;
  table.fill(0);
  const mask = size - 1;
  const out = new Uint32Array(hashes.length);
  let distinct = 0;
  let zero = false;
  for (let i = 0; i < hashes.length; i++) {
    const h = hashes[i]!;
    if (h === 0) {
      if (!zero) out[distinct++] = 0;
      zero = true;
      continue;
    }
    // FNV hashes are well mixed in their low bits already; the multiply spreads near-equal ones
    let slot = Math.imul(h, 0x9e3779b1) & mask;
    for (;;) {
      const at = table[slot]!;
      if (at === h) break;
      if (at === 0) {
        table[slot] = h;
        out[distinct++] = h;
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  return out.subarray(0, distinct);
}

export function chunkMayContain(chunk: TokenChunk, hash: number): boolean {
  const n = chunk.bitCount;
  let b = hash % n;
  const s = step(hash) % n;
  for (let k = 0; k < PROBES; k++) {
    if ((chunk.bits[b >>> 3]! & (1 << (b & 7))) === 0) return false;
    b += s;
    if (b >= n) b -= n;
  }
  return true;
}

// File: "MQTOKIX2" | u32 chunk count | chunks | u32 CRC-32 of everything before it.
// Chunk: u32 first row | u32 rows | i64 min time | i64 max time |
//        u16 length + min service (UTF-8) | u16 length + max service |
//        u32 bit count | bits (bit count / 8 bytes)
const CHUNK_FIXED_BYTES = 4 + 4 + 8 + 8 + 2 + 2 + 4;

function utf8Of(service: string): Buffer {
  const b = Buffer.from(service, 'utf8');
  if (b.length > 0xffff) throw new Error(`token-index: service name of ${b.length} bytes is too long`);
  return b;
}

export function encodeTokenIndex(chunks: readonly TokenChunk[]): Uint8Array {
  const names = chunks.map((c) => [utf8Of(c.minService), utf8Of(c.maxService)] as const);
  let size = 8 + 4 + 4;
  chunks.forEach((c, i) => (size += CHUNK_FIXED_BYTES + names[i]![0].length + names[i]![1].length + c.bits.length));
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(Buffer.from(MAGIC, 'latin1'), 0);
  view.setUint32(8, chunks.length, true);
  let p = 12;
  chunks.forEach((c, i) => {
    view.setUint32(p, c.firstRow, true);
    view.setUint32(p + 4, c.rows, true);
    view.setBigInt64(p + 8, c.minTimeNs, true);
    view.setBigInt64(p + 16, c.maxTimeNs, true);
    p += 24;
    for (const name of names[i]!) {
      view.setUint16(p, name.length, true);
      out.set(name, p + 2);
      p += 2 + name.length;
    }
    view.setUint32(p, c.bitCount, true);
    out.set(c.bits, p + 4);
    p += 4 + c.bits.length;
  });
  view.setUint32(p, crc32(out.subarray(0, p), 0), true);
  return out;
}

export function decodeTokenIndex(bytes: Uint8Array, label = 'token index'): TokenChunk[] {
  const fail = (why: string): never => {
    throw new Error(`token-index: ${label}: ${why}`);
  };
  if (bytes.length < 16 || Buffer.from(bytes.subarray(0, 8)).toString('latin1') !== MAGIC) fail('not a marquetry token index (version 2)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length - 4;
  if (view.getUint32(end, true) !== crc32(bytes.subarray(0, end), 0)) fail('checksum mismatch');
  const count = view.getUint32(8, true);
  const chunks: TokenChunk[] = [];
  let p = 12;
  const need = (n: number, i: number): void => {
    if (p + n > end) fail(`truncated at chunk ${i}`);
  };
  const name = (i: number): string => {
    need(2, i);
    const length = view.getUint16(p, true);
    need(2 + length, i);
    const s = Buffer.from(bytes.subarray(p + 2, p + 2 + length)).toString('utf8');
    p += 2 + length;
    return s;
  };
  for (let i = 0; i < count; i++) {
    need(24, i);
    const firstRow = view.getUint32(p, true);
    const rows = view.getUint32(p + 4, true);
    const minTimeNs = view.getBigInt64(p + 8, true);
    const maxTimeNs = view.getBigInt64(p + 16, true);
    p += 24;
    const minService = name(i);
    const maxService = name(i);
    need(4, i);
    const bitCount = view.getUint32(p, true);
    if (bitCount % 8 !== 0 || p + 4 + bitCount / 8 > end) fail(`bad bit count ${bitCount} at chunk ${i}`);
    chunks.push({ firstRow, rows, minTimeNs, maxTimeNs, minService, maxService, bitCount, bits: bytes.slice(p + 4, p + 4 + bitCount / 8) });
    p += 4 + bitCount / 8;
  }
  if (p !== end) fail(`${end - p} bytes after the last chunk`);
  return chunks;
}

export async function writeTokenIndex(path: string, chunks: readonly TokenChunk[]): Promise<void> {
  await writeFile(`${path}.tmp`, encodeTokenIndex(chunks), { flush: true });
  await rename(`${path}.tmp`, path);
}

export async function readTokenIndex(path: string): Promise<TokenChunk[]> {
  return decodeTokenIndex(await readFile(path), path);
}

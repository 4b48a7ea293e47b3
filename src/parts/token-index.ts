// The token index of a log part: for each chunk of the part's rows — one
// service, a time range, up to TOKEN_CHUNK_ROWS rows — a bloom filter of the
// hashes of the words in its text fields (log-tokens.ts). A full-text query
// tests its words against every chunk and reads only the rows of chunks that
// may hold them (`service_name = s AND time BETWEEN min AND max`, which the
// part's sort order turns into a few row groups). Chunks are keyed by content
// (service, time), not by row position, so a merged part's index is the
// concatenation of its inputs' indexes. Byte layout: docs/format/token-index.md.

import { readFile, rename, writeFile } from 'node:fs/promises';
import { crc32 } from '../wal/crc32.js';

const MAGIC = 'MQTOKIX1';
/** Rows per chunk: about one Parquet row group of a log part. */
export const TOKEN_CHUNK_ROWS = 16_384;
const BITS_PER_TOKEN = 10; // ≈ 1 % false positives with 7 probes
const PROBES = 7;
const MIN_BITS = 256;

export interface TokenChunk {
  service: string;
  minTimeNs: bigint;
  maxTimeNs: bigint;
  rows: number;
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

// File: "MQTOKIX1" | u32 chunk count | chunks | u32 CRC-32 of everything before it.
// Chunk: u16 service length | service (UTF-8) | i64 min time | i64 max time |
//        u32 rows | u32 bit count | bits (bit count / 8 bytes)
export function encodeTokenIndex(chunks: readonly TokenChunk[]): Uint8Array {
  const services = chunks.map((c) => Buffer.from(c.service, 'utf8'));
  let size = 8 + 4 + 4;
  chunks.forEach((c, i) => (size += 2 + services[i]!.length + 8 + 8 + 4 + 4 + c.bits.length));
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(Buffer.from(MAGIC, 'latin1'), 0);
  view.setUint32(8, chunks.length, true);
  let p = 12;
  chunks.forEach((c, i) => {
    const s = services[i]!;
    if (s.length > 0xffff) throw new Error(`token-index: service name of ${s.length} bytes is too long`);
    view.setUint16(p, s.length, true);
    out.set(s, p + 2);
    p += 2 + s.length;
    view.setBigInt64(p, c.minTimeNs, true);
    view.setBigInt64(p + 8, c.maxTimeNs, true);
    view.setUint32(p + 16, c.rows, true);
    view.setUint32(p + 20, c.bitCount, true);
    out.set(c.bits, p + 24);
    p += 24 + c.bits.length;
  });
  view.setUint32(p, crc32(out.subarray(0, p), 0), true);
  return out;
}

export function decodeTokenIndex(bytes: Uint8Array, label = 'token index'): TokenChunk[] {
  const fail = (why: string): never => {
    throw new Error(`token-index: ${label}: ${why}`);
  };
  if (bytes.length < 16 || Buffer.from(bytes.subarray(0, 8)).toString('latin1') !== MAGIC) fail('not a marquetry token index');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length - 4;
  if (view.getUint32(end, true) !== crc32(bytes.subarray(0, end), 0)) fail('checksum mismatch');
  const count = view.getUint32(8, true);
  const chunks: TokenChunk[] = [];
  let p = 12;
  for (let i = 0; i < count; i++) {
    if (p + 2 > end) fail(`truncated at chunk ${i}`);
    const serviceLength = view.getUint16(p, true);
    if (p + 2 + serviceLength + 24 > end) fail(`truncated at chunk ${i}`);
    const service = Buffer.from(bytes.subarray(p + 2, p + 2 + serviceLength)).toString('utf8');
    p += 2 + serviceLength;
    const bitCount = view.getUint32(p + 20, true);
    if (bitCount % 8 !== 0 || p + 24 + bitCount / 8 > end) fail(`bad bit count ${bitCount} at chunk ${i}`);
    chunks.push({
      service,
      minTimeNs: view.getBigInt64(p, true),
      maxTimeNs: view.getBigInt64(p + 8, true),
      rows: view.getUint32(p + 16, true),
      bitCount,
      bits: bytes.slice(p + 24, p + 24 + bitCount / 8),
    });
    p += 24 + bitCount / 8;
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

// The token index of a log part: for each chunk of the part's rows — a range
// of TOKEN_CHUNK_ROWS consecutive rows, one Parquet row group of a flushed
// part — its time and service range and which words its text fields hold
// (log-tokens.ts): small numbers in an exact set (number-set.ts), every other word as the pair
// (word, chunk) in a binary fuse filter shared by the part's chunks
// (fuse-filter.ts). A full-text query
// tests its words against every chunk and reads only the rows of chunks that
// may hold them (`file_row_number BETWEEN first AND last`: DuckDB skips the
// other row groups). A merged part is its inputs one after another, so its
// index is theirs with the row numbers shifted. Byte layout:
// docs/format/token-index.md.

import { readFile, rename, writeFile } from 'node:fs/promises';
import { crc32 } from '../wal/crc32.js';
import { buildFuseFilter, fuseFingerprintBytes, fuseMayContain, type FuseFilter } from './fuse-filter.js';
import { SMALL_NUMBER_KEYS } from './log-tokens.js';
import { BLOCK_HEADER_BITS, NUMBER_BLOCK, blockCoding, blockEnd, numberSetBytes, numberSetHas, numberSetOf, numberSetOfBitmap, readNumberSet, writeNumberSet, type NumberSet } from './number-set.js';

const MAGIC = 'MQTOKIX4';
/** Session 9-12's files: each chunk's small numbers one bitmap; read as written. */
const MAGIC_V3 = 'MQTOKIX3';
/** A part's token index is `<part id>.tokens` beside it. */
export const TOKEN_INDEX_SUFFIX = '.tokens';
/**
 * Rows per chunk: one Parquet row group of a flushed log part. 64 Ki since
 * session 13 (32 Ki in session 12, 16 Ki before: such parts' chunks read as
 * written): the part 0.15 B/record and the index 0.10 smaller than at 32 Ki,
 * for a candidate chunk's test and the fetch of its rows ~2 × the CPU
 * (docs/storage.md, "Session 12" and "Session 13").
 */
export const TOKEN_CHUNK_ROWS = 65_536;
/**
 * ≈ 3.1 % false positives (1 in 2^5) at ~5.4 bits per (word, chunk) pair in a
 * part's filter, since session 13; sessions 10-12 wrote 6 (1.6 %), session 9
 * 7 (0.8 %), read as written (the width is in each filter's header). Only
 * words that are not small numbers are in the filter (request ids, long
 * numbers, hex ids, words of letters); a false positive costs a search one
 * chunk tested from its pages (~1.3 ms for a request id), the bit 0.08 B a
 * record (docs/storage.md, "Session 13").
 */
const FINGERPRINT_BITS = 5;
/** what a key costs in the filter: fingerprint bits × the filter's size factor for a part's pairs */
const FILTER_SIZE_FACTOR = 1.075;

export interface TokenChunk {
  /** the chunk's rows are [firstRow, firstRow + rows) of its file */
  firstRow: number;
  rows: number;
  minTimeNs: bigint;
  maxTimeNs: bigint;
  /** smallest and largest service name of its rows (UTF-8 byte order) */
  minService: string;
  maxService: string;
  /** the numbers below this (a multiple of 8) that are words of the chunk are in `numbers`, exactly */
  numbersBelow: number;
  numbers: NumberSet;
  /** every other word of the chunk is the pair (word key, slot) in this filter, shared by the chunks built together */
  filter: FuseFilter;
  slot: number;
}

/** What a chunk's words make: its exact set of small numbers, and the keys left for the filter. */
interface ChunkWords {
  numbersBelow: number;
  numbers: NumberSet;
  filtered: Uint32Array;
}

/**
 * Splits a chunk's distinct word keys (log-tokens.ts: small numbers are
 * their own value) into an exact set of the numbers below some bound and
 * the rest. Small numbers — durations, counts, ports, sizes, ids below
 * 2^20 — are dense in a chunk of logs (~98 % of 0-4095 in 32 Ki rows of the
 * bench's, ~22 % of 4096-65535, ~16 % of the user ids to 100,000): each
 * costs fewer bits in a block of the set (a bitmap or Rice-coded gaps,
 * numberSetOf) than ~6.5 in the filter, and is never a false positive. The
 * bound is the multiple of NUMBER_BLOCK that saves the most bits, counting
 * each block as coded.
 */
function chunkWords(distinct: Uint32Array, bitsPerFilteredKey: number): ChunkWords {
  let smallCount = 0;
  for (let i = 0; i < distinct.length; i++) if (distinct[i]! < SMALL_NUMBER_KEYS) smallCount++;
  const small = new Uint32Array(smallCount);
  let s = 0;
  for (let i = 0; i < distinct.length; i++) if (distinct[i]! < SMALL_NUMBER_KEYS) small[s++] = distinct[i]!;
  small.sort();
  // the bound: blocks [0, best) exact, the numbers above it in the filter
  let bestBlocks = 0;
  let saved = 0;
  let bestSaved = 0;
  let at = 0;
  const blocks = small.length === 0 ? 0 : Math.floor(small[small.length - 1]! / NUMBER_BLOCK) + 1;
  for (let b = 0; b < blocks; b++) {
    const end = blockEnd(small, at, (b + 1) * NUMBER_BLOCK);
    const exact = blockCoding(small, at, end, b * NUMBER_BLOCK, NUMBER_BLOCK).bits + BLOCK_HEADER_BITS;
    saved += (end - at) * bitsPerFilteredKey - exact;
    if (saved > bestSaved) {
      bestSaved = saved;
      bestBlocks = b + 1;
    }
    at = end;
  }
  const numbersBelow = bestBlocks * NUMBER_BLOCK;
  const exactCount = blockEnd(small, 0, numbersBelow);
  const filtered = new Uint32Array(distinct.length - exactCount);
  let p = 0;
  for (let i = 0; i < distinct.length; i++) if (distinct[i]! >= numbersBelow) filtered[p++] = distinct[i]!;
  return { numbersBelow, numbers: numberSetOf(small.subarray(0, exactCount), numbersBelow), filtered };
}

/** Where a chunk's rows are and what it spans: a TokenChunk without its words. */
export type ChunkPlace = Omit<TokenChunk, 'numbersBelow' | 'numbers' | 'filter' | 'slot'>;

/**
 * The chunks of `places` with their words: `distinctKeysOf(i)` gives chunk
 * i's distinct word keys (distinctHashes). One filter holds the words of all
 * of them, each as (key, chunk number).
 */
export function buildTokenChunks(places: readonly ChunkPlace[], distinctKeysOf: (chunk: number) => Uint32Array, fingerprintBits = FINGERPRINT_BITS): TokenChunk[] {
  const words = places.map((_, i) => chunkWords(distinctKeysOf(i), fingerprintBits * FILTER_SIZE_FACTOR));
  let total = 0;
  for (const w of words) total += w.filtered.length;
  const keys = new Uint32Array(total);
  const slots = new Uint32Array(total);
  let p = 0;
  words.forEach((w, i) => {
    keys.set(w.filtered, p);
    slots.fill(i, p, p + w.filtered.length);
    p += w.filtered.length;
  });
  const filter = buildFuseFilter(keys, slots, fingerprintBits);
  return places.map((place, i) => ({ ...place, numbersBelow: words[i]!.numbersBelow, numbers: words[i]!.numbers, filter, slot: i }));
}

/** Open addressing over a power-of-two table, reused from chunk to chunk (a prefix of it per chunk); 0 marks a free slot. */
let distinctTable = new Uint32Array(1 << 16);
/** The table's first size for a chunk: it doubles as distinct words fill half of it. */
const FIRST_DISTINCT_SLOTS = 1 << 16;

/**
 * The distinct values of `hashes`, in order of first sight: what a chunk's
 * bitmap and filter are built from (the filter needs each pair once). A
 * chunk holds ~250 k words of which ~1 in 10 is new; a Set<number> cost more
 * than the rest of building the index. The table is sized by the distinct
 * words seen, not by the words: one sized for every word of a 64 Ki-row
 * chunk (4 MiB) missed the core's cache on most look-ups.
 */
export function distinctHashes(hashes: Uint32Array): Uint32Array {
  const out = new Uint32Array(hashes.length);
  return out.slice(0, collectDistinct(hashes, out));
}

/**
 * distinctHashes() into `out`; returns how many. The loop is a function of
 * its own with nothing after it (docs/storage.md, session 11).
 */
function collectDistinct(hashes: Uint32Array, out: Uint32Array): number {
  let table = clearedTable(FIRST_DISTINCT_SLOTS);
  let mask = table.length - 1;
  let distinct = 0;
  let zero = 0;
  for (let i = 0; i < hashes.length; i++) {
    const h = hashes[i]!;
    if (h === 0) {
      // 0 marks a free slot: the word of key 0 is counted apart
      if (zero === 0) out[distinct++] = 0;
      zero = 1;
      continue;
    }
    let slot = firstSlot(h, mask);
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
    if ((distinct - zero) * 2 > table.length) {
      table = refilledTable(out, distinct, table.length * 2);
      mask = table.length - 1;
    }
  }
  return distinct;
}

/** Where key `h` is looked for first. FNV hashes are well mixed in their low bits already; the multiply spreads near-equal ones (and numbers, their own keys). */
function firstSlot(h: number, mask: number): number {
  return Math.imul(h, 0x9e3779b1) & mask;
}

/** The first `slots` of the reused table, zeroed. */
function clearedTable(slots: number): Uint32Array {
  if (distinctTable.length < slots) distinctTable = new Uint32Array(slots);
  const table = distinctTable.subarray(0, slots);
  table.fill(0);
  return table;
}

/** A table of `slots` holding the keys out[0, count) (0 left out). */
function refilledTable(out: Uint32Array, count: number, slots: number): Uint32Array {
  const table = clearedTable(slots);
  const mask = slots - 1;
  for (let k = 0; k < count; k++) {
    const h = out[k]!;
    if (h === 0) continue;
    let slot = firstSlot(h, mask);
    while (table[slot] !== 0) slot = (slot + 1) & mask;
    table[slot] = h;
  }
  return table;
}

/** Whether the chunk may hold the word of key `key` (wordKey, log-tokens.ts): numbers of its exact set exactly, others by its filter. */
export function chunkMayContain(chunk: TokenChunk, key: number): boolean {
  if (key < chunk.numbersBelow) return numberSetHas(chunk.numbers, key);
  return fuseMayContain(chunk.filter, key, chunk.slot);
}

// File: "MQTOKIX4" | u32 filter count | filters | u32 chunk count | chunks | u32 CRC-32 of everything before it.
// Filter: u32 seed | u32 segment length | u32 segment count | u8 fingerprint bits | u32 byte count | fingerprints
// Chunk: u32 first row | u32 rows | i64 min time | i64 max time |
//        u16 length + min service (UTF-8) | u16 length + max service |
//        u32 filter | u32 slot | u32 numbers below | number blocks (number-set.ts)
// Version 3 ("MQTOKIX3", read only): the same, but a bitmap (numbers below / 8 bytes) for the number blocks.
const FILTER_FIXED_BYTES = 4 + 4 + 4 + 1 + 4;
const CHUNK_FIXED_BYTES = 4 + 4 + 8 + 8 + 2 + 2 + 4 + 4 + 4;

function utf8Of(service: string): Buffer {
  const b = Buffer.from(service, 'utf8');
  if (b.length > 0xffff) throw new Error(`token-index: service name of ${b.length} bytes is too long`);
  return b;
}

/** Encodes chunks; the filters they refer to are written once each (a merged part's chunks share their input's). */
export function encodeTokenIndex(chunks: readonly TokenChunk[]): Uint8Array {
  const filterIndex = new Map<FuseFilter, number>();
  for (const c of chunks) if (!filterIndex.has(c.filter)) filterIndex.set(c.filter, filterIndex.size);
  const filters = [...filterIndex.keys()];
  const names = chunks.map((c) => [utf8Of(c.minService), utf8Of(c.maxService)] as const);
  let size = 8 + 4 + 4 + 4;
  for (const f of filters) size += FILTER_FIXED_BYTES + f.fingerprints.length;
  chunks.forEach((c, i) => (size += CHUNK_FIXED_BYTES + names[i]![0].length + names[i]![1].length + numberSetBytes(c.numbers)));
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(Buffer.from(MAGIC, 'latin1'), 0);
  view.setUint32(8, filters.length, true);
  let p = 12;
  for (const f of filters) {
    view.setUint32(p, f.seed, true);
    view.setUint32(p + 4, f.segmentLength, true);
    view.setUint32(p + 8, f.segmentCount, true);
    view.setUint8(p + 12, f.fingerprintBits);
    view.setUint32(p + 13, f.fingerprints.length, true);
    out.set(f.fingerprints, p + 17);
    p += FILTER_FIXED_BYTES + f.fingerprints.length;
  }
  view.setUint32(p, chunks.length, true);
  p += 4;
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
    view.setUint32(p, filterIndex.get(c.filter)!, true);
    view.setUint32(p + 4, c.slot, true);
    view.setUint32(p + 8, c.numbersBelow, true);
    p = writeNumberSet(c.numbers, out, view, p + 12);
  });
  view.setUint32(p, crc32(out.subarray(0, p), 0), true);
  return out;
}

export function decodeTokenIndex(bytes: Uint8Array, label = 'token index'): TokenChunk[] {
  const fail = (why: string): never => {
    throw new Error(`token-index: ${label}: ${why}`);
  };
  const magic = bytes.length < 20 ? '' : Buffer.from(bytes.subarray(0, 8)).toString('latin1');
  if (magic !== MAGIC && magic !== MAGIC_V3) fail('not a marquetry token index (version 3 or 4)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length - 4;
  if (view.getUint32(end, true) !== crc32(bytes.subarray(0, end), 0)) fail('checksum mismatch');
  let p = 8;
  const need = (n: number, what: string): void => {
    if (p + n > end) fail(`truncated at ${what}`);
  };
  need(4, 'the filter count');
  const filterCount = view.getUint32(p, true);
  p += 4;
  const filters: FuseFilter[] = [];
  for (let i = 0; i < filterCount; i++) {
    need(FILTER_FIXED_BYTES, `filter ${i}`);
    const seed = view.getUint32(p, true);
    const segmentLength = view.getUint32(p + 4, true);
    const segmentCount = view.getUint32(p + 8, true);
    const fingerprintBits = view.getUint8(p + 12);
    const length = view.getUint32(p + 13, true);
    p += FILTER_FIXED_BYTES;
    const geometryOk = segmentLength >= 1 && segmentLength <= 65536 && (segmentLength & (segmentLength - 1)) === 0 && segmentCount >= 1 && fingerprintBits >= 1 && fingerprintBits <= 8;
    if (!geometryOk || length !== fuseFingerprintBytes({ segmentLength, segmentCount, fingerprintBits })) fail(`bad geometry of filter ${i}`);
    need(length, `filter ${i}`);
    filters.push({ seed, segmentLength, segmentCount, fingerprintBits, fingerprints: bytes.slice(p, p + length) });
    p += length;
  }
  need(4, 'the chunk count');
  const count = view.getUint32(p, true);
  p += 4;
  const chunks: TokenChunk[] = [];
  const name = (i: number): string => {
    need(2, `chunk ${i}`);
    const length = view.getUint16(p, true);
    need(2 + length, `chunk ${i}`);
    const s = Buffer.from(bytes.subarray(p + 2, p + 2 + length)).toString('utf8');
    p += 2 + length;
    return s;
  };
  for (let i = 0; i < count; i++) {
    need(24, `chunk ${i}`);
    const firstRow = view.getUint32(p, true);
    const rows = view.getUint32(p + 4, true);
    const minTimeNs = view.getBigInt64(p + 8, true);
    const maxTimeNs = view.getBigInt64(p + 16, true);
    p += 24;
    const minService = name(i);
    const maxService = name(i);
    need(12, `chunk ${i}`);
    const filter = filters[view.getUint32(p, true)] ?? fail(`chunk ${i} refers to a missing filter`);
    const slot = view.getUint32(p + 4, true);
    const numbersBelow = view.getUint32(p + 8, true);
    p += 12;
    if (numbersBelow % 8 !== 0 || numbersBelow > SMALL_NUMBER_KEYS) fail(`bad number bound ${numbersBelow} at chunk ${i}`);
    let numbers: NumberSet;
    if (magic === MAGIC_V3) {
      need(numbersBelow / 8, `chunk ${i}`);
      numbers = numberSetOfBitmap(bytes.slice(p, p + numbersBelow / 8), numbersBelow);
      p += numbersBelow / 8;
    } else {
      const read = readNumberSet(bytes, view, p, end, numbersBelow, (why) => fail(`${why} of chunk ${i}`));
      numbers = read.set;
      p = read.next;
    }
    chunks.push({ firstRow, rows, minTimeNs, maxTimeNs, minService, maxService, numbersBelow, numbers, filter, slot });
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

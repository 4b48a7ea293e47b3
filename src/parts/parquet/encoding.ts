// Value encodings: PLAIN for fixed-width values and booleans, and the
// RLE/bit-packed hybrid used for definition levels and dictionary indices.
// Typed arrays are read in the platform's byte order, which must be
// little-endian like Parquet (checked once in writer.ts).

import { Scratch } from './scratch.js';

/** Bit widths above this would overflow the 32-bit packing accumulator. */
export const MAX_HYBRID_BIT_WIDTH = 24;

/** A run this long, starting at a group boundary, ends a bit-packed run. */
const RUN_TO_LEAVE_PACKING = 16;
/** A run this long where packing would start becomes an RLE run. */
const MIN_RLE_RUN = 8;

/** Fewest bits holding `maxValue`, at least 1 (some readers mishandle width 0). */
export function bitWidthFor(maxValue: number): number {
  return maxValue <= 1 ? 1 : 32 - Math.clz32(maxValue);
}

/** Upper bound of encodeHybrid's output for `count` values. */
export function hybridMaxBytes(count: number, bitWidth: number): number {
  const groups = Math.ceil(count / 8);
  // every run but the last covers ≥ 8 values; each has a ≤ 5-byte header and
  // an RLE value of ≤ 3 bytes, and packed payloads total ≤ (groups + 1) × width
  return (Math.floor(count / 8) + 1) * 8 + (groups + 1) * bitWidth;
}

/**
 * RLE/bit-packed hybrid of values[start, end) (each < 2^bitWidth) into `out`
 * at `pos`; returns the position after the last byte. `out` must have
 * hybridMaxBytes(end - start, bitWidth) bytes free.
 *   RLE run:        varint(count << 1), value in ceil(bitWidth / 8) bytes LE
 *   bit-packed run: varint(groups << 1 | 1), groups × 8 values LSB first
 * Only the stream's last packed run may hold fewer than groups × 8 values.
 */
export function encodeHybrid(
  values: Uint8Array | Uint32Array,
  start: number,
  end: number,
  bitWidth: number,
  out: Uint8Array,
  pos: number,
  /** 'smaller': every run an RLE run where that takes fewer bytes (runsOnlyIsSmaller); 'never': packing as below; 'always': runs only */
  runsOnly: 'smaller' | 'never' | 'always' = 'smaller',
): number {
  if (bitWidth < 1 || bitWidth > MAX_HYBRID_BIT_WIDTH) {
    throw new Error(`parquet: hybrid bit width ${bitWidth} outside 1..${MAX_HYBRID_BIT_WIDTH}`);
  }
  const valueBytes = (bitWidth + 7) >>> 3;
  if (runsOnly === 'always') return encodeRuns(values, start, end, valueBytes, out, pos);
  if (runsOnly === 'smaller') {
    const runsEnd = encodeFewRuns(values, start, end, mostRunsOnly(start, end, bitWidth, valueBytes), valueBytes, out, pos);
    if (runsEnd >= 0) return runsEnd;
  }
  let i = start;
  while (i < end) {
    const run = repeatLength(values, i, end);
    if (run >= MIN_RLE_RUN) {
      pos = writeRleRun(out, pos, run, values[i]!, valueBytes);
      i += run;
      continue;
    }
    let packedEnd = i + 8;
    while (packedEnd < end && !runToLeavePackingAt(values, packedEnd, end)) packedEnd += 8;
    const groups = (packedEnd - i) >>> 3;
    pos = writeVarint(out, pos, groups * 2 + 1);
    pos = bitPack(values, i, Math.min(packedEnd, end), groups, bitWidth, out, pos);
    i = packedEnd;
  }
  return pos;
}

/**
 * The most runs values[start, end) may have for every run as an RLE run of
 * its own — one header byte and the value's bytes a run — to take fewer
 * bytes than bit-packing them: values in short runs (rows of one unit of
 * work next to each other in a log part, its host or service repeated 2-6
 * times) that MIN_RLE_RUN leaves bit-packed. 0: never.
 */
function mostRunsOnly(start: number, end: number, bitWidth: number, valueBytes: number): number {
  const packedBytes = ((end - start) * bitWidth) / 8;
  return start >= end ? 0 : Math.floor(packedBytes / (1 + valueBytes));
}

/**
 * encodeRuns() where values[start, end) are at most `mostRuns` runs, else -1
 * (what was written is left to be overwritten): one pass, where counting the
 * runs first read every value twice when runs won (a sparse column's indices,
 * a resource attribute's; docs/storage.md, session 15). The runs written
 * before giving up fit in hybridMaxBytes(): at most the packed bytes in
 * headers and values, and a longer header only for a run of 64 values or more.
 */
function encodeFewRuns(values: Uint8Array | Uint32Array, start: number, end: number, mostRuns: number, valueBytes: number, out: Uint8Array, pos: number): number {
  let runs = 0;
  for (let i = start; i < end; ) {
    if (++runs > mostRuns) return -1;
    const run = repeatLength(values, i, end);
    pos = writeRleRun(out, pos, run, values[i]!, valueBytes);
    i += run;
  }
  return runs === 0 ? -1 : pos;
}

/** Every run of values[start, end) as an RLE run. */
function encodeRuns(values: Uint8Array | Uint32Array, start: number, end: number, valueBytes: number, out: Uint8Array, pos: number): number {
  for (let i = start; i < end; ) {
    const run = repeatLength(values, i, end);
    pos = writeRleRun(out, pos, run, values[i]!, valueBytes);
    i += run;
  }
  return pos;
}

/** An RLE run: varint(count << 1), then the value in `valueBytes` bytes, little-endian. */
function writeRleRun(out: Uint8Array, pos: number, count: number, value: number, valueBytes: number): number {
  pos = writeVarint(out, pos, count * 2);
  for (let b = 0; b < valueBytes; b++) {
    out[pos++] = value & 0xff;
    value >>>= 8;
  }
  return pos;
}

/**
 * Definition levels of rows [start, end) (1 = present, 0 = null) as data
 * page v1 wants them: u32 byte length, then the hybrid at bit width 1. Works
 * on 8-row groups straight from the null mask: two or more whole groups that
 * are all present or all null become one RLE run, the rest is bit-packed.
 * `present`, when the caller knows it (the rows with a value): a page all
 * present or all null is one RLE run, without a look at the mask — most
 * pages of a part (every column OPTIONAL, ~130 mostly empty attribute
 * columns) are one or the other. `nulls` undefined: no row is null.
 * `packedOnly`: the rest is one bit-packed run, no RLE runs inside it — for
 * levels compressed in a zstd frame of their own (column-chunk.ts), where
 * zstd shrinks a stretch of equal bytes better than the run headers let it.
 */
export function encodeDefinitionLevels(nulls: Uint8Array | undefined, start: number, end: number, present = -1, packedOnly = false, scratch?: Scratch<Uint8Array>): Uint8Array {
  const count = end - start;
  if (count > 0 && (nulls === undefined || present === 0 || present === count)) return singleRunLevels(count, nulls !== undefined && present === 0 ? 0 : 1);
  const groupCount = (count + 7) >>> 3;
  // zeroed: groups skipped over a stretch of nulls stay 0
  const groups = levelGroups.take(groupCount).fill(0);
  // (no mask only when there are no rows)
  const mask = nulls ?? groups;
  // eight rows at a time through two 32-bit words where the mask lines up
  const words = (mask.byteOffset + start) % 4 === 0 ? maskWords(mask) : undefined;
  for (let g = 0, i = start; g < groupCount; g++) {
    if (words !== undefined && i + 8 <= end) {
      const w = (mask.byteOffset + i) >>> 2;
      const lo = words[w]!;
      const hi = words[w + 1]!;
      if (lo === 0 && hi === 0) {
        groups[g] = 0xff;
        i += 8;
        continue;
      }
      if (lo === ALL_ONES && hi === ALL_ONES) {
        i += 8;
        // a long stretch of nulls (most rows of a sparse attribute column): skip to the next value by a native scan
        if (i + 8 <= end && words[w + 2] === ALL_ONES && words[w + 3] === ALL_ONES) {
          const next = mask.indexOf(0, i + 8);
          const to = next < 0 || next >= end ? end : next;
          const skipped = (to - i) >>> 3;
          g += skipped;
          i += skipped * 8;
        }
        continue;
      }
      // a mix of 0 and 1 bytes (the usual marks): the group's byte from the words, not row by row
      if (((lo | hi) & NOT_LOW_BITS) === 0) {
        groups[g] = presentBits(lo) | (presentBits(hi) << 4);
        i += 8;
        continue;
      }
    }
    let byte = 0;
    for (let bit = 0; bit < 8 && i < end; bit++, i++) if (mask[i] === 0) byte |= 1 << bit;
    groups[g] = byte;
  }
  return levelsOfGroups(groups, count, packedOnly, scratch);
}

/**
 * encodeDefinitionLevels() of `count` rows of which those at `present`
 * (offsets from the first row, ascending) have a value: the same bytes,
 * from the rows with a value alone, not from a look at every row's mask
 * byte (a sparse column's chunk, column-chunk.ts).
 */
export function definitionLevelsOfPresentRows(present: Int32Array, count: number, packedOnly = false, scratch?: Scratch<Uint8Array>): Uint8Array {
  if (count > 0 && (present.length === 0 || present.length === count)) return singleRunLevels(count, present.length === 0 ? 0 : 1);
  const groups = levelGroups.take((count + 7) >>> 3).fill(0);
  setPresentBits(present, groups);
  return levelsOfGroups(groups, count, packedOnly, scratch);
}

function setPresentBits(present: Int32Array, groups: Uint8Array): void {
  for (let k = 0; k < present.length; k++) {
    const row = present[k]!;
    groups[row >>> 3] |= 1 << (row & 7);
  }
}

/** Levels of one run of `count` rows all at `level`: u32 length, varint header, value byte. */
function singleRunLevels(count: number, level: number): Uint8Array {
  const out = new Uint8Array(4 + 5 + 1);
  const pos = writeVarint(out, 4, count * 2);
  out[pos] = level;
  new DataView(out.buffer).setUint32(0, pos + 1 - 4, true);
  return out.subarray(0, pos + 1);
}

/** The levels of `count` rows from their byte per 8 rows (bit k of group g: row 8g + k has a value). */
function levelsOfGroups(groups: Uint8Array, count: number, packedOnly: boolean, scratch: Scratch<Uint8Array> | undefined): Uint8Array {
  const groupCount = (count + 7) >>> 3;
  const wholeGroups = count >>> 3;
  const outBytes = 4 + hybridMaxBytes(count, 1);
  const out = scratch === undefined ? new Uint8Array(outBytes) : scratch.take(outBytes);
  let pos = 4;
  if (packedOnly && groupCount > 0) {
    // one bit-packed run of every group (what the loop below makes of them without RLE runs)
    pos = writeVarint(out, pos, groupCount * 2 + 1);
    out.set(groups.subarray(0, groupCount), pos);
    pos += groupCount;
    new DataView(out.buffer, out.byteOffset).setUint32(0, pos - 4, true);
    return out.subarray(0, pos);
  }
  const startsRun = (g: number): boolean =>
    g + 1 < wholeGroups && (groups[g] === 0 || groups[g] === 0xff) && groups[g + 1] === groups[g];
  for (let g = 0; g < groupCount; ) {
    if (startsRun(g)) {
      const value = groups[g]!;
      let last = g + 1;
      while (last + 1 < wholeGroups && groups[last + 1] === value) last++;
      pos = writeVarint(out, pos, (last - g + 1) * 8 * 2);
      out[pos++] = value & 1;
      g = last + 1;
      continue;
    }
    let last = g;
    while (last + 1 < groupCount && !startsRun(last + 1)) last++;
    pos = writeVarint(out, pos, (last - g + 1) * 2 + 1);
    pos = copyGroups(groups, g, last + 1, out, pos);
    g = last + 1;
  }
  new DataView(out.buffer, out.byteOffset).setUint32(0, pos - 4, true);
  return out.subarray(0, pos);
}

/**
 * groups[from, to) into `out` at `pos`; returns the position after them. A
 * sparse column's levels are many short packed runs (a group of a value
 * between runs of nulls): a subarray per run to copy it cost more than the
 * copy (docs/storage.md, session 15).
 */
function copyGroups(groups: Uint8Array, from: number, to: number, out: Uint8Array, pos: number): number {
  if (to - from > 64) {
    out.set(groups.subarray(from, to), pos);
    return pos + to - from;
  }
  for (let g = from; g < to; g++) out[pos++] = groups[g]!;
  return pos;
}

/** encodeDefinitionLevels' byte per 8 rows, kept for the next page. */
const levelGroups = new Scratch((n) => new Uint8Array(n));

/** Four mask bytes of 1 (four nulls, as callers mark them) read as one 32-bit word. */
const ALL_ONES = 0x01010101;
/** The bits a word of 0 and 1 mask bytes has clear. */
const NOT_LOW_BITS = ~ALL_ONES;

/**
 * Of a word of four mask bytes, each 0 or 1, a bit per byte that is 0
 * (present), byte k at bit k: the multiplication moves bit 0 of byte k to bit
 * 28 + k, with no carries into those four bits.
 */
function presentBits(word: number): number {
  return Math.imul(~word & ALL_ONES, 0x10204080) >>> 28;
}

/** The mask's buffer as 32-bit words from its byte 0 (word w holds buffer bytes 4w…4w + 3). */
function maskWords(mask: Uint8Array): Int32Array {
  return new Int32Array(mask.buffer, 0, (mask.byteOffset + mask.length) >>> 2);
}

/**
 * Rows of [start, end) whose mask byte is not 0 (nulls). Four rows at a
 * time where the mask lines up: most masks of a part's columns are long runs
 * of one or the other. The loops have no branch on the mask's bytes: V8
 * (Node 20) keeps a loop's on-stack-replaced code after it deoptimises, and a
 * branch first taken late deoptimised it on every later call
 * (docs/storage.md, session 11).
 */
export function countNulls(nulls: Uint8Array | undefined, start: number, end: number): number {
  if (nulls === undefined) return 0;
  // [from, to): the whole 32-bit words of the mask's buffer within [start, end)
  const from = Math.min(end, start + ((4 - ((nulls.byteOffset + start) & 3)) & 3));
  const to = from + ((end - from) & ~3);
  return countNonZero(nulls, start, from) + countNonZeroWords(nulls, from, to) + countNonZero(nulls, to, end);
}

function countNonZero(bytes: Uint8Array, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) count += bytes[i] !== 0 ? 1 : 0;
  return count;
}

/** countNonZero() of [from, to), which starts and ends on a word of the buffer. */
function countNonZeroWords(bytes: Uint8Array, from: number, to: number): number {
  if (to <= from) return 0;
  const words = maskWords(bytes);
  let count = 0;
  for (let w = (bytes.byteOffset + from) >>> 2, last = (bytes.byteOffset + to) >>> 2; w < last; w++) {
    // bit 0 of each byte: whether the byte is not 0; then the sum of those bits in the top byte
    let x = words[w]!;
    x |= x >>> 4;
    x |= x >>> 2;
    x |= x >>> 1;
    count += Math.imul(x & ALL_ONES, ALL_ONES) >>> 24;
  }
  return count;
}

/** PLAIN booleans: one bit per non-null value, LSB first. */
export function plainBooleans(values: Uint8Array, start: number, end: number, nulls: Uint8Array | undefined, nonNull: number): Uint8Array {
  const out = new Uint8Array((nonNull + 7) >>> 3);
  let bit = 0;
  for (let i = start; i < end; i++) {
    if (nulls !== undefined && nulls[i] !== 0) continue;
    if (values[i] !== 0) out[bit >>> 3]! |= 1 << (bit & 7);
    bit++;
  }
  return out;
}

/**
 * PLAIN fixed-width values of rows [start, end) with nulls left out. Without
 * nulls in the range the result is a view of `bytes` (no copy), so it is only
 * valid while the caller leaves the input untouched.
 */
export function plainFixedWidth(
  bytes: Uint8Array,
  width: number,
  start: number,
  end: number,
  nulls: Uint8Array | undefined,
  nonNull: number,
): Uint8Array {
  if (nulls === undefined || nonNull === end - start) return bytes.subarray(start * width, end * width);
  const out = new Uint8Array(nonNull * width);
  if (width % 4 === 0 && bytes.byteOffset % 4 === 0) {
    copyPresentWords(new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2), width >>> 2, start, end, nulls, new Int32Array(out.buffer));
    return out;
  }
  let o = 0;
  for (let i = start; i < end; i++) {
    if (nulls[i] !== 0) continue;
    for (let b = i * width, last = b + width; b < last; b++) out[o++] = bytes[b]!;
  }
  return out;
}

/** Copies words of non-null rows through 32-bit lanes: bit patterns (NaN, -0) are kept. */
function copyPresentWords(src: Int32Array, words: number, start: number, end: number, nulls: Uint8Array, out: Int32Array): void {
  let o = 0;
  if (words === 2) {
    for (let i = start; i < end; i++) {
      if (nulls[i] !== 0) continue;
      out[o] = src[2 * i]!;
      out[o + 1] = src[2 * i + 1]!;
      o += 2;
    }
    return;
  }
  for (let i = start; i < end; i++) {
    if (nulls[i] !== 0) continue;
    for (let w = i * words, last = w + words; w < last; w++) out[o++] = src[w]!;
  }
}

/** Whether RUN_TO_LEAVE_PACKING values of one value start at i (< end): the run's last value is looked at first, as it mostly differs. */
function runToLeavePackingAt(values: Uint8Array | Uint32Array, i: number, end: number): boolean {
  const last = i + RUN_TO_LEAVE_PACKING - 1;
  return last < end && values[last] === values[i] && repeatLength(values, i, last + 1) === RUN_TO_LEAVE_PACKING;
}

/**
 * How many values from values[i] on equal it. Nothing after the loop needs
 * type feedback: its on-stack-replaced code, kept by V8, deoptimised at a
 * `j - i` there ~300 times a log flush (docs/storage.md, session 11).
 */
function repeatLength(values: Uint8Array | Uint32Array, i: number, end: number): number {
  const first = values[i];
  let run = 1;
  while (i + run < end && values[i + run] === first) run++;
  return run;
}

/** groups × 8 values from values[from, to), zero-padded past `to`. */
function bitPack(
  values: Uint8Array | Uint32Array,
  from: number,
  to: number,
  groups: number,
  bitWidth: number,
  out: Uint8Array,
  pos: number,
): number {
  const count = groups * 8;
  // whole groups of 8 values, bitWidth bytes each, by the width's own loop (a
  // loop over every value's bits was most of a dictionary page's encoding)
  const wholeEnd = from + ((to - from) & ~7);
  if (bitWidth <= 4) pos = packGroupsInWord(values, from, wholeEnd, bitWidth, out, pos);
  else if (bitWidth === 8) pos = packGroupsAsBytes(values, from, wholeEnd, out, pos);
  else pos = packGroups(values, from, wholeEnd, bitWidth, out, pos);
  return wholeEnd === from + count ? pos : packGroups(values, wholeEnd, from + count, bitWidth, out, pos, to);
}

/** Groups of 8 values [from, to) at bitWidth ≤ 4: each group's 8 × bitWidth bits gathered in one 32-bit word, then written a byte at a time. */
function packGroupsInWord(values: Uint8Array | Uint32Array, from: number, to: number, bitWidth: number, out: Uint8Array, pos: number): number {
  for (let i = from; i < to; i += 8) {
    let word =
      values[i]! |
      (values[i + 1]! << bitWidth) |
      (values[i + 2]! << (2 * bitWidth)) |
      (values[i + 3]! << (3 * bitWidth)) |
      (values[i + 4]! << (4 * bitWidth)) |
      (values[i + 5]! << (5 * bitWidth)) |
      (values[i + 6]! << (6 * bitWidth)) |
      (values[i + 7]! << (7 * bitWidth));
    for (let b = 0; b < bitWidth; b++) {
      out[pos++] = word & 0xff;
      word >>>= 8;
    }
  }
  return pos;
}

/** Values [from, to) at bit width 8: a byte each. */
function packGroupsAsBytes(values: Uint8Array | Uint32Array, from: number, to: number, out: Uint8Array, pos: number): number {
  for (let i = from; i < to; i++) out[pos++] = values[i]!;
  return pos;
}

/** Values [from, end) bit-packed LSB first, those at or past `to` as 0 (the last group's padding). */
function packGroups(values: Uint8Array | Uint32Array, from: number, end: number, bitWidth: number, out: Uint8Array, pos: number, to = end): number {
  let acc = 0;
  let bits = 0;
  for (let i = from; i < end; i++) {
    acc |= (i < to ? values[i]! : 0) << bits;
    bits += bitWidth;
    while (bits >= 8) {
      out[pos++] = acc & 0xff;
      acc >>>= 8;
      bits -= 8;
    }
  }
  return pos;
}

/** ULEB128 of an unsigned value below 2^32. */
export function writeVarint(out: Uint8Array, pos: number, value: number): number {
  let v = value >>> 0;
  while (v >= 0x80) {
    out[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[pos++] = v;
  return pos;
}

/** DELTA_BINARY_PACKED block: 128 values in 4 miniblocks of 32. */
const DELTA_BLOCK_VALUES = 128;
const DELTA_MINIBLOCKS = 4;
const DELTA_MINIBLOCK_VALUES = DELTA_BLOCK_VALUES / DELTA_MINIBLOCKS;

/**
 * DELTA_LENGTH_BYTE_ARRAY of `count` PLAIN byte arrays (`u32 length, bytes`
 * each): their lengths DELTA_BINARY_PACKED, then their bytes one after
 * another. Ids of one length (a request id's 16 hex digits) then leave zstd
 * a stream of digits alone, without a length prefix every 20 bytes sharing
 * their Huffman table (docs/format/parquet-writer.md).
 */
export function deltaLengthByteArray(plain: Uint8Array, count: number): Uint8Array {
  const lengths = new Int32Array(count);
  for (let i = 0, at = 0; i < count; i++) {
    const length = (plain[at]! | (plain[at + 1]! << 8) | (plain[at + 2]! << 16) | (plain[at + 3]! << 24)) >>> 0;
    lengths[i] = length;
    at += 4 + length;
  }
  const header = deltaBinaryPacked(lengths, 0, count, undefined, count);
  const out = new Uint8Array(header.length + plain.length - 4 * count);
  out.set(header, 0);
  for (let i = 0, at = 0, o = header.length; i < count; i++) {
    const from = at + 4;
    const to = from + lengths[i]!;
    // short values byte by byte: a subarray per value costs more than the copy
    if (to - from > 64) out.set(plain.subarray(from, to), o);
    else for (let k = from; k < to; k++) out[o + k - from] = plain[k]!;
    o += to - from;
    at = to;
  }
  return out;
}

/**
 * DELTA_BINARY_PACKED of the non-null int64 values of rows [start, end):
 *   header: varint block size (128) · varint miniblocks per block (4)
 *           · varint value count · zigzag varint first value
 *   block:  zigzag varint min delta · 4 bit widths (1 byte each)
 *           · each miniblock: 32 (delta − min delta) values, bit width bits each, LSB first
 * Deltas wrap in 64 bits as readers undo them; a miniblock past the last
 * value has width 0 and no bytes, the last one with values is padded to 32.
 */
export function deltaBinaryPacked(values: BigInt64Array | Int32Array, start: number, end: number, nulls: Uint8Array | undefined, nonNull: number, scratch?: Scratch<Uint8Array>): Uint8Array {
  // 64-bit arithmetic on 32-bit halves (BigInt is slow here and V8 20's optimizer has miscompiled it).
  // Each loop is a function of its own with nothing after it: V8 (Node 20) keeps a loop's
  // on-stack-replaced code after it deoptimises, and the code after a loop in the same
  // function deoptimised it on every page (docs/storage.md, session 13).
  const lo = deltaLo.take(nonNull);
  const hi = deltaHi.take(nonNull);
  const n =
    values instanceof Int32Array
      ? int32Halves(values, start, end, nulls, lo, hi)
      : int64Halves(new Uint32Array(values.buffer, values.byteOffset, values.length * 2), start, end, nulls, lo, hi);
  const deltaCount = Math.max(0, n - 1);
  const dLo = deltaDLo.take(deltaCount);
  const dHi = deltaDHi.take(deltaCount);
  deltasOfHalves(lo, hi, n, dLo, dHi);
  const blocks = Math.ceil(deltaCount / DELTA_BLOCK_VALUES);
  // header ≤ 4 × 10 bytes; a block ≤ 10 + 4 + 128 × 8 bytes
  const outBytes = 40 + blocks * (14 + DELTA_BLOCK_VALUES * 8);
  const out = scratch === undefined ? new Uint8Array(outBytes) : scratch.take(outBytes);
  let pos = writeVarint(out, 0, DELTA_BLOCK_VALUES);
  pos = writeVarint(out, pos, DELTA_MINIBLOCKS);
  pos = writeVarint(out, pos, n);
  pos = writeZigzag64(out, pos, n > 0 ? lo[0]! : 0, n > 0 ? hi[0]! : 0);
  pos = packDeltaBlocks(dLo, dHi, deltaCount, blocks, out, pos);
  return out.subarray(0, pos);
}

/** The non-null int32 values of rows [start, end) as lo/hi halves, sign-extended (values spanning less than 2^31 have deltas within 32 bits); returns their count. */
function int32Halves(values: Int32Array, start: number, end: number, nulls: Uint8Array | undefined, lo: Uint32Array, hi: Int32Array): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    if (nulls !== undefined && nulls[i] !== 0) continue;
    lo[n] = values[i]! >>> 0;
    hi[n++] = values[i]! >> 31;
  }
  return n;
}

/** The non-null int64 values (`words`: their lo/hi 32-bit words) of rows [start, end) as lo/hi halves; returns their count. */
function int64Halves(words: Uint32Array, start: number, end: number, nulls: Uint8Array | undefined, lo: Uint32Array, hi: Int32Array): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    if (nulls !== undefined && nulls[i] !== 0) continue;
    lo[n] = words[2 * i]!;
    hi[n++] = words[2 * i + 1]! | 0;
  }
  return n;
}

/** The n − 1 deltas of n values (lo/hi halves), wrapping in 64 bits. */
function deltasOfHalves(lo: Uint32Array, hi: Int32Array, n: number, dLo: Uint32Array, dHi: Int32Array): void {
  for (let k = 1; k < n; k++) {
    dLo[k - 1] = (lo[k]! - lo[k - 1]!) >>> 0;
    dHi[k - 1] = (hi[k]! - hi[k - 1]! - (lo[k]! < lo[k - 1]! ? 1 : 0)) | 0;
  }
}

/** The blocks of `deltaCount` deltas (lo/hi halves) into `out` from `pos`; returns the position after them. */
function packDeltaBlocks(dLo: Uint32Array, dHi: Int32Array, deltaCount: number, blocks: number, out: Uint8Array, pos: number): number {
  // per block: the deltas less the block's min delta, unsigned, as lo/hi pairs
  const adjusted = new Uint32Array(DELTA_BLOCK_VALUES * 2);
  for (let b = 0; b < blocks; b++) {
    const from = b * DELTA_BLOCK_VALUES;
    const to = Math.min(deltaCount, from + DELTA_BLOCK_VALUES);
    let minLo = dLo[from]!;
    let minHi = dHi[from]!;
    for (let k = from + 1; k < to; k++) {
      if (dHi[k]! < minHi || (dHi[k] === minHi && dLo[k]! < minLo)) {
        minLo = dLo[k]!;
        minHi = dHi[k]!;
      }
    }
    pos = writeZigzag64(out, pos, minLo, minHi);
    adjusted.fill(0);
    for (let k = from; k < to; k++) {
      const j = 2 * (k - from);
      adjusted[j] = (dLo[k]! - minLo) >>> 0;
      adjusted[j + 1] = (dHi[k]! - minHi - (dLo[k]! < minLo ? 1 : 0)) >>> 0;
    }
    const widthsAt = pos;
    pos += DELTA_MINIBLOCKS;
    for (let m = 0; m < DELTA_MINIBLOCKS; m++) {
      const first = m * DELTA_MINIBLOCK_VALUES;
      if (from + first >= to) {
        out[widthsAt + m] = 0;
        continue;
      }
      let width = 0;
      for (let k = first; k < first + DELTA_MINIBLOCK_VALUES; k++) {
        const h = adjusted[2 * k + 1]!;
        const w = h !== 0 ? 64 - Math.clz32(h) : 32 - Math.clz32(adjusted[2 * k]!);
        if (w > width) width = w;
      }
      out[widthsAt + m] = width;
      pos = packWide(adjusted, first, width, out, pos);
    }
  }
  return pos;
}

/** deltaBinaryPacked's values and deltas as 32-bit halves, kept for the next page (filled before they are read). */
const deltaLo = new Scratch((n) => new Uint32Array(n));
const deltaHi = new Scratch((n) => new Int32Array(n));
const deltaDLo = new Scratch((n) => new Uint32Array(n));
const deltaDHi = new Scratch((n) => new Int32Array(n));

/** 32 values (lo/hi 32-bit pairs from `first`) at `width` bits each, LSB first. */
function packWide(words: Uint32Array, first: number, width: number, out: Uint8Array, pos: number): number {
  if (width === 0) return pos;
  let acc = 0;
  let bits = 0;
  for (let k = first; k < first + DELTA_MINIBLOCK_VALUES; k++) {
    // the value's bits in pieces of at most 16, so acc (< 8 pending bits) never passes 24 bits
    for (let taken = 0; taken < width; ) {
      const word = taken < 32 ? words[2 * k]! : words[2 * k + 1]!;
      const shift = taken & 31;
      const n = Math.min(16, width - taken, 32 - shift);
      acc |= ((word >>> shift) & ((1 << n) - 1)) << bits;
      bits += n;
      taken += n;
      while (bits >= 8) {
        out[pos++] = acc & 0xff;
        acc >>>= 8;
        bits -= 8;
      }
    }
  }
  if (bits > 0) out[pos++] = acc & 0xff;
  return pos;
}

/** Zigzag ULEB128 of the signed 64-bit value hi:lo. */
function writeZigzag64(out: Uint8Array, pos: number, lo: number, hi: number): number {
  const sign = hi >> 31;
  let zLo = ((lo << 1) ^ sign) >>> 0;
  let zHi = (((hi << 1) | (lo >>> 31)) ^ sign) >>> 0;
  while (zHi !== 0 || zLo >= 0x80) {
    out[pos++] = (zLo & 0x7f) | 0x80;
    zLo = ((zLo >>> 7) | (zHi << 25)) >>> 0;
    zHi >>>= 7;
  }
  out[pos++] = zLo;
  return pos;
}

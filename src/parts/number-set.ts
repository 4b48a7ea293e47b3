// An exact set of the numbers below a bound: a token index chunk's small
// numbers (token-index.ts). The range is cut into blocks of NUMBER_BLOCK
// numbers, each stored the smaller way: a bitmap (one bit a number: dense
// blocks, as 0-4095 in logs are) or the gaps between its numbers Rice-coded
// (sparser blocks: a number costs about log2(1 / density) + 1.5 bits, where
// the part's filter spends ~6.5 on it and errs one time in 64). A query
// decodes one block. Byte layout: docs/format/token-index.md (version 4).

/** Numbers per block. */
export const NUMBER_BLOCK = 4096;
/** A block's coding: this for a bitmap, else the Rice parameter of its gaps (0-MAX_RICE). */
const BITMAP_CODING = 255;
const MAX_RICE = 15;
/** what a block's header costs: u16 count, u8 coding, u16 bytes */
export const BLOCK_HEADER_BITS = 40;
export const BLOCK_HEADER_BYTES = 5;

export interface NumberSet {
  /** numbers below this (a multiple of 8) are in the set exactly when present; block b covers [b·NUMBER_BLOCK, min((b + 1)·NUMBER_BLOCK, bound)) */
  bound: number;
  /** per block: BITMAP_CODING, or the Rice parameter of its gaps */
  coding: Uint8Array;
  /** per block: how many numbers it holds */
  counts: Uint16Array;
  /** block b's bytes are data[offsets[b], offsets[b + 1]) */
  offsets: Uint32Array;
  data: Uint8Array;
}

/** The first index from `at` in `sorted` whose number is at least `limit`. */
export function blockEnd(sorted: Uint32Array, at: number, limit: number): number {
  while (at < sorted.length && sorted[at]! < limit) at++;
  return at;
}

/** The smaller coding of the block [base, base + size) holding sorted[from, to), and its bits. */
export function blockCoding(sorted: Uint32Array, from: number, to: number, base: number, size: number): { coding: number; bits: number } {
  let best = { coding: BITMAP_CODING, bits: size };
  const count = to - from;
  if (count === 0) return { coding: 0, bits: 0 };
  // Rice(k) costs (gap >> k) + 1 + k bits a number; the best k is near log2 of the mean gap, so only its neighbours are tried
  const meanGap = (sorted[to - 1]! - base + 1 - count) / count;
  const near = meanGap < 1 ? 0 : Math.floor(Math.log2(meanGap));
  for (let k = Math.max(0, near - 1); k <= Math.min(MAX_RICE, near + 1); k++) {
    let bits = (to - from) * (k + 1);
    let previous = base - 1;
    for (let i = from; i < to; i++) {
      bits += (sorted[i]! - previous - 1) >>> k;
      previous = sorted[i]!;
    }
    if (bits < best.bits) best = { coding: k, bits };
  }
  return best;
}

/** The set of `sorted` (distinct, ascending, all below `bound`), each block coded the smaller way. */
export function numberSetOf(sorted: Uint32Array, bound: number): NumberSet {
  const blocks = Math.ceil(bound / NUMBER_BLOCK);
  const coding = new Uint8Array(blocks);
  const counts = new Uint16Array(blocks);
  const offsets = new Uint32Array(blocks + 1);
  const parts: Uint8Array[] = [];
  let at = 0;
  for (let b = 0; b < blocks; b++) {
    const base = b * NUMBER_BLOCK;
    const size = Math.min(NUMBER_BLOCK, bound - base);
    const end = blockEnd(sorted, at, base + size);
    const chosen = blockCoding(sorted, at, end, base, size);
    coding[b] = chosen.coding;
    counts[b] = end - at;
    const bytes = chosen.coding === BITMAP_CODING ? bitmapOf(sorted, at, end, base, size) : riceOf(sorted, at, end, base, chosen.coding, chosen.bits);
    parts.push(bytes);
    offsets[b + 1] = offsets[b]! + bytes.length;
    at = end;
  }
  const data = new Uint8Array(offsets[blocks]!);
  parts.forEach((p, b) => data.set(p, offsets[b]!));
  return { bound, coding, counts, offsets, data };
}

function bitmapOf(sorted: Uint32Array, from: number, to: number, base: number, size: number): Uint8Array {
  const out = new Uint8Array(size >>> 3);
  for (let i = from; i < to; i++) {
    const n = sorted[i]! - base;
    out[n >>> 3]! |= 1 << (n & 7);
  }
  return out;
}

/** Each gap (number − previous − 1, the previous of the first base − 1) as its quotient by 2^k in unary (ones, then a zero) and its k low bits; bits least significant first. */
function riceOf(sorted: Uint32Array, from: number, to: number, base: number, k: number, bits: number): Uint8Array {
  const out = new Uint8Array((bits + 7) >>> 3);
  let bit = 0;
  let previous = base - 1;
  for (let i = from; i < to; i++) {
    const gap = sorted[i]! - previous - 1;
    previous = sorted[i]!;
    for (let q = gap >>> k; q > 0; q--, bit++) out[bit >>> 3]! |= 1 << (bit & 7);
    bit++;
    for (let j = 0; j < k; j++, bit++) if ((gap >>> j) & 1) out[bit >>> 3]! |= 1 << (bit & 7);
  }
  return out;
}

/** Whether `n` (below the set's bound) is in the set: one block read. */
export function numberSetHas(set: NumberSet, n: number): boolean {
  const b = Math.floor(n / NUMBER_BLOCK);
  const from = set.offsets[b]!;
  const base = b * NUMBER_BLOCK;
  const k = set.coding[b]!;
  if (k === BITMAP_CODING) return (set.data[from + ((n - base) >>> 3)]! & (1 << ((n - base) & 7))) !== 0;
  const data = set.data;
  const endBit = (set.offsets[b + 1]! - from) * 8;
  let bit = 0;
  let value = base - 1;
  for (let i = set.counts[b]!; i > 0; i--) {
    let q = 0;
    while (bit < endBit && (data[from + (bit >>> 3)]! >>> (bit & 7)) & 1) {
      q++;
      bit++;
    }
    bit++;
    let r = 0;
    for (let j = 0; j < k; j++, bit++) r |= ((data[from + (bit >>> 3)]! >>> (bit & 7)) & 1) << j;
    value += q * 2 ** k + r + 1;
    if (value >= n) return value === n;
    if (bit >= endBit) return false;
  }
  return false;
}

/** A bitmap of the numbers below `bound` (bit n: bit n & 7 of byte n >> 3; version 3's chunks) as a set of bitmap blocks. */
export function numberSetOfBitmap(bitmap: Uint8Array, bound: number): NumberSet {
  const blocks = Math.ceil(bound / NUMBER_BLOCK);
  const coding = new Uint8Array(blocks).fill(BITMAP_CODING);
  const counts = new Uint16Array(blocks);
  const offsets = new Uint32Array(blocks + 1);
  for (let b = 0; b < blocks; b++) {
    offsets[b + 1] = Math.min(bound, (b + 1) * NUMBER_BLOCK) >>> 3;
    for (let i = offsets[b]!; i < offsets[b + 1]!; i++) counts[b]! += popcount8(bitmap[i]!);
  }
  return { bound, coding, counts, offsets, data: bitmap };
}

function popcount8(x: number): number {
  x = x - ((x >>> 1) & 0x55);
  x = (x & 0x33) + ((x >>> 2) & 0x33);
  return (x + (x >>> 4)) & 0x0f;
}

/** Bytes of the set as written: per block u16 count, u8 coding, u16 bytes, its bytes. */
export function numberSetBytes(set: NumberSet): number {
  return set.coding.length * BLOCK_HEADER_BYTES + set.data.length;
}

/** Writes the set's blocks at `p` of `out`; returns the position past them. */
export function writeNumberSet(set: NumberSet, out: Uint8Array, view: DataView, p: number): number {
  for (let b = 0; b < set.coding.length; b++) {
    const from = set.offsets[b]!;
    const to = set.offsets[b + 1]!;
    view.setUint16(p, set.counts[b]!, true);
    view.setUint8(p + 2, set.coding[b]!);
    view.setUint16(p + 3, to - from, true);
    out.set(set.data.subarray(from, to), p + BLOCK_HEADER_BYTES);
    p += BLOCK_HEADER_BYTES + to - from;
  }
  return p;
}

/** Reads the blocks of a set of `bound` at `p` (ending before `end`); `fail` throws with what is wrong. */
export function readNumberSet(bytes: Uint8Array, view: DataView, p: number, end: number, bound: number, fail: (why: string) => never): { set: NumberSet; next: number } {
  const blocks = Math.ceil(bound / NUMBER_BLOCK);
  const coding = new Uint8Array(blocks);
  const counts = new Uint16Array(blocks);
  const offsets = new Uint32Array(blocks + 1);
  const starts = new Uint32Array(blocks);
  for (let b = 0; b < blocks; b++) {
    if (p + BLOCK_HEADER_BYTES > end) fail(`truncated at number block ${b}`);
    const size = Math.min(NUMBER_BLOCK, bound - b * NUMBER_BLOCK);
    counts[b] = view.getUint16(p, true);
    coding[b] = view.getUint8(p + 2);
    const length = view.getUint16(p + 3, true);
    if (counts[b]! > size || (coding[b] !== BITMAP_CODING && coding[b]! > MAX_RICE) || (coding[b] === BITMAP_CODING && length !== size >>> 3)) fail(`bad number block ${b}`);
    starts[b] = p + BLOCK_HEADER_BYTES;
    offsets[b + 1] = offsets[b]! + length;
    p += BLOCK_HEADER_BYTES + length;
    if (p > end) fail(`truncated at number block ${b}`);
  }
  const data = new Uint8Array(offsets[blocks]!);
  for (let b = 0; b < blocks; b++) data.set(bytes.subarray(starts[b]!, starts[b]! + offsets[b + 1]! - offsets[b]!), offsets[b]!);
  return { set: { bound, coding, counts, offsets, data }, next: p };
}

// A binary fuse filter (Graf & Lemire, "Binary Fuse Filters: Fast and Smaller
// Than Xor Filters", 2022), 4-wise, over pairs (key, group) of 32-bit
// numbers: may the pair be in the set? Never a false "no"; a false "yes" for
// about 1 pair in 2^fingerprintBits. It takes ~1.075 × fingerprintBits bits
// per pair once there are some 10^5 of them (more below: see sizeFactor),
// where a bloom filter needs ~1.44 × log2(1 / rate): 7-bit fingerprints give
// a bloom's 1 % at three quarters of its 10 bits per key. The token index
// (token-index.ts) keeps one per part over (word key, chunk of the part):
// one large filter costs fewer bits per pair than one per chunk.
//
// A pair goes to four slots, one in each of four consecutive segments
// (segmentLength slots each) from a start segment, each slot holding a
// fingerprint; the pair is in when the xor of its four slots' fingerprints
// is its own fingerprint. Built by peeling: a slot that only one pair maps
// to can be set last for that pair, so pairs are removed slot by slot, then
// their slots set in the reverse order. Byte layout: docs/format/token-index.md.

export interface FuseFilter {
  seed: number;
  /** slots per segment, a power of two ≤ 65536 */
  segmentLength: number;
  /** segments a pair's first slot may be in; the filter has segmentCount + 3 segments */
  segmentCount: number;
  /** 1 to 8 */
  fingerprintBits: number;
  /** slot i's fingerprint is bits [i·fingerprintBits, (i + 1)·fingerprintBits) (bit b: bit b & 7 of byte b >> 3), then one byte of padding */
  fingerprints: Uint8Array;
}

const ARITY = 4;
const MAX_SEGMENT_LENGTH = 1 << 16;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Slots and fingerprint of a pair, written into `out` (4 slots, then the fingerprint): no allocation per pair. */
function slotsOf(seed: number, segmentLength: number, segmentCount: number, fingerprintBits: number, key: number, group: number, out: Uint32Array): void {
  // (a, b) is one-to-one with (key, group): two pairs only share their slots by chance, never always.
  const a = fmix32(key ^ seed);
  const b = fmix32(a ^ Math.imul(group + 1, 0x9e3779b1));
  const c = fmix32(b + Math.imul(a, 0x27d4eb2f));
  const d = fmix32(c ^ a);
  const start = Math.floor((b * segmentCount) / 4294967296) * segmentLength;
  const mask = segmentLength - 1;
  out[0] = start + (c & mask);
  out[1] = start + segmentLength + ((c >>> 16) & mask);
  out[2] = start + 2 * segmentLength + (d & mask);
  out[3] = start + 3 * segmentLength + ((d >>> 16) & mask);
  out[4] = fmix32(d + b) >>> (32 - fingerprintBits);
}

/** Segment length and slots per pair for n pairs (the paper's choices for 4-wise filters). */
function segmentLengthFor(n: number): number {
  if (n <= 2) return 4;
  const length = 2 ** Math.floor(Math.log(n) / Math.log(2.91) - 0.5);
  return Math.min(MAX_SEGMENT_LENGTH, Math.max(4, length));
}

function sizeFactor(n: number): number {
  return n <= 2 ? 8 : Math.max(1.075, 0.77 + (0.305 * Math.log(600_000)) / Math.log(n));
}

function readFingerprint(bytes: Uint8Array, slot: number, bits: number): number {
  const at = slot * bits;
  const byte = at >>> 3;
  return ((bytes[byte]! | (bytes[byte + 1]! << 8)) >>> (at & 7)) & ((1 << bits) - 1);
}

function packFingerprints(values: Uint8Array, bits: number): Uint8Array {
  const out = new Uint8Array(Math.ceil((values.length * bits) / 8) + 1);
  for (let i = 0; i < values.length; i++) {
    const at = i * bits;
    const v = values[i]! << (at & 7);
    out[at >>> 3]! |= v & 0xff;
    out[(at >>> 3) + 1]! |= v >>> 8;
  }
  return out;
}

const scratch = new Uint32Array(ARITY + 1);

export function fuseMayContain(f: FuseFilter, key: number, group: number): boolean {
  slotsOf(f.seed, f.segmentLength, f.segmentCount, f.fingerprintBits, key, group, scratch);
  const bits = f.fingerprintBits;
  const x =
    readFingerprint(f.fingerprints, scratch[0]!, bits) ^
    readFingerprint(f.fingerprints, scratch[1]!, bits) ^
    readFingerprint(f.fingerprints, scratch[2]!, bits) ^
    readFingerprint(f.fingerprints, scratch[3]!, bits);
  return x === scratch[4];
}

/**
 * The filter of the pairs (keys[i], groups[i]), which must be distinct pairs
 * (a repeated pair can never be peeled). Tries other seeds, then more slots,
 * until peeling removes every pair: a seed fails now and then for small sets.
 */
export function buildFuseFilter(keys: Uint32Array, groups: Uint32Array, fingerprintBits: number): FuseFilter {
  const n = keys.length;
  if (fingerprintBits < 1 || fingerprintBits > 8) throw new Error(`fuse filter: ${fingerprintBits} fingerprint bits`);
  const segmentLength = segmentLengthFor(n);
  let factor = sizeFactor(n);
  for (let attempt = 0; attempt < 64; attempt++) {
    if (attempt > 0 && attempt % 4 === 0) factor *= 1.1;
    const capacity = Math.ceil(n * factor);
    const segmentCount = Math.max(1, Math.ceil(capacity / segmentLength) - (ARITY - 1));
    const seed = fmix32(0x5eed + attempt);
    const fingerprints = peel(keys, groups, { seed, segmentLength, segmentCount, fingerprintBits });
    if (fingerprints) return { seed, segmentLength, segmentCount, fingerprintBits, fingerprints: packFingerprints(fingerprints, fingerprintBits) };
  }
  throw new Error(`fuse filter: could not place ${n} pairs (repeated pairs?)`);
}

/** One attempt: the unpacked fingerprint of every slot, or undefined when peeling gets stuck. */
function peel(keys: Uint32Array, groups: Uint32Array, f: Omit<FuseFilter, 'fingerprints'>): Uint8Array | undefined {
  const n = keys.length;
  const slots = (f.segmentCount + ARITY - 1) * f.segmentLength;
  // every pair's slots and fingerprint, computed once; pairs then renumbered in order of their first
  // slot, so that the slots touched one after another lie close together (the paper's sort: 2-3× faster)
  const bySegment = new Uint32Array(f.segmentCount + 1);
  const first = new Uint32Array(n);
  const one = new Uint32Array(ARITY + 1);
  for (let i = 0; i < n; i++) {
    slotsOf(f.seed, f.segmentLength, f.segmentCount, f.fingerprintBits, keys[i]!, groups[i]!, one);
    first[i] = one[0]!;
    bySegment[Math.floor(one[0]! / f.segmentLength) + 1]!++;
  }
  for (let g = 0; g < f.segmentCount; g++) bySegment[g + 1]! += bySegment[g]!;
  const at = new Uint32Array(n * ARITY);
  const print = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = bySegment[Math.floor(first[i]! / f.segmentLength)]!++;
    slotsOf(f.seed, f.segmentLength, f.segmentCount, f.fingerprintBits, keys[i]!, groups[i]!, one);
    for (let j = 0; j < ARITY; j++) at[k * ARITY + j] = one[j]!;
    print[k] = one[ARITY]!;
  }
  const count = new Uint32Array(slots);
  // xor of the indexes of the pairs in a slot: the pair itself once it is the slot's only one
  const pairs = new Uint32Array(slots);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < ARITY; j++) {
      const s = at[i * ARITY + j]!;
      count[s]!++;
      pairs[s]! ^= i;
    }
  }
  const queue = new Uint32Array(slots);
  let queued = 0;
  for (let s = 0; s < slots; s++) if (count[s] === 1) queue[queued++] = s;
  const order = new Uint32Array(n);
  const orderSlot = new Uint32Array(n);
  let peeled = 0;
  while (queued > 0) {
    const s = queue[--queued]!;
    if (count[s] !== 1) continue;
    const i = pairs[s]!;
    order[peeled] = i;
    orderSlot[peeled++] = s;
    for (let j = 0; j < ARITY; j++) {
      const t = at[i * ARITY + j]!;
      count[t]!--;
      pairs[t]! ^= i;
      if (count[t] === 1) queue[queued++] = t;
    }
  }
  if (peeled !== n) return undefined;
  const values = new Uint8Array(slots);
  for (let k = n - 1; k >= 0; k--) {
    const i = order[k]!;
    const base = i * ARITY;
    // the pair's own slot is still 0: xor-ing all four leaves the other three
    values[orderSlot[k]!] = print[i]! ^ values[at[base]!]! ^ values[at[base + 1]!]! ^ values[at[base + 2]!]! ^ values[at[base + 3]!]!;
  }
  return values;
}

/** Bytes of a filter's fingerprints for its geometry: what a reader checks the stored length against. */
export function fuseFingerprintBytes(f: Omit<FuseFilter, 'fingerprints' | 'seed'>): number {
  return Math.ceil(((f.segmentCount + ARITY - 1) * f.segmentLength * f.fingerprintBits) / 8) + 1;
}

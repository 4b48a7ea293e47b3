// DDSketch (Masson, Rim, Lee, VLDB 2019): a mergeable quantile sketch with
// relative accuracy α. A positive value v goes to bucket i = ceil(log_γ v),
// γ = (1+α)/(1−α); bucket i covers (γ^(i−1), γ^i] and answers 2γ^i/(γ+1), which
// is within α of every value in it. Values ≤ 0 (zero-length spans) are
// counted apart and answer 0. Counts are integers held in doubles (exact up to
// 2^53). Buckets live in a dense window that grows as needed; beyond
// SKETCH_MAX_BUCKETS the lowest buckets collapse into one (only the low tail
// loses accuracy). For nanosecond durations the limit is never reached:
// 1 ns … 2^63 ns spans ~2190 buckets at α = 1%, ~60 for a typical service.
//
// Encoding (docs/format/rollups.md): version byte, varint zero count, varint
// number k of non-empty buckets, then zigzag varint first index and its
// varint count, then k−1 × (varint index gap ≥ 1, varint count).

export const SKETCH_RELATIVE_ACCURACY = 0.01;
export const SKETCH_GAMMA = (1 + SKETCH_RELATIVE_ACCURACY) / (1 - SKETCH_RELATIVE_ACCURACY);
const LN_GAMMA = Math.log(SKETCH_GAMMA);
export const SKETCH_MAX_BUCKETS = 2048;
export const SKETCH_ENCODING_VERSION = 1;

const MIN_CAPACITY = 32;

/** The bucket of a positive value. */
export function sketchIndex(value: number): number {
  return Math.ceil(Math.log(value) / LN_GAMMA);
}

/** What bucket `index` answers: within α of every value in it. */
export function sketchValue(index: number): number {
  return (2 * Math.exp(index * LN_GAMMA)) / (SKETCH_GAMMA + 1);
}

/**
 * 0-based rank of the q-quantile among n sorted values, the discrete
 * (SQL `percentile_disc`) definition DuckDB's quantile_disc uses: the smallest
 * value whose cumulative share is ≥ q.
 */
export function quantileRank(q: number, n: number): number {
  return Math.max(1, n - Math.floor(n - q * n)) - 1;
}

/** A growable byte buffer for encoders. */
export class ByteWriter {
  buf: Uint8Array;
  pos = 0;

  constructor(initialBytes = 1024) {
    this.buf = new Uint8Array(initialBytes);
  }

  ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** Unsigned varint of a non-negative integer ≤ 2^53 (LEB128). */
  varint(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Upper bound of the encoded size of a sketch with k non-empty buckets. */
function encodedBound(k: number): number {
  return 1 + 8 + 8 + 5 + k * (5 + 8);
}

function zigzag(i: number): number {
  return i >= 0 ? i * 2 : -i * 2 - 1;
}

function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/** Decoded buckets of one encoding, reused across calls (mergeEncoded is synchronous). */
let scratchIndex = new Int32Array(256);
let scratchCount = new Float64Array(256);
/** Read position of readVarint, a module variable so the hot loop allocates nothing. */
let cursor = 0;

/** The varint at `cursor` in bytes[…, end); advances `cursor`. */
function readVarint(bytes: Uint8Array, end: number): number {
  if (cursor >= end) throw new Error(`sketch: truncated varint at offset ${cursor}`);
  const first = bytes[cursor++]!;
  if (first < 0x80) return first;
  let result = first & 0x7f;
  let scale = 0x80;
  for (;;) {
    if (cursor >= end) throw new Error(`sketch: truncated varint at offset ${cursor}`);
    const b = bytes[cursor++]!;
    result += (b & 0x7f) * scale;
    if (b < 0x80) return result;
    scale *= 0x80;
    if (scale > 2 ** 56) throw new Error(`sketch: varint too long at offset ${cursor}`);
  }
}

export class DDSketch {
  /** counts[j] is the count of bucket offset + j */
  private counts: Float64Array = new Float64Array(0);
  private offset = 0;
  /** non-empty range; minIndex > maxIndex when no bucket is used */
  private minIndex = 0;
  private maxIndex = -1;
  zeroCount = 0;
  /** every value added, zero bucket included */
  count = 0;

  constructor(private readonly maxBuckets = SKETCH_MAX_BUCKETS) {
    if (!(maxBuckets >= 2)) throw new Error(`sketch: maxBuckets ${maxBuckets} must be at least 2`);
  }

  get isEmpty(): boolean {
    return this.count === 0;
  }

  /** Buckets with a count (zero bucket excluded). */
  get bucketCount(): number {
    let k = 0;
    for (let i = this.minIndex; i <= this.maxIndex; i++) if (this.counts[i - this.offset]! > 0) k++;
    return k;
  }

  clear(): void {
    if (this.minIndex <= this.maxIndex) this.counts.fill(0, this.minIndex - this.offset, this.maxIndex - this.offset + 1);
    this.minIndex = 0;
    this.maxIndex = -1;
    this.zeroCount = 0;
    this.count = 0;
  }

  /** Adds `n` occurrences of `value` (n a positive integer). */
  add(value: number, n = 1): void {
    if (value > 0) this.addToBucket(sketchIndex(value), n);
    else {
      this.zeroCount += n;
      this.count += n;
    }
  }

  /** Adds `n` to bucket `index` (or to the lowest kept bucket when collapsing). */
  addToBucket(index: number, n: number): void {
    if (this.minIndex > this.maxIndex) {
      this.ensureWindow(index, index);
      this.minIndex = index;
      this.maxIndex = index;
    } else if (index < this.minIndex) {
      // Too far below: collapse into the lowest bucket the limit allows.
      const lowest = this.maxIndex - this.maxBuckets + 1;
      if (index < lowest) index = lowest;
      this.ensureWindow(index, this.maxIndex);
      this.minIndex = index;
    } else if (index > this.maxIndex) {
      const lowest = index - this.maxBuckets + 1;
      if (lowest > this.minIndex) this.collapseBelow(lowest);
      this.ensureWindow(this.minIndex, index);
      this.maxIndex = index;
    }
    this.count += n;
    this.counts[index - this.offset]! += n;
  }

  /** Moves the counts of buckets below `lowest` into bucket `lowest`. */
  private collapseBelow(lowest: number): void {
    let moved = 0;
    const top = Math.min(lowest - 1, this.maxIndex);
    for (let i = this.minIndex; i <= top; i++) {
      moved += this.counts[i - this.offset]!;
      this.counts[i - this.offset] = 0;
    }
    if (lowest > this.maxIndex) {
      this.minIndex = 0;
      this.maxIndex = -1;
    } else this.minIndex = lowest;
    if (moved > 0) {
      this.count -= moved; // already counted; addToBucket counts them again
      this.addToBucket(lowest, moved);
    }
  }

  /** Makes the dense window cover [lo, hi], keeping every count. */
  private ensureWindow(lo: number, hi: number): void {
    if (lo >= this.offset && hi < this.offset + this.counts.length) return;
    const usedLo = this.minIndex <= this.maxIndex ? Math.min(lo, this.minIndex) : lo;
    const usedHi = this.minIndex <= this.maxIndex ? Math.max(hi, this.maxIndex) : hi;
    const span = usedHi - usedLo + 1;
    let capacity = Math.max(MIN_CAPACITY, this.counts.length);
    while (capacity < span * 1.5) capacity *= 2;
    const next = new Float64Array(capacity);
    const offset = usedLo - Math.floor((capacity - span) / 2);
    if (this.minIndex <= this.maxIndex) {
      next.set(this.counts.subarray(this.minIndex - this.offset, this.maxIndex - this.offset + 1), this.minIndex - offset);
    }
    this.counts = next;
    this.offset = offset;
  }

  merge(other: DDSketch): void {
    this.zeroCount += other.zeroCount;
    this.count += other.zeroCount;
    for (let i = other.minIndex; i <= other.maxIndex; i++) {
      const n = other.counts[i - other.offset]!;
      if (n > 0) this.addToBucket(i, n);
    }
  }

  /**
   * Merges an encoded sketch (bytes[start, end)) without decoding it into an
   * object: buckets are decoded into a scratch list, the window is grown once
   * for their whole range, then counts are added in place.
   */
  mergeEncoded(bytes: Uint8Array, start = 0, end = bytes.length): void {
    if (end <= start) throw new Error('sketch: empty encoding');
    const version = bytes[start];
    if (version !== SKETCH_ENCODING_VERSION) throw new Error(`sketch: unknown encoding version ${version}`);
    cursor = start + 1;
    const zeros = readVarint(bytes, end);
    this.zeroCount += zeros;
    this.count += zeros;
    const k = readVarint(bytes, end);
    if (k === 0) return;
    if (k > scratchIndex.length) {
      scratchIndex = new Int32Array(k * 2);
      scratchCount = new Float64Array(k * 2);
    }
    let index = unzigzag(readVarint(bytes, end));
    let total = 0;
    for (let j = 0; j < k; j++) {
      if (j > 0) {
        const gap = readVarint(bytes, end);
        if (gap < 1) throw new Error(`sketch: bucket gap ${gap} at offset ${cursor}`);
        index += gap;
      }
      const n = readVarint(bytes, end);
      scratchIndex[j] = index;
      scratchCount[j] = n;
      total += n;
    }
    const lo = scratchIndex[0]!;
    const hi = index;
    const empty = this.minIndex > this.maxIndex;
    const newLo = empty ? lo : Math.min(lo, this.minIndex);
    const newHi = empty ? hi : Math.max(hi, this.maxIndex);
    if (newHi - newLo + 1 > this.maxBuckets) {
      for (let j = 0; j < k; j++) this.addToBucket(scratchIndex[j]!, scratchCount[j]!);
      return;
    }
    this.ensureWindow(newLo, newHi);
    this.minIndex = newLo;
    this.maxIndex = newHi;
    const counts = this.counts;
    const offset = this.offset;
    for (let j = 0; j < k; j++) counts[scratchIndex[j]! - offset]! += scratchCount[j]!;
    this.count += total;
  }

  /** Appends the encoding to `out`. */
  encodeInto(out: ByteWriter): void {
    let k = 0;
    for (let i = this.minIndex; i <= this.maxIndex; i++) if (this.counts[i - this.offset]! > 0) k++;
    out.ensure(encodedBound(k));
    out.buf[out.pos++] = SKETCH_ENCODING_VERSION;
    out.varint(this.zeroCount);
    out.varint(k);
    let previous: number | undefined;
    for (let i = this.minIndex; i <= this.maxIndex; i++) {
      const n = this.counts[i - this.offset]!;
      if (n === 0) continue;
      if (previous === undefined) out.varint(zigzag(i));
      else out.varint(i - previous);
      out.varint(n);
      previous = i;
    }
  }

  encode(): Uint8Array {
    const out = new ByteWriter(64);
    this.encodeInto(out);
    return out.bytes();
  }

  static decode(bytes: Uint8Array, start = 0, end = bytes.length): DDSketch {
    const s = new DDSketch();
    s.mergeEncoded(bytes, start, end);
    return s;
  }

  /**
   * Several quantiles in one walk over the buckets: out[i] is the qs[i]-quantile
   * (qs ascending), NaN when empty.
   */
  quantiles(qs: readonly number[], out: Float64Array | number[]): void {
    if (this.count === 0) {
      for (let k = 0; k < qs.length; k++) out[k] = NaN;
      return;
    }
    let k = 0;
    for (; k < qs.length && quantileRank(qs[k]!, this.count) < this.zeroCount; k++) out[k] = 0;
    let seen = this.zeroCount;
    for (let i = this.minIndex; i <= this.maxIndex && k < qs.length; i++) {
      seen += this.counts[i - this.offset]!;
      while (k < qs.length && seen > quantileRank(qs[k]!, this.count)) out[k++] = sketchValue(i);
    }
    for (; k < qs.length; k++) out[k] = sketchValue(this.maxIndex);
  }

  /** The q-quantile (0 ≤ q ≤ 1) within relative accuracy α; NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = quantileRank(q, this.count);
    if (rank < this.zeroCount) return 0;
    let seen = this.zeroCount;
    for (let i = this.minIndex; i <= this.maxIndex; i++) {
      seen += this.counts[i - this.offset]!;
      if (seen > rank) return sketchValue(i);
    }
    return sketchValue(this.maxIndex);
  }
}

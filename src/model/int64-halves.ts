// int64 values written into a BigInt64Array through a 32-bit view of its
// buffer, from numbers: no bigint is made. Decoding a JSON-lines record writes
// several (its integers, its time); a bigint each was a heap object each.

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LOW = LITTLE_ENDIAN ? 0 : 1;
const HIGH = LITTLE_ENDIAN ? 1 : 0;
const TWO_TO_16 = 65536;
const TWO_TO_32 = 4294967296;

/** A 32-bit view of a BigInt64Array's elements (two per element, low half first on little-endian machines). */
export function int64Halves(a: BigInt64Array<ArrayBufferLike>): Int32Array<ArrayBufferLike> {
  return new Int32Array(a.buffer, a.byteOffset, a.length * 2);
}

/** `int[i] = high · 2^32 + low` (two's complement; each half as 32 bits, signed or not); `halves` is int64Halves(int). */
export function setInt64Halves(halves: Int32Array<ArrayBufferLike>, i: number, low: number, high: number): void {
  halves[2 * i + LOW] = low;
  halves[2 * i + HIGH] = high;
}

/**
 * out[at + i] = a[i] - b[i] for i < count, wrapped to 64 bits as bigints
 * would be; all three as int64Halves (span durations: end - start).
 */
export function subtractInt64Halves(out: Int32Array<ArrayBufferLike>, at: number, a: Int32Array<ArrayBufferLike>, b: Int32Array<ArrayBufferLike>, count: number): void {
  for (let i = 0; i < count; i++) {
    const aLow = a[2 * i + LOW]! >>> 0;
    const bLow = b[2 * i + LOW]! >>> 0;
    const borrow = aLow < bLow ? 1 : 0;
    out[2 * (at + i) + LOW] = aLow - bLow;
    out[2 * (at + i) + HIGH] = a[2 * i + HIGH]! - b[2 * i + HIGH]! - borrow;
  }
}

/** `int[i] = v` for a safe integer `v` (|v| ≤ 2^53 - 1); `halves` is int64Halves(int). */
export function setSafeInt64(int: BigInt64Array<ArrayBufferLike>, halves: Int32Array<ArrayBufferLike>, i: number, v: number): void {
  if (!LITTLE_ENDIAN) {
    int[i] = BigInt(v);
    return;
  }
  const high = Math.floor(v / TWO_TO_32);
  halves[2 * i] = (v - high * TWO_TO_32) | 0;
  halves[2 * i + 1] = high | 0;
}

/**
 * `int[i] = seconds * 10^9 + nanos` (a time in unix nanoseconds) for whole
 * `seconds` within ±2^37 (years 0000-9999 and more) and `nanos` in
 * [0, 10^9), wrapped to 64 bits as a bigint stored there would be: the
 * product exceeds 2^53, so it is put together from parts that each stay
 * exact as doubles.
 */
export function setInt64OfSecondsNanos(int: BigInt64Array<ArrayBufferLike>, halves: Int32Array<ArrayBufferLike>, i: number, seconds: number, nanos: number): void {
  if (!LITTLE_ENDIAN) {
    int[i] = BigInt(seconds) * 1_000_000_000n + BigInt(nanos);
    return;
  }
  // seconds = sHigh * 2^16 + sLow; value = (sHigh * 10^9) * 2^16 + (sLow * 10^9 + nanos)
  const sHigh = Math.floor(seconds / TWO_TO_16);
  const sLow = seconds - sHigh * TWO_TO_16;
  const a = sHigh * 1e9; // |a| < 2^52
  const b = sLow * 1e9 + nanos; // 0 <= b < 2^46
  // a * 2^16 = aHigh * 2^32 + aLow * 2^16
  const aHigh = Math.floor(a / TWO_TO_16);
  const aLow = a - aHigh * TWO_TO_16;
  const low = aLow * TWO_TO_16 + b; // < 2^47
  const carry = Math.floor(low / TWO_TO_32);
  halves[2 * i] = (low - carry * TWO_TO_32) | 0;
  halves[2 * i + 1] = (aHigh + carry) | 0;
}

/** |x| < 2^53 as a double: the high half of an int64 within ±2^21. */
const EXACT_HIGH_HALF = 0x200000;

/**
 * The int64 element `i` of int64Halves(a) minus (baseHigh · 2^32 + baseLow,
 * baseLow unsigned) as an exact double; NaN when the difference is not
 * within ±2^53. No bigint is made (little-endian halves).
 */
export function int64Offset(halves: Int32Array<ArrayBufferLike>, i: number, baseHigh: number, baseLow: number): number {
  const high = halves[2 * i + 1]! - baseHigh;
  if (high >= EXACT_HIGH_HALF || high <= -EXACT_HIGH_HALF) return NaN;
  return high * TWO_TO_32 + ((halves[2 * i]! >>> 0) - baseLow);
}

/** The high half and unsigned low half of int64 element `i`, for int64Offset. */
export function int64HalvesAt(halves: Int32Array<ArrayBufferLike>, i: number): [high: number, low: number] {
  return [halves[2 * i + 1]!, halves[2 * i]! >>> 0];
}

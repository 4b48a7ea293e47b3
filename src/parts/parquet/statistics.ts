// min/max bounds of a column chunk, PLAIN encoded as Statistics.min_value /
// max_value want them (byte arrays: the bytes alone, no length prefix). Rows
// with nulls[i] !== 0 are skipped. Each function returns undefined when the
// range has no value to bound. Loops track the index of the extreme value and
// copy its bytes once at the end: no object per value. Every comparison is
// made for every value (no `else if`): V8 (Node 20) keeps a loop's
// on-stack-replaced code after it deoptimises, so a comparison the first
// chunks never reached deoptimised it again on every later chunk
// (docs/storage.md, session 11).

export interface Bounds {
  min: Uint8Array;
  max: Uint8Array;
}

/** Longest string bound written; longer extremes leave the chunk without bounds. */
export const MAX_BYTE_ARRAY_BOUND = 64;

/** Signed 64-bit order, compared as (signed high word, unsigned low word) to avoid BigInts. */
export function int64Bounds(values: BigInt64Array, start: number, end: number, nulls: Uint8Array | undefined): Bounds | undefined {
  const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  int64Extremes(words, start, end, nulls, extremeRows);
  const minAt = extremeRows[0]!;
  const maxAt = extremeRows[1]!;
  if (minAt < 0) return undefined;
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  return { min: copyBytes(bytes, minAt * 8, 8), max: copyBytes(bytes, maxAt * 8, 8) };
}

/** int64Extremes' answer: the rows of the min and the max (-1: no value). */
const extremeRows = new Int32Array(2);

/**
 * int64Bounds' loop, a function of its own with nothing after it: the test
 * after the loop, in the same function, deoptimised the loop's on-stack-replaced
 * code on every chunk (64 times a 1 M-span flush: docs/storage.md, session 13).
 * Sets rows[0] and rows[1] to the rows of the min and the max, -1 without a value.
 */
function int64Extremes(words: Int32Array, start: number, end: number, nulls: Uint8Array | undefined, rows: Int32Array): void {
  let minAt = -1;
  let maxAt = -1;
  let minHi = 0;
  let minLo = 0;
  let maxHi = 0;
  let maxLo = 0;
  for (let i = start; i < end; i++) {
    if (nulls !== undefined && nulls[i] !== 0) continue;
    const hi = words[2 * i + 1]!;
    const lo = words[2 * i]! >>> 0;
    if (minAt < 0) {
      minAt = maxAt = i;
      minHi = maxHi = hi;
      minLo = maxLo = lo;
      continue;
    }
    // every comparison made for every value: see the file's head
    const hiBelow = hi < minHi;
    const hiAtMin = hi === minHi;
    const loBelow = lo < minLo;
    const hiAbove = hi > maxHi;
    const hiAtMax = hi === maxHi;
    const loAbove = lo > maxLo;
    if (hiBelow || (hiAtMin && loBelow)) {
      minAt = i;
      minHi = hi;
      minLo = lo;
    }
    if (hiAbove || (hiAtMax && loAbove)) {
      maxAt = i;
      maxHi = hi;
      maxLo = lo;
    }
  }
  rows[0] = minAt;
  rows[1] = maxAt;
}

export function int32Bounds(values: Int32Array, start: number, end: number, nulls: Uint8Array | undefined): Bounds | undefined {
  let found = false;
  let min = 0;
  let max = 0;
  for (let i = start; i < end; i++) {
    if (nulls !== undefined && nulls[i] !== 0) continue;
    const v = values[i]!;
    if (!found) {
      found = true;
      min = max = v;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!found) return undefined;
  return { min: new Uint8Array(Int32Array.of(min).buffer), max: new Uint8Array(Int32Array.of(max).buffer) };
}

/**
 * IEEE order with NaN left out (a chunk of only NaNs has no bounds). A zero
 * min is written as -0 and a zero max as +0, as the Parquet spec asks, so a
 * reader never excludes a zero of the other sign.
 */
export function doubleBounds(values: Float64Array, start: number, end: number, nulls: Uint8Array | undefined): Bounds | undefined {
  let found = false;
  let min = 0;
  let max = 0;
  for (let i = start; i < end; i++) {
    if (nulls !== undefined && nulls[i] !== 0) continue;
    const v = values[i]!;
    if (v !== v) continue;
    if (!found) {
      found = true;
      min = max = v;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!found) return undefined;
  if (min === 0) min = -0;
  if (max === 0) max = 0;
  return { min: new Uint8Array(Float64Array.of(min).buffer), max: new Uint8Array(Float64Array.of(max).buffer) };
}

export function countNaN(values: Float64Array, start: number, end: number, nulls: Uint8Array | undefined): number {
  let count = 0;
  for (let i = start; i < end; i++) {
    const v = values[i]!;
    if (v !== v && (nulls === undefined || nulls[i] === 0)) count++;
  }
  return count;
}

/** false < true; one byte each. */
export function booleanBounds(values: Uint8Array, start: number, end: number, nulls: Uint8Array | undefined): Bounds | undefined {
  let seenFalse = false;
  let seenTrue = false;
  for (let i = start; i < end && !(seenFalse && seenTrue); i++) {
    if (nulls !== undefined && nulls[i] !== 0) continue;
    if (values[i] !== 0) seenTrue = true;
    else seenFalse = true;
  }
  if (!seenFalse && !seenTrue) return undefined;
  return { min: Uint8Array.of(seenFalse ? 0 : 1), max: Uint8Array.of(seenTrue ? 1 : 0) };
}

/** Unsigned lexicographic byte order of `width`-byte values (FIXED_LEN_BYTE_ARRAY). */
export function fixedWidthBounds(bytes: Uint8Array, width: number, start: number, end: number, nulls: Uint8Array | undefined): Bounds | undefined {
  let minAt = -1;
  let maxAt = -1;
  for (let i = start; i < end; i++) {
    if (nulls !== undefined && nulls[i] !== 0) continue;
    if (minAt < 0) {
      minAt = maxAt = i;
      continue;
    }
    const toMin = compareBytes(bytes, i * width, width, bytes, minAt * width, width);
    const toMax = compareBytes(bytes, i * width, width, bytes, maxAt * width, width);
    if (toMin < 0) minAt = i;
    if (toMax > 0) maxAt = i;
  }
  if (minAt < 0) return undefined;
  return { min: copyBytes(bytes, minAt * width, width), max: copyBytes(bytes, maxAt * width, width) };
}

/**
 * Unsigned byte order of PLAIN byte arrays (`u32 length, bytes` repeated) in
 * data[0, byteEnd). Undefined also when the min or max is longer than
 * MAX_BYTE_ARRAY_BOUND: bounds stay exact rather than truncated.
 */
export function byteArrayBounds(data: Uint8Array, byteEnd: number): Bounds | undefined {
  let minAt = -1;
  let minLength = 0;
  let maxAt = -1;
  let maxLength = 0;
  for (let pos = 0; pos < byteEnd; ) {
    const length = (data[pos]! | (data[pos + 1]! << 8) | (data[pos + 2]! << 16) | (data[pos + 3]! << 24)) >>> 0;
    const at = pos + 4;
    if (minAt < 0) {
      minAt = maxAt = at;
      minLength = maxLength = length;
    } else {
      const toMin = compareBytes(data, at, length, data, minAt, minLength);
      const toMax = compareBytes(data, at, length, data, maxAt, maxLength);
      if (toMin < 0) {
        minAt = at;
        minLength = length;
      }
      if (toMax > 0) {
        maxAt = at;
        maxLength = length;
      }
    }
    pos = at + length;
  }
  if (minAt < 0 || minLength > MAX_BYTE_ARRAY_BOUND || maxLength > MAX_BYTE_ARRAY_BOUND) return undefined;
  return { min: copyBytes(data, minAt, minLength), max: copyBytes(data, maxAt, maxLength) };
}

/** Sign of a[aAt, +aLength) − b[bAt, +bLength) in unsigned lexicographic order. */
export function compareBytes(a: Uint8Array, aAt: number, aLength: number, b: Uint8Array, bAt: number, bLength: number): number {
  const common = aLength < bLength ? aLength : bLength;
  for (let k = 0; k < common; k++) {
    const d = a[aAt + k]! - b[bAt + k]!;
    if (d !== 0) return d;
  }
  return aLength - bLength;
}

/** A copy (Buffer#slice would return a view keeping the whole chunk alive). */
function copyBytes(bytes: Uint8Array, at: number, length: number): Uint8Array {
  const copy = new Uint8Array(length);
  copy.set(bytes.subarray(at, at + length));
  return copy;
}

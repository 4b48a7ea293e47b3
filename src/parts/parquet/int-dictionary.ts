// Dictionary encoding of an INT32 or INT64 column chunk: its distinct values
// in first-seen order as the dictionary page (PLAIN, 4 or 8 bytes each) and
// each non-null row's index into them. column-chunk.ts keeps it only where
// it is smaller as stored than PLAIN (and delta).

import type { PreparedColumn } from './columns.js';
import { type Dictionary, type DictionaryLimits, EARLY_CHECK_MAX_DISTINCT_RATIO, EARLY_CHECK_VALUES } from './strings.js';

/** An int64 whose high word is within ±2^20 is a safe integer: a Map key without a BigInt. */
const SAFE_HIGH_WORD = 1 << 20;
const TWO_POW_32 = 2 ** 32;

/**
 * Rows [start, end) holding `nonNull` values as a dictionary, or undefined
 * once it is clear the dictionary will not fit `limits` (or, after
 * EARLY_CHECK_VALUES values, nearly every value has been new; or an int64
 * value is beyond ±2^52, which no low-cardinality column of ours holds).
 */
export function encodeDictionaryInts(
  column: Extract<PreparedColumn, { kind: 'int64' | 'int32' }>,
  start: number,
  end: number,
  nonNull: number,
  limits: DictionaryLimits,
): Dictionary | undefined {
  const { nulls, width } = column;
  // 32-bit words of the values: one per int32, lo/hi pairs per int64
  const words = new Int32Array(column.bytes.buffer, column.bytes.byteOffset, column.bytes.byteLength >>> 2);
  const wordsPerValue = width >>> 2;
  const positions = new Map<number, number>();
  const maxEntries = Math.min(limits.maxEntries, Math.floor(limits.maxBytes / width));
  const firstRows: number[] = [];
  const indices = new Uint32Array(nonNull);
  let k = 0;
  for (let i = start; i < end; i++) {
    if (nulls !== undefined && nulls[i] !== 0) continue;
    let key: number;
    if (wordsPerValue === 1) {
      key = words[i]!;
    } else {
      const hi = words[2 * i + 1]!;
      if (hi >= SAFE_HIGH_WORD || hi < -SAFE_HIGH_WORD) return undefined;
      key = hi * TWO_POW_32 + (words[2 * i]! >>> 0);
    }
    let index = positions.get(key);
    if (index === undefined) {
      index = positions.size;
      if (index >= maxEntries) return undefined;
      positions.set(key, index);
      firstRows.push(i);
    }
    indices[k++] = index;
    if (k === EARLY_CHECK_VALUES && positions.size > EARLY_CHECK_VALUES * EARLY_CHECK_MAX_DISTINCT_RATIO) return undefined;
  }
  const dictionary = new Uint8Array(firstRows.length * width);
  firstRows.forEach((row, e) => dictionary.set(column.bytes.subarray(row * width, (row + 1) * width), e * width));
  return { dictionary, entries: firstRows.length, indices };
}

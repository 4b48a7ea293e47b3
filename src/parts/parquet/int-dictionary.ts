// Dictionary encoding of an INT32 or INT64 column chunk: its distinct values
// in first-seen order as the dictionary page (PLAIN, 4 or 8 bytes each) and
// each non-null row's index into them. column-chunk.ts keeps it only where
// it is smaller as stored than PLAIN (and delta).

import type { PreparedColumn } from './columns.js';
import { type Dictionary, type DictionaryLimits, EARLY_CHECK_MAX_DISTINCT_RATIO, EARLY_CHECK_VALUES } from './strings.js';
import { Scratch } from './scratch.js';

/** An int64 whose high word is within ±2^20 is a safe integer: a Map key without a BigInt. */
const SAFE_HIGH_WORD = 1 << 20;
const TWO_POW_32 = 2 ** 32;

/** Kept for the next chunk: each entry's first row, and the indices (hybrid-encoded before the next call). */
const firstRowScratch = new Scratch((n) => new Uint32Array(n));
const indexScratch = new Scratch((n) => new Uint32Array(n));

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
  const maxEntries = Math.min(limits.maxEntries, Math.floor(limits.maxBytes / width));
  const firstRows = firstRowScratch.take(Math.min(maxEntries, nonNull));
  // a view of a scratch array, valid until the next call (as encodeDictionaryStrings' indices)
  const indices = indexScratch.take(nonNull);
  const entries = dictionaryIndices(words, width >>> 2, nulls, start, end, maxEntries, firstRows, indices);
  if (entries < 0) return undefined;
  const dictionary = new Uint8Array(entries * width);
  for (let e = 0; e < entries; e++) dictionary.set(column.bytes.subarray(firstRows[e]! * width, (firstRows[e]! + 1) * width), e * width);
  return { dictionary, entries, indices };
}

/**
 * The dictionary's loop, a function of its own with nothing after it: V8
 * (Node 20) keeps a loop's on-stack-replaced code after it deoptimises, and
 * code after the loop that the first chunk's replacement was compiled
 * without deoptimised it on every later chunk (docs/storage.md, session 11).
 * Sets indices[k] for the k-th value and firstRows[e] for entry e; returns
 * the number of entries, or -1 when encodeDictionaryInts gives up. An int32
 * value is keyed as an int64 with its sign as the high word: the same number.
 */
function dictionaryIndices(words: Int32Array, wordsPerValue: number, nulls: Uint8Array | undefined, start: number, end: number, maxEntries: number, firstRows: Uint32Array, indices: Uint32Array): number {
  const positions = new Map<number, number>();
  // int32: the word shifted to its sign; int64: the high word as it is
  const hiShift = wordsPerValue === 1 ? 31 : 0;
  const hiOffset = wordsPerValue - 1;
  const earlyMaxEntries = EARLY_CHECK_VALUES * EARLY_CHECK_MAX_DISTINCT_RATIO;
  let entries = 0;
  let k = 0;
  for (let i = start; i < end; i++) {
    if (nulls !== undefined && nulls[i] !== 0) continue;
    const hi = words[wordsPerValue * i + hiOffset]! >> hiShift;
    if (hi >= SAFE_HIGH_WORD || hi < -SAFE_HIGH_WORD) return -1;
    const key = hi * TWO_POW_32 + (words[wordsPerValue * i]! >>> 0);
    let index = positions.get(key);
    if (index === undefined) {
      index = entries++;
      if (index >= maxEntries) return -1;
      positions.set(key, index);
      firstRows[index] = i;
    }
    indices[k++] = index;
    // both comparisons made for every value: none first made after thousands of them
    const early = k === EARLY_CHECK_VALUES;
    const mostlyNew = entries > earlyMaxEntries;
    if (early && mostlyNew) return -1;
  }
  return entries;
}

// The rows of a null mask (a byte a row: 0 a value, 1 null) that have a
// value, as a list: what the writer's sparse chunks (sparse-chunk.ts) and
// the span cube builder (src/analysis/cube-builder.ts) read instead of every
// row's mask byte. Most of a trace part's attribute columns have a value on
// a few rows in a hundred, so most 32-bit words of the mask are four nulls
// (one compare); the others are written without a branch per byte — a
// branch on each, taken at random rows, cost as much as all the rest of a
// sparse column's work in the cube builder (docs/storage.md, session 14).

/** A mask word of four nulls, as callers mark them (1 each). */
const FOUR_NULLS = 0x01010101;
const NO_WORDS = new Int32Array(0);

/**
 * Offsets from `start` of the rows of [start, end) with a value (mask byte
 * 0) into `out`, ascending; returns how many, or -1 once there may be more
 * than `most` (checked a word at a time). `out` needs room for `most`
 * offsets; with `most` ≥ end - start, -1 is never returned.
 */
export function collectPresentRows(nulls: Uint8Array, start: number, end: number, most: number, out: Int32Array): number {
  // the offset read once: a typed array's byteOffset read in the loop made it 6 × slower
  const offset = nulls.byteOffset;
  const head = Math.min(end, start + ((4 - ((offset + start) & 3)) & 3));
  let count = presentBytes(nulls, start, head, start, most, out, 0);
  if (count < 0) return -1;
  // no whole word (head then may be `end`, not on a word's start): bytes alone
  const words = end - head >= 4 ? new Int32Array(nulls.buffer, offset + head, (end - head) >>> 2) : NO_WORDS;
  count = presentInWords(words, head - start, most, out, count);
  if (count < 0) return -1;
  return presentBytes(nulls, head + words.length * 4, end, start, most, out, count);
}

/** collectPresentRows() of mask bytes [from, to), `count` found before. The loops are functions of their own with nothing after them (docs/storage.md, session 11). */
function presentBytes(nulls: Uint8Array, from: number, to: number, start: number, most: number, out: Int32Array, count: number): number {
  for (let i = from; i < to; i++) {
    if (nulls[i] !== 0) continue;
    if (count === most) return -1;
    out[count++] = i - start;
  }
  return count;
}

/** collectPresentRows() of whole mask words, the first at offset `first`; no branch on a word's bytes. */
function presentInWords(words: Int32Array, first: number, most: number, out: Int32Array, count: number): number {
  for (let w = 0; w < words.length; w++) {
    const word = words[w]!;
    if (word === FOUR_NULLS) continue;
    if (count + 4 > most) return -1;
    const row = first + 4 * w;
    out[count] = row;
    count += (word & 0xff) === 0 ? 1 : 0;
    out[count] = row + 1;
    count += (word & 0xff00) === 0 ? 1 : 0;
    out[count] = row + 2;
    count += (word & 0xff0000) === 0 ? 1 : 0;
    out[count] = row + 3;
    count += (word & 0xff000000) === 0 ? 1 : 0;
  }
  return count;
}

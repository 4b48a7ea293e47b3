// Words of log text for full-text search: a token is a maximal run of letters,
// digits and '_' (Unicode \p{L}\p{N}_, the same class the SQL check uses:
// src/query/logs/log-sql.ts), compared case-insensitively. Each token gets a
// 32-bit key straight from the string, without slicing it (wordKey): a
// decimal number of up to six digits is its own value, any other word its
// FNV-1a hash over the lower-cased UTF-16 code units, kept out of the
// numbers' range. The token index (token-index.ts) holds these keys; small
// numbers, dense in every chunk of logs, go to an exact bitmap there.

import type { RecordTokens } from '../model/log-batch.js';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Keys below this are decimal numbers (0-999999 written without leading zeros), each its own value; every other word's key is at least this. */
export const SMALL_NUMBER_KEYS = 1 << 20;
const MOST_NUMBER_DIGITS = 6;

/** The key of a word that is not a small number, from its FNV-1a hash: hashes below SMALL_NUMBER_KEYS move up (another word may share the key: a false positive, as any hash collision). */
function hashKey(h: number): number {
  h >>>= 0;
  return h < SMALL_NUMBER_KEYS ? (h | 0x80000000) >>> 0 : h;
}

// Every UTF-16 code unit: its lower-cased code if it is a word character,
// else 0. One table for all of them, ASCII or not, so the token loop reads a
// character with one load and no branch on its range (a branch for ASCII and
// a lazily learnt table beside it cost ~10 % more: docs/storage.md, session
// 14). Built once, when the module loads (~15 ms).
const LOWER_WORD = new Uint16Array(0x10000);
const WORD_CHAR = /[\p{L}\p{N}_]/u;
for (let c = 0; c < 0x10000; c++) {
  // Surrogates count as word characters: most astral characters in text are letters or ideographs.
  if ((c >= 0xd800 && c <= 0xdfff) || WORD_CHAR.test(String.fromCharCode(c))) {
    const lower = String.fromCharCode(c).toLowerCase();
    LOWER_WORD[c] = lower.length === 1 ? lower.charCodeAt(0) : c;
  }
}

/** Most tokens `text` can hold (each is a word character and, but for the last, a separator): room to leave in tokenHashesInto's `out`. */
export function maxTokenCount(text: string): number {
  return (text.length + 1) >>> 1;
}

/**
 * Writes the key of every token of `text` (wordKey), in order (repeats
 * included), into `out` from `at`; returns the index past the last. `out`
 * must have room for maxTokenCount(text) keys. No callback: this runs over
 * every text value of every log record at ingest. A token is hashed in a
 * loop of its own (a load, a compare and a multiply a character); whether it
 * is a small number is asked once it ends, and only of tokens of at most six
 * characters.
 */
export function tokenHashesInto(text: string, out: Uint32Array, at: number): number {
  const n = text.length;
  let k = at;
  let i = 0;
  while (i < n) {
    let lower = LOWER_WORD[text.charCodeAt(i)]!;
    if (lower === 0) {
      i++;
      continue;
    }
    const start = i;
    let h = FNV_OFFSET;
    for (;;) {
      h = Math.imul(h ^ lower, FNV_PRIME);
      if (++i === n) break;
      lower = LOWER_WORD[text.charCodeAt(i)]!;
      if (lower === 0) break;
    }
    out[k++] = i - start <= MOST_NUMBER_DIGITS ? smallNumberOrKey(text, start, i, h) : hashKey(h);
  }
  return k;
}

/** A token of at most six characters: its value when it is a decimal number without a leading zero, else the key of its hash `h`. */
function smallNumberOrKey(text: string, start: number, end: number, h: number): number {
  let number = 0;
  for (let j = start; j < end; j++) {
    const digit = text.charCodeAt(j) - 0x30;
    // a leading zero: only "0" itself is a number
    if (digit < 0 || digit > 9 || (number === 0 && j > start)) return hashKey(h);
    number = number * 10 + digit;
  }
  return number;
}

/**
 * The word hashes of a batch's records, made while they are decoded (JSON
 * lines: the text is at hand, and the hashes come in record order, so the
 * seal neither visits the values again nor sorts the hashes by record).
 */
export class RecordTokensBuilder {
  private hashes = new Uint32Array(4096);
  private length = 0;
  /** offsets[r + 1]: the end of record r's hashes */
  private offsets = new Uint32Array(257);

  /** Adds the hashes of `text`'s words to the record being decoded. */
  addText(text: string): void {
    const need = this.length + maxTokenCount(text);
    if (need > this.hashes.length) {
      const hashes = new Uint32Array(Math.max(need, this.hashes.length * 2));
      hashes.set(this.hashes.subarray(0, this.length));
      this.hashes = hashes;
    }
    this.length = tokenHashesInto(text, this.hashes, this.length);
  }

  /** Ends record `record` (records end in order, each once). */
  endRecord(record: number): void {
    if (record + 2 > this.offsets.length) {
      const offsets = new Uint32Array(Math.max(record + 2, this.offsets.length * 2));
      offsets.set(this.offsets);
      this.offsets = offsets;
    }
    this.offsets[record + 1] = this.length;
  }

  /** Drops the hashes added since record `record` began (a record refused half-way through). */
  rollback(record: number): void {
    this.length = this.offsets[record]!;
  }

  /** The hashes of records 0 to `records` - 1. */
  finish(records: number): RecordTokens {
    return { offsets: this.offsets.slice(0, records + 1), hashes: this.hashes.slice(0, this.offsets[records]!) };
  }
}

let scratch = new Uint32Array(256);

/** Calls `visit` with the key of every token of `text`, in order (repeats included). */
export function forEachTokenHash(text: string, visit: (hash: number) => void): void {
  if (scratch.length < maxTokenCount(text)) scratch = new Uint32Array(maxTokenCount(text));
  const hashes = scratch;
  const n = tokenHashesInto(text, hashes, 0);
  for (let i = 0; i < n; i++) visit(hashes[i]!);
}

/** The tokens of `text`, lower-cased, in order (for queries). */
export function tokensOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
}

/** The key of one word (as forEachTokenHash computes it): what the token index is asked about. */
export function wordKey(token: string): number {
  let out = 0;
  forEachTokenHash(token, (h) => (out = h));
  return out;
}

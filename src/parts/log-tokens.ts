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

// Non-ASCII BMP code units: 1 word character, 2 not, 0 not yet known.
const WIDE_CLASS = new Uint8Array(0x10000);
const WORD_CHAR = /[\p{L}\p{N}_]/u;

// ASCII: the lower-cased code of a word character (letter, digit, '_'), 0 for any other.
const ASCII_LOWER_WORD = new Uint8Array(0x80);
for (let c = 0x30; c <= 0x39; c++) ASCII_LOWER_WORD[c] = c;
for (let c = 0x61; c <= 0x7a; c++) ASCII_LOWER_WORD[c] = ASCII_LOWER_WORD[c - 32] = c;
ASCII_LOWER_WORD[0x5f] = 0x5f;

function isWideWordChar(c: number): boolean {
  let k = WIDE_CLASS[c]!;
  if (k === 0) {
    // Surrogates count as word characters: most astral characters in text are letters or ideographs.
    k = (c >= 0xd800 && c <= 0xdfff) || WORD_CHAR.test(String.fromCharCode(c)) ? 1 : 2;
    WIDE_CLASS[c] = k;
  }
  return k === 1;
}

function lowerWide(c: number): number {
  const lower = String.fromCharCode(c).toLowerCase();
  return lower.length === 1 ? lower.charCodeAt(0) : c;
}

/** Most tokens `text` can hold (each is a word character and, but for the last, a separator): room to leave in tokenHashesInto's `out`. */
export function maxTokenCount(text: string): number {
  return (text.length + 1) >>> 1;
}

/**
 * Writes the key of every token of `text` (wordKey), in order (repeats
 * included), into `out` from `at`; returns the index past the last. `out`
 * must have room for maxTokenCount(text) keys. No callback: this runs over
 * every text value of every log record at ingest.
 */
export function tokenHashesInto(text: string, out: Uint32Array, at: number): number {
  let h = FNV_OFFSET;
  // the token's value while it is a decimal number of at most six digits without a leading zero, else -1
  let number = 0;
  let digits = 0;
  let inToken = false;
  let k = at;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    let word: boolean;
    if (c < 0x80) {
      c = ASCII_LOWER_WORD[c]!;
      word = c !== 0;
    } else {
      word = isWideWordChar(c);
      if (word) c = lowerWide(c);
    }
    if (word) {
      if (!inToken) {
        h = FNV_OFFSET;
        number = 0;
        digits = 0;
        inToken = true;
      }
      h = Math.imul(h ^ c, FNV_PRIME);
      if (number >= 0) {
        if (c >= 0x30 && c <= 0x39 && digits < MOST_NUMBER_DIGITS && !(digits === 1 && number === 0)) {
          number = number * 10 + (c - 0x30);
          digits++;
        } else number = -1;
      }
    } else if (inToken) {
      out[k++] = number >= 0 ? number : hashKey(h);
      inToken = false;
    }
  }
  if (inToken) out[k++] = number >= 0 ? number : hashKey(h);
  return k;
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

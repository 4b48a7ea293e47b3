// One column of one row group → its pages ([dictionary page] data pages…)
// and what ColumnMetaData needs to describe them. Offsets are assigned by the
// caller, which knows where the chunk lands in the file.

import type { PreparedColumn, PresentRows } from './columns.js';
import { bitWidthFor, countNulls, deltaBinaryPacked, deltaLengthByteArray, definitionLevelsOfPresentRows, encodeDefinitionLevels, encodeHybrid, hybridMaxBytes, plainBooleans, plainFixedWidth } from './encoding.js';
import { type PageCodec, compressPage } from './compression.js';
import { Encoding, type Statistics } from './metadata.js';
import { encodeDataPageHeader, encodeDictionaryPageHeader } from './page.js';
import {
  type Bounds,
  MAX_BYTE_ARRAY_BOUND,
  booleanBounds,
  byteArrayBounds,
  countNaN,
  doubleBounds,
  fixedWidthBounds,
  int32Bounds,
  int64Bounds,
} from './statistics.js';
import { type Dictionary, encodeDictionaryStrings, encodePlainStrings } from './strings.js';
import { encodeDictionaryInts } from './int-dictionary.js';
import { Scratch } from './scratch.js';
import { compactSparseChunk } from './sparse-chunk.js';

/** Default target size of a data page's values, so readers never need huge page buffers. */
export const PAGE_BYTES = 1 << 20;
/** tryPlainStrings: PLAIN is tried only where a dictionary entry is used by fewer rows than this on average. */
const PLAIN_TRIAL_MIN_USES = 16;
/** Definition levels of one run (every row present, or none): u32 length, varint header, value byte. */
const SINGLE_RUN_LEVELS_BYTES = 10;
/** Dictionary indices are also tried as RLE runs only where those are at most this many times the packed bytes before compression. */
const RUNS_TRIAL_FACTOR = 2;
/**
 * Dictionary indices are also tried packed at 8 (or 16) bits, a whole byte
 * each, in pages of at least this many: zstd's Huffman coding then sees each
 * index as a byte of its own and codes it by its frequency, which packed
 * 5-bit indices in no order hide from it (docs/format/parquet-writer.md).
 */
const MIN_WHOLE_BYTE_INDICES = 256;
/** Largest dictionary page body worth writing. */
export const MAX_DICTIONARY_BYTES = 1 << 20;

/** Where a data page's body lies, from the chunk's first byte (src/parts/parquet/layout.ts). */
export interface PageLayout {
  rows: number;
  /** values are dictionary indices (bit width byte, hybrid) rather than PLAIN */
  dictionaryIndices: boolean;
  bodyAt: number;
  /** definition levels with their u32 length prefix; 0 for a REQUIRED column */
  levelsBytes: number;
  valuesBytes: number;
}

export interface DictionaryLayout {
  bodyAt: number;
  bytes: number;
  entries: number;
}

export interface EncodedColumnChunk {
  /** Page headers and bodies, in file order. */
  parts: Uint8Array[];
  pages: PageLayout[];
  dictionary: DictionaryLayout | undefined;
  /** as stored */
  byteLength: number;
  /** with page bodies uncompressed */
  uncompressedByteLength: number;
  /** Bytes of the dictionary page (header + body) at the chunk's start; 0 without one. */
  dictionaryPageBytes: number;
  encodings: Encoding[];
  statistics: Statistics;
}

export interface ChunkOptions {
  /** Strings: use a dictionary when it pays. */
  tryDictionary: boolean;
  /** Target bytes of values per data page. */
  pageBytes: number;
  /**
   * Each page body compressed with it (the layout then describes compressed
   * bodies: readable by Parquet readers, not by decodeChunk).
   */
  codec?: PageCodec;
  /**
   * int64 columns: also try DELTA_BINARY_PACKED and keep whichever chunk is
   * smaller as stored (times and counters, sorted or near it, shrink; random
   * values do not).
   */
  tryDeltaInt64?: boolean;
  /**
   * int32 columns likewise, where the chunk's values span less than 2^31
   * (every delta then fits in 32 bits, as readers decode INT32 deltas): small
   * numbers in no order (a log message's numbers, a product's number) take
   * their bit width a value, where zstd makes ~2.5 of PLAIN's 4 bytes.
   */
  tryDeltaInt32?: boolean;
  /** Strings with a codec: also try PLAIN where a dictionary was chosen, keep the smaller. */
  tryPlainStrings?: boolean;
  /** Strings with a codec: each PLAIN page also as DELTA_LENGTH_BYTE_ARRAY, the smaller kept (ids of one length). */
  tryDeltaLengthStrings?: boolean;
}

/**
 * Row groups between two trials of a column's encodings (PLAIN, delta or
 * dictionary for integers; dictionary or PLAIN for strings) in one file: a
 * trial compresses the chunk once per candidate, and on the logs bench the
 * losing candidates were half of a flush's compression CPU (the message
 * text's dictionary, the times' PLAIN bytes), while a column keeps its
 * character from one row group to the next (docs/storage.md, "How log parts
 * are written").
 */
export const GROUPS_PER_ENCODING_TRIAL = 8;

/**
 * Data pages between two trials of how a column's dictionary indices are
 * written (packed, as runs only, or at whole bytes: addDictionaryPages): a
 * trial compresses the page once per form, and on the traces flush bench the
 * losing forms were a quarter of the worker's zstd CPU, while a column's
 * winner holds from page to page (docs/storage.md, "Session 10").
 */
export const PAGES_PER_INDEX_TRIAL = 8;

/** How a data page's dictionary indices are written (addDictionaryPages). */
export type IndexForm = 'packed' | 'runs' | 'whole-bytes';

/** A trial's winner, reused `period - 1` times before the next trial. */
class CarriedWinner<T> {
  private winner: T | undefined;
  private sinceTrial = 0;

  constructor(private readonly period: number) {}

  /** The winner to use without a trial, or undefined: try them. */
  reuse(): T | undefined {
    if (this.winner === undefined || this.sinceTrial >= this.period - 1) return undefined;
    this.sinceTrial++;
    return this.winner;
  }

  remember(winner: T): void {
    this.winner = winner;
    this.sinceTrial = 0;
  }
}

/**
 * What the trials of one column chose, carried from row group to row group
 * of a file (ParquetColumnFileWriter): its values' encoding, tried every
 * GROUPS_PER_ENCODING_TRIAL groups, and the form of its dictionary indices,
 * tried every PAGES_PER_INDEX_TRIAL pages; the winners are reused in between.
 */
export class EncodingChoice {
  readonly encoding = new CarriedWinner<Encoding>(GROUPS_PER_ENCODING_TRIAL);
  readonly indexForm = new CarriedWinner<IndexForm>(PAGES_PER_INDEX_TRIAL);
}

/**
 * Encodes rows [start, end) of `column`. `choice`: the column's choice in the
 * file's earlier row groups, where the options leave more than one encoding.
 */
export function encodeColumnChunk(column: PreparedColumn, start: number, end: number, options: ChunkOptions, choice?: EncodingChoice): EncodedColumnChunk {
  // uncompressed pages may be views of the compacted values: those are then not scratch
  const sparse = compactSparseChunk(column, start, end, options.pageBytes, options.codec === undefined);
  if (sparse === undefined) return encodeRows(column, start, end, options, choice);
  const present = sparse.presentRows.offsets.length;
  const chunk = encodeRows(sparse, 0, present, options, choice);
  chunk.statistics.nullCount = end - start - present;
  return chunk;
}

/**
 * encodeColumnChunk() of rows [start, end) as they are, every row's mask
 * byte read (a compacted sparse chunk: its values [0, present)); the
 * reference sparse chunks are tested against.
 */
export function encodeRows(column: PreparedColumn, start: number, end: number, options: ChunkOptions, choice?: EncodingChoice): EncodedColumnChunk {
  if (column.kind === 'int64' || column.kind === 'int32') return encodeIntChunk(column, start, end, options, choice);
  if ((column.kind === 'string' || column.kind === 'string-entries') && options.tryPlainStrings && options.codec !== undefined) {
    const reused = choice?.encoding.reuse();
    if (reused !== undefined) return encodeChunkAs(column, start, end, options, reused, choice);
    const chosen = encodeChunkAs(column, start, end, options, Encoding.RLE_DICTIONARY, choice);
    // a dictionary of few entries is smaller for sure; one of many (ids shared by a few rows each) may not be
    const manyEntries = chosen.dictionary !== undefined && chosen.dictionary.entries * PLAIN_TRIAL_MIN_USES > end - start - chosen.statistics.nullCount;
    return manyEntries ? smallest([chosen, encodeChunkAs(column, start, end, options, Encoding.PLAIN, choice)], choice) : chosen;
  }
  return encodeChunkAs(column, start, end, options, Encoding.RLE_DICTIONARY, choice);
}

/**
 * An integer chunk: PLAIN, or (int64 with tryDeltaInt64) DELTA_BINARY_PACKED,
 * or (with a codec) a dictionary of its distinct values — whichever is
 * smallest as stored. A dictionary pays for few distinct values that do not
 * follow each other in order (`http.status`, `severity_number`): its indices
 * take a few bits a row before compression, PLAIN values 4 or 8 bytes.
 */
function encodeIntChunk(column: Extract<PreparedColumn, { kind: 'int64' | 'int32' }>, start: number, end: number, options: ChunkOptions, choice: EncodingChoice | undefined): EncodedColumnChunk {
  const reused = choice?.encoding.reuse();
  if (reused === Encoding.RLE_DICTIONARY) {
    // a dictionary that no longer fits this row group's values: try them all again
    const dictionary = intDictionaryChunk(column, start, end, options, choice);
    if (dictionary !== undefined) return dictionary;
  } else if (reused === Encoding.DELTA_BINARY_PACKED && column.kind === 'int32') {
    // int32 deltas only where the values' span allows: else try them all again
    const bounds = fixedKindBounds(column, start, end);
    if (int32DeltasFit(bounds)) return encodeChunkAs(column, start, end, options, reused, choice, { nullCount: countNulls(column.nulls, start, end), bounds });
  } else if (reused !== undefined) {
    return encodeChunkAs(column, start, end, options, reused, choice);
  }
  // what every candidate shares, computed once
  const facts: ChunkFacts = { nullCount: countNulls(column.nulls, start, end), bounds: fixedKindBounds(column, start, end) };
  const candidates = [encodeChunkAs(column, start, end, options, Encoding.PLAIN, choice, facts)];
  const tryDelta = column.kind === 'int64' ? options.tryDeltaInt64 : options.tryDeltaInt32 && int32DeltasFit(facts.bounds);
  if (tryDelta) candidates.push(encodeChunkAs(column, start, end, options, Encoding.DELTA_BINARY_PACKED, choice, facts));
  const dictionary = intDictionaryChunk(column, start, end, options, choice, facts);
  if (dictionary !== undefined) candidates.push(dictionary);
  return smallest(candidates, choice);
}

/** Whether an int32 chunk's values (bounds: min, max as 4 bytes LE) span less than 2^31, so every delta fits in an int32. */
function int32DeltasFit(bounds: Bounds | undefined): boolean {
  if (bounds === undefined) return false;
  const min = new DataView(bounds.min.buffer, bounds.min.byteOffset, 4).getInt32(0, true);
  const max = new DataView(bounds.max.buffer, bounds.max.byteOffset, 4).getInt32(0, true);
  return max - min < 2 ** 31;
}

/** The chunk as a dictionary of its values (with a codec), or undefined when that does not fit. */
function intDictionaryChunk(column: Extract<PreparedColumn, { kind: 'int64' | 'int32' }>, start: number, end: number, options: ChunkOptions, choice: EncodingChoice | undefined, facts?: ChunkFacts): EncodedChunkAs | undefined {
  if (options.codec === undefined || !options.tryDictionary) return undefined;
  const chunk = new ChunkBuilder(column.nulls, column.optional, start, end, options.codec, facts?.nullCount, choice, column.presentRows);
  const present = end - start - chunk.nullCount;
  const limits = { maxEntries: Math.floor(present / 2), maxBytes: MAX_DICTIONARY_BYTES };
  const dictionary = limits.maxEntries > 0 ? encodeDictionaryInts(column, start, end, present, limits) : undefined;
  if (dictionary === undefined) return undefined;
  addDictionaryPages(chunk, dictionary, start, end, options.pageBytes);
  return { ...chunk.finish(chunkStatistics(column, start, end, chunk.nullCount, facts ? facts.bounds : fixedKindBounds(column, start, end))), valuesEncoding: Encoding.RLE_DICTIONARY };
}

/** The smallest chunk as stored; where there was a choice, its values' encoding remembered in `choice`. */
function smallest(candidates: readonly EncodedChunkAs[], choice: EncodingChoice | undefined): EncodedColumnChunk {
  let best = candidates[0]!;
  for (const c of candidates) if (c.byteLength < best.byteLength) best = c;
  if (candidates.length > 1) choice?.encoding.remember(best.valuesEncoding);
  return best;
}

/** Of one chunk's rows, whichever way its values are encoded (an integer chunk's candidates share them). */
interface ChunkFacts {
  nullCount: number;
  bounds: Bounds | undefined;
}

/** A chunk encoded as asked: `valuesEncoding` what was asked (a string dictionary that did not pay is PLAIN all the same). */
type EncodedChunkAs = EncodedColumnChunk & { valuesEncoding: Encoding };

/**
 * The chunk with values in `encoding` where the kind has a choice: int64
 * PLAIN or DELTA_BINARY_PACKED; strings RLE_DICTIONARY (when it pays) or PLAIN.
 */
function encodeChunkAs(column: PreparedColumn, start: number, end: number, options: ChunkOptions, encoding: Encoding, choice: EncodingChoice | undefined, facts?: ChunkFacts): EncodedChunkAs {
  const chunk = new ChunkBuilder(column.nulls, column.optional, start, end, options.codec, facts?.nullCount, choice, column.presentRows);
  // strings' PLAIN pages: DELTA_LENGTH_BYTE_ARRAY tried beside PLAIN at a trial, alone once a trial chose it
  if (options.tryDeltaLengthStrings === true && options.codec !== undefined) chunk.deltaLengths = encoding === Encoding.DELTA_LENGTH_BYTE_ARRAY ? 'only' : 'try';
  let bounds: Bounds | undefined;
  switch (column.kind) {
    case 'int64':
    case 'int32':
    case 'double':
    case 'fixed16':
    case 'fixed8': {
      if ((column.kind === 'int64' || column.kind === 'int32') && encoding === Encoding.DELTA_BINARY_PACKED) {
        // ~1-3 bytes a value where deltas are small: pages by value count at one byte each
        const rowsPerPage = Math.max(1, options.pageBytes);
        for (let a = start; a < end; a += rowsPerPage) {
          const b = Math.min(end, a + rowsPerPage);
          chunk.addDataPage(a, b, Encoding.DELTA_BINARY_PACKED, deltaBinaryPacked(column.values, a, b, column.nulls, chunk.presentIn(a, b), chunk.pageScratch(deltaPages)));
        }
      } else {
        const rowsPerPage = Math.max(1, Math.floor(options.pageBytes / column.width));
        for (let a = start; a < end; a += rowsPerPage) {
          const b = Math.min(end, a + rowsPerPage);
          chunk.addDataPage(a, b, Encoding.PLAIN, plainFixedWidth(column.bytes, column.width, a, b, column.nulls, chunk.presentIn(a, b)));
        }
      }
      bounds = facts ? facts.bounds : fixedKindBounds(column, start, end);
      break;
    }
    case 'boolean': {
      const rowsPerPage = Math.max(8, options.pageBytes * 8);
      for (let a = start; a < end; a += rowsPerPage) {
        const b = Math.min(end, a + rowsPerPage);
        chunk.addDataPage(a, b, Encoding.PLAIN, plainBooleans(column.values, a, b, column.nulls, chunk.presentIn(a, b)));
      }
      bounds = booleanBounds(column.values, start, end, column.nulls);
      break;
    }
    case 'string':
      bounds = encodeStrings(chunk, column.values, start, end, { ...options, tryDictionary: options.tryDictionary && encoding === Encoding.RLE_DICTIONARY });
      break;
    case 'string-entries': {
      const dictionary = encoding === Encoding.RLE_DICTIONARY;
      const wholeColumn = column.presentRows?.wholeColumn ?? (start === 0 && end === column.indices.length);
      const whole = options.codec === undefined && dictionary && wholeColumn ? encodeWholeStringEntries(chunk, column, end, options.pageBytes) : undefined;
      bounds = whole ? whole.bounds : encodeStringEntries(chunk, column, start, end, options.pageBytes, dictionary);
      break;
    }
  }
  const finished = chunk.finish(chunkStatistics(column, start, end, chunk.nullCount, bounds));
  // PLAIN strings whose pages all came out smaller as DELTA_LENGTH_BYTE_ARRAY: that is what the next row groups reuse
  const deltaLengths = encoding === Encoding.PLAIN && finished.encodings.includes(Encoding.DELTA_LENGTH_BYTE_ARRAY) && chunk.plainStringPages === 0;
  return { ...finished, valuesEncoding: deltaLengths ? Encoding.DELTA_LENGTH_BYTE_ARRAY : encoding };
}

function chunkStatistics(column: PreparedColumn, start: number, end: number, nullCount: number, bounds: Bounds | undefined): Statistics {
  const statistics: Statistics = { nullCount };
  if (bounds !== undefined) {
    statistics.minValue = bounds.min;
    statistics.maxValue = bounds.max;
  }
  if (column.kind === 'double') statistics.nanCount = countNaN(column.values, start, end, column.nulls);
  return statistics;
}

function fixedKindBounds(column: PreparedColumn, start: number, end: number): Bounds | undefined {
  switch (column.kind) {
    case 'int64':
      return int64Bounds(column.values, start, end, column.nulls);
    case 'int32':
      return int32Bounds(column.values, start, end, column.nulls);
    case 'double':
      return doubleBounds(column.values, start, end, column.nulls);
    case 'fixed16':
    case 'fixed8':
      return fixedWidthBounds(column.bytes, column.width, start, end, column.nulls);
    default:
      return undefined;
  }
}

/** Pages of a string chunk, dictionary encoded when it pays; returns the bounds. */
function encodeStrings(
  chunk: ChunkBuilder,
  values: ReadonlyArray<string | undefined>,
  start: number,
  end: number,
  options: ChunkOptions,
): Bounds | undefined {
  const present = end - start - chunk.nullCount;
  const limits = { maxEntries: Math.floor(present / 2), maxBytes: MAX_DICTIONARY_BYTES };
  const dictionary = options.tryDictionary && limits.maxEntries > 0 ? encodeDictionaryStrings(values, start, end, present, limits) : undefined;
  if (dictionary !== undefined) {
    addDictionaryPages(chunk, dictionary, start, end, options.pageBytes);
    return byteArrayBounds(dictionary.dictionary, dictionary.dictionary.length);
  }
  const plain = encodePlainStrings(values, start, end, options.pageBytes);
  let a = start;
  let byteStart = 0;
  for (let p = 0; p < plain.pageRowEnds.length; p++) {
    const b = plain.pageRowEnds[p]!;
    const byteEnd = plain.pageByteEnds[p]!;
    chunk.addPlainStringPage(a, b, plain.data.subarray(byteStart, byteEnd));
    a = b;
    byteStart = byteEnd;
  }
  if (plain.asciiMin === undefined || plain.asciiMax === undefined) return byteArrayBounds(plain.data, plain.data.length);
  // ASCII: JS order is byte order, and byte length is string length
  if (plain.asciiMin.length > MAX_BYTE_ARRAY_BOUND || plain.asciiMax.length > MAX_BYTE_ARRAY_BOUND) return undefined;
  return { min: Buffer.from(plain.asciiMin, 'latin1'), max: Buffer.from(plain.asciiMax, 'latin1') };
}

/**
 * encodeStringEntries' map from a column's entries to a chunk's, kept across
 * chunks (all -1 between calls): a column of many entries (ids, the events)
 * would otherwise allocate and fill one per row group.
 */
const localScratch = new Scratch((n) => new Int32Array(n).fill(-1));
/** encodeStringEntries' entries in order of first use and its rows' numbers of them, per chunk (the indices hybrid-encoded before the next). */
const usedScratch = new Scratch((n) => new Uint32Array(n));
const localNumberScratch = new Scratch((n) => new Uint32Array(n));

/**
 * Rows [start, end) of pre-encoded strings: the distinct values of the entries
 * they use, numbered in order of first use, become the dictionary — or, when every row uses an
 * entry of its own, the PLAIN values (first-use order is then row order).
 */
function encodeStringEntries(
  chunk: ChunkBuilder,
  column: Extract<PreparedColumn, { kind: 'string-entries' }>,
  start: number,
  end: number,
  pageBytes: number,
  /** false: PLAIN values even when rows share entries */
  allowDictionary = true,
): Bounds | undefined {
  if (!allowDictionary) {
    // no dictionary wanted: nothing to deduplicate (the flush's text columns, once a trial chose PLAIN)
    const values = rowValues(column, start, end, chunk.pageScratch(stringChunkBytes));
    addPlainEntryPages(chunk, values, column.nulls, start, end, pageBytes);
    return byteArrayBounds(values, values.length);
  }
  const { entries, entryStarts, indices, nulls } = column;
  const present = end - start - chunk.nullCount;
  // per entry of the column, its number in this chunk (-1: not used yet); left all -1 again below
  const localOf = localScratch.take(entryStarts.length - 1);
  const used = usedScratch.take(present);
  const local = localNumberScratch.take(present);
  // the loops are functions of their own: no branch after them that V8's on-stack replacement compiles unseen (docs/storage.md, session 11)
  const usedCount = numberEntriesByFirstUse(indices, nulls, start, end, localOf, used, local);
  const data = usedEntryBytes(entries, entryStarts, used, usedCount, localOf, chunk.pageScratch(stringChunkBytes));
  if (usedCount === present) {
    // one entry per row: PLAIN, first-use order being row order
    addPlainEntryPages(chunk, data, nulls, start, end, pageBytes);
  } else {
    addDictionaryPages(chunk, { dictionary: data, entries: usedCount, indices: local }, start, end, pageBytes);
  }
  return byteArrayBounds(data, data.length);
}

/**
 * Numbers the entries rows [start, end) use in order of first use:
 * used[l] = the entry numbered l, local[p] = the number of the p-th non-null
 * row's entry; localOf maps entries to their numbers (-1: unused). Returns
 * how many entries are used.
 */
function numberEntriesByFirstUse(indices: Uint32Array, nulls: Uint8Array | undefined, start: number, end: number, localOf: Int32Array, used: Uint32Array, local: Uint32Array): number {
  let usedCount = 0;
  let p = 0;
  // (entries of equal bytes were merged when the column was prepared: columns.ts)
  for (let i = start; i < end; i++) {
    if (nulls !== undefined && nulls[i] !== 0) continue;
    const e = indices[i]!;
    let l = localOf[e]!;
    if (l < 0) {
      l = usedCount++;
      localOf[e] = l;
      used[l] = e;
    }
    local[p++] = l;
  }
  return usedCount;
}

/** The bytes of entries used[0, usedCount) one after another (into `scratch` when given); sets their localOf back to -1. */
function usedEntryBytes(entries: Uint8Array, entryStarts: Uint32Array, used: Uint32Array, usedCount: number, localOf: Int32Array, scratch: Scratch<Uint8Array> | undefined): Uint8Array {
  let usedBytes = 0;
  for (let l = 0; l < usedCount; l++) usedBytes += entryStarts[used[l]! + 1]! - entryStarts[used[l]!]!;
  const data = scratch === undefined ? new Uint8Array(usedBytes) : scratch.take(usedBytes);
  for (let l = 0, at = 0; l < usedCount; l++) {
    const e = used[l]!;
    localOf[e] = -1;
    const from = entryStarts[e]!;
    const to = entryStarts[e + 1]!;
    // short values byte by byte: a subarray per entry costs more than the copy
    if (to - from > 64) data.set(entries.subarray(from, to), at);
    else for (let k = from, o = at; k < to; k++, o++) data[o] = entries[k]!;
    at += to - from;
  }
  return data;
}

/**
 * encodeStringEntries() of a chunk holding every row of the column, in an
 * uncompressed file (the head's staging files): the column's entries are
 * written as they are, without numbering them again in order of use and
 * copying them — as the dictionary when they are distinct and fewer than the
 * rows (an entry no row uses any more is harmless there), or as the PLAIN
 * values when each row has its own entry in row order (events, links).
 * Undefined when neither holds (nothing written then); else the chunk's bounds.
 */
function encodeWholeStringEntries(chunk: ChunkBuilder, column: Extract<PreparedColumn, { kind: 'string-entries' }>, rows: number, pageBytes: number): { bounds: Bounds | undefined } | undefined {
  const { entries, entryStarts, indices, nulls } = column;
  const entryCount = entryStarts.length - 1;
  const present = rows - chunk.nullCount;
  const bytes = entries.subarray(0, entryStarts[entryCount]!);
  if (column.distinct && entryCount > 0 && entryCount < present) {
    const local = nulls !== undefined && chunk.nullCount > 0 ? presentIndices(indices, nulls, rows, present) : indices;
    addDictionaryPages(chunk, { dictionary: bytes, entries: entryCount, indices: local }, 0, rows, pageBytes);
    return { bounds: byteArrayBounds(bytes, bytes.length) };
  }
  if (entryCount !== present || entryStarts[0] !== 0 || !entriesInRowOrder(indices, nulls, rows)) return undefined;
  addPlainEntryPages(chunk, bytes, nulls, 0, rows, pageBytes);
  return { bounds: byteArrayBounds(bytes, bytes.length) };
}

// encodeWholeStringEntries' loops, functions of their own with nothing after
// them: V8 (Node 20) keeps a loop's on-stack-replaced code after it
// deoptimises, and code after the loop deoptimised it on every later chunk
// (171 times in a flush bench's staging: docs/storage.md, session 11).

/** presentIndices' answer, garbage once its page is written (hybridIndices copies them). */
const presentIndexScratch = new Scratch((n) => new Uint32Array(n));

/** The indices of the rows with a value (nulls[i] = 0) among the first `rows`: valid until the next call. */
function presentIndices(indices: Uint32Array, nulls: Uint8Array, rows: number, present: number): Uint32Array {
  const local = presentIndexScratch.take(present);
  for (let i = 0, p = 0; i < rows; i++) if (nulls[i] === 0) local[p++] = indices[i]!;
  return local;
}

/** Whether the rows with a value use entries 0, 1, 2, … in order. */
function entriesInRowOrder(indices: Uint32Array, nulls: Uint8Array | undefined, rows: number): boolean {
  for (let i = 0, e = 0; i < rows; i++) {
    if (nulls !== undefined && nulls[i] !== 0) continue;
    if (indices[i] !== e++) return false;
  }
  return true;
}

/** PLAIN pages of the rows' values (`values`: one `u32 length, bytes` per non-null row) of about pageBytes, cut at row boundaries. */
function addPlainEntryPages(chunk: ChunkBuilder, values: Uint8Array, nulls: Uint8Array | undefined, start: number, end: number, pageBytes: number): void {
  let a = start;
  let byteStart = 0;
  let at = 0;
  for (let i = start; i < end; i++) {
    if (nulls !== undefined && nulls[i] !== 0) continue;
    at += 4 + ((values[at]! | (values[at + 1]! << 8) | (values[at + 2]! << 16) | (values[at + 3]! << 24)) >>> 0);
    if (at - byteStart >= pageBytes) {
      chunk.addPlainStringPage(a, i + 1, values.subarray(byteStart, at));
      a = i + 1;
      byteStart = at;
    }
  }
  if (a < end || a === start) chunk.addPlainStringPage(a, end, values.subarray(byteStart, at));
}

/** The PLAIN values of the non-null rows [start, end), one entry per row (into `scratch` when given). */
function rowValues(column: Extract<PreparedColumn, { kind: 'string-entries' }>, start: number, end: number, scratch: Scratch<Uint8Array> | undefined): Uint8Array {
  const { entries, entryStarts, indices, nulls } = column;
  let bytes = 0;
  for (let i = start; i < end; i++) if (nulls === undefined || nulls[i] === 0) bytes += entryStarts[indices[i]! + 1]! - entryStarts[indices[i]!]!;
  const out = scratch === undefined ? new Uint8Array(bytes) : scratch.take(bytes);
  for (let i = start, at = 0; i < end; i++) {
    if (nulls !== undefined && nulls[i] !== 0) continue;
    const from = entryStarts[indices[i]!]!;
    const to = entryStarts[indices[i]! + 1]!;
    // short values byte by byte: a subarray per row costs more than the copy
    if (to - from > 64) out.set(entries.subarray(from, to), at);
    else for (let k = from, o = at; k < to; k++, o++) out[o] = entries[k]!;
    at += to - from;
  }
  return out;
}

/** Dictionary page, then data pages of `bit width byte, hybrid indices`. */
function addDictionaryPages(chunk: ChunkBuilder, dictionary: Dictionary, start: number, end: number, pageBytes: number): void {
  chunk.addDictionaryPage(dictionary.dictionary, dictionary.entries);
  const bitWidth = bitWidthFor(dictionary.entries - 1);
  const rowsPerPage = Math.max(8, Math.floor((pageBytes * 8) / bitWidth));
  let index = 0;
  for (let a = start; a < end; a += rowsPerPage) {
    const b = Math.min(end, a + rowsPerPage);
    const count = chunk.presentIn(a, b);
    if (chunk.compressed) addCompressedIndexPage(chunk, dictionary.indices, index, count, bitWidth, a, b);
    else chunk.addDataPage(a, b, Encoding.RLE_DICTIONARY, chunk.kept(hybridIndices(dictionary.indices, index, count, bitWidth, 'smaller', packedPages)));
    index += count;
  }
}

/**
 * A compressed page's values are garbage once compressed: each form of a
 * page's dictionary indices (addCompressedIndexPage may hold all three at
 * once), its definition levels and DELTA_BINARY_PACKED values are written
 * into arrays kept for the next page (ChunkBuilder.pageScratch).
 */
const packedPages = new Scratch((n) => new Uint8Array(n));
const runPages = new Scratch((n) => new Uint8Array(n));
const wholeBytePages = new Scratch((n) => new Uint8Array(n));
const levelPages = new Scratch((n) => new Uint8Array(n));
const deltaPages = new Scratch((n) => new Uint8Array(n));
const joinedPages = new Scratch((n) => new Uint8Array(n));
/** a compressed string chunk's values (its dictionary, or its rows' PLAIN values), cut into pages and compressed before the next chunk */
const stringChunkBytes = new Scratch((n) => new Uint8Array(n));

/** `bit width byte, hybrid` of indices[from, from + count), into `scratch` when given (else a fresh array). */
function hybridIndices(indices: Uint32Array, from: number, count: number, width: number, runsOnly: 'smaller' | 'never' | 'always', scratch?: Scratch<Uint8Array>): Uint8Array {
  // runs only: at most a varint header and the value's bytes a value
  const length = 1 + (runsOnly === 'always' ? count * (5 + ((width + 7) >>> 3)) : hybridMaxBytes(count, width));
  const out = scratch === undefined ? new Uint8Array(length) : scratch.take(length);
  out[0] = width;
  return out.subarray(0, encodeHybrid(indices, from, from + count, width, out, 1, runsOnly));
}

/**
 * A compressed data page of dictionary indices, in the form that compresses
 * smallest, a matter of the codec: packed, as RLE runs only (where there are
 * few runs), or packed at whole bytes. The forms are each compressed on a
 * trial page only; between trials the column's last winner is written
 * (EncodingChoice), unless it does not fit this page.
 */
function addCompressedIndexPage(chunk: ChunkBuilder, indices: Uint32Array, from: number, count: number, bitWidth: number, a: number, b: number): void {
  const wholeBytes = count < MIN_WHOLE_BYTE_INDICES ? undefined : bitWidth < 8 ? 8 : bitWidth > 8 && bitWidth < 16 ? 16 : undefined;
  const reused = chunk.choice?.indexForm.reuse();
  if (reused === 'whole-bytes' && wholeBytes !== undefined) {
    chunk.addDataPage(a, b, Encoding.RLE_DICTIONARY, hybridIndices(indices, from, count, wholeBytes, 'never', wholeBytePages));
    return;
  }
  const packed = hybridIndices(indices, from, count, bitWidth, 'never', packedPages);
  if (reused === 'packed') {
    chunk.addDataPage(a, b, Encoding.RLE_DICTIONARY, packed);
    return;
  }
  const runsFit = fewRuns(indices, from, from + count, packed.length);
  if (reused === 'runs' && runsFit) {
    chunk.addDataPage(a, b, Encoding.RLE_DICTIONARY, hybridIndices(indices, from, count, bitWidth, 'always', runPages));
    return;
  }
  // a trial (or a winner that does not fit this page): each form compressed, the smallest kept
  const forms: IndexForm[] = ['packed'];
  const alternatives: PageValues[] = [];
  if (runsFit) {
    forms.push('runs');
    alternatives.push({ encoding: Encoding.RLE_DICTIONARY, values: hybridIndices(indices, from, count, bitWidth, 'always', runPages) });
  }
  if (wholeBytes !== undefined) {
    forms.push('whole-bytes');
    alternatives.push({ encoding: Encoding.RLE_DICTIONARY, values: hybridIndices(indices, from, count, wholeBytes, 'never', wholeBytePages) });
  }
  const kept = chunk.addDataPage(a, b, Encoding.RLE_DICTIONARY, packed, alternatives);
  chunk.choice?.indexForm.remember(forms[kept + 1]!);
}

/**
 * Whether values[start, end) as RLE runs only (at least two bytes a run)
 * may compress smaller than `packedBytes` of packed values: fewer runs than
 * RUNS_TRIAL_FACTOR × packedBytes / 2.
 */
function fewRuns(values: Uint32Array, start: number, end: number, packedBytes: number): boolean {
  const most = (RUNS_TRIAL_FACTOR * packedBytes) / 2;
  let runs = 1;
  for (let i = start + 1; i < end; i++) if (values[i] !== values[i - 1] && ++runs > most) return false;
  return end > start;
}

/**
 * A data page body compressed: one frame of the levels and values, or with
 * zstd, where the levels are more than one run, a frame of each
 * (docs/format/parquet-writer.md, "Levels in a frame of their own") — the
 * smallest of `values` and its `alternatives` so written. `kept`: -1 for
 * `values`, else the index of the alternative kept. The levels' own frame is
 * compressed once for all of them.
 */
function compressSmallest(levels: Uint8Array | undefined, values: Uint8Array, alternatives: readonly Uint8Array[], codec: PageCodec): { stored: Uint8Array; kept: number } {
  const levelsFrame = levels !== undefined && codec.codec === 'zstd' && levels.length > SINGLE_RUN_LEVELS_BYTES ? levelsFrameOf(levels, codec) : undefined;
  const compress = (v: Uint8Array): Uint8Array => compressPage(levels === undefined || levelsFrame !== undefined ? v : pageBody(levels, v), codec);
  let stored = compress(values);
  let kept = -1;
  alternatives.forEach((alternative, i) => {
    const other = compress(alternative);
    if (other.length < stored.length) {
      stored = other;
      kept = i;
    }
  });
  return { stored: levelsFrame === undefined ? stored : Buffer.concat([levelsFrame, stored]), kept };
}

/**
 * The last levels compressed in a frame of their own, and that frame: the
 * candidates of a chunk's trial (PLAIN, delta, dictionary) have the same
 * levels, and so do columns of one null mask written one after another
 * (resource attributes), ~700 frames of a 1 M-span flush (docs/storage.md,
 * session 15). Frames are copied into the page's body, never kept.
 */
const lastLevels: { bytes: Buffer; level: number; frame: Uint8Array } = { bytes: Buffer.alloc(0), level: 0, frame: new Uint8Array(0) };

/** The zstd frame of `levels`, compressed again only when they are not the last ones. */
function levelsFrameOf(levels: Uint8Array, codec: PageCodec & { codec: 'zstd' }): Uint8Array {
  const last = lastLevels;
  if (codec.level === last.level && last.bytes.equals(levels)) return last.frame;
  last.frame = compressPage(levels, codec);
  // a copy (levels are a page's scratch), a few KiB: 8 per 64 Ki rows
  last.bytes = Buffer.from(levels);
  last.level = codec.level;
  return last.frame;
}

/** Levels and values of a page one after another, to compress: valid until the next call. */
function pageBody(levels: Uint8Array, values: Uint8Array): Uint8Array {
  const body = joinedPages.take(levels.length + values.length);
  body.set(levels, 0);
  body.set(values, levels.length);
  return body;
}

/** A data page's values as written in `encoding`: one of the forms addDataPage compares. */
interface PageValues {
  encoding: Encoding;
  values: Uint8Array;
}

class ChunkBuilder {
  private readonly parts: Uint8Array[] = [];
  private readonly pages: PageLayout[] = [];
  private dictionary: DictionaryLayout | undefined;
  private byteLength = 0;
  private uncompressedByteLength = 0;
  private dictionaryPageBytes = 0;
  private readonly encodings = new Set<Encoding>([Encoding.PLAIN]);
  /** Nulls in the chunk's rows. */
  readonly nullCount: number;
  /** addPlainStringPage's pages: PLAIN, DELTA_LENGTH_BYTE_ARRAY where smaller (compressed pages only), or DELTA_LENGTH_BYTE_ARRAY */
  deltaLengths: 'never' | 'try' | 'only' = 'never';
  /** pages addPlainStringPage kept PLAIN */
  plainStringPages = 0;

  /** `nulls`: mask of the whole column, undefined without a null row; `optional`: pages carry definition levels. */
  constructor(
    readonly nulls: Uint8Array | undefined,
    private readonly optional: boolean,
    private readonly start: number,
    private readonly end: number,
    private readonly codec?: PageCodec,
    /** the rows' nulls, when the caller has counted them */
    nullCount?: number,
    /** the column's choices in the file's earlier row groups (dictionary index forms) */
    readonly choice?: EncodingChoice,
    /** a compacted sparse chunk's rows (its one data page holds them all) */
    private readonly presentRows?: PresentRows,
  ) {
    if (optional) this.encodings.add(Encoding.RLE);
    this.nullCount = nullCount ?? countNulls(nulls, start, end);
  }

  /** Non-null rows in [a, b) ⊆ the chunk; counted again only for a page smaller than the chunk. */
  presentIn(a: number, b: number): number {
    if (a === this.start && b === this.end) return b - a - this.nullCount;
    return b - a - countNulls(this.nulls, a, b);
  }

  addDictionaryPage(body: Uint8Array, entries: number): void {
    const stored = this.codec === undefined ? body : compressPage(body, this.codec);
    const header = encodeDictionaryPageHeader(body.length, entries, stored.length);
    this.push(header, header.length);
    this.dictionary = { bodyAt: this.byteLength, bytes: body.length, entries };
    this.push(stored, body.length);
    this.dictionaryPageBytes = header.length + stored.length;
    this.encodings.add(Encoding.RLE_DICTIONARY);
  }

  /** Whether pages are compressed. */
  get compressed(): boolean {
    return this.codec !== undefined;
  }

  /** `scratch` for a page's body when pages are compressed (nothing keeps the body then); undefined: a fresh array, kept as the page. */
  pageScratch(scratch: Scratch<Uint8Array>): Scratch<Uint8Array> | undefined {
    return this.codec !== undefined ? scratch : undefined;
  }

  /**
   * A page's levels or dictionary indices, written into scratch: as they are
   * when pages are compressed, else a copy of their length, kept as the page.
   * A fresh array of the most they may take (a byte a row for the levels)
   * was ~a kilobyte of garbage a span in the head's staging files, where a
   * sparse column's levels are a few hundred bytes (docs/storage.md, session 15).
   */
  kept(scratchBytes: Uint8Array): Uint8Array {
    return this.codec !== undefined ? scratchBytes : scratchBytes.slice();
  }

  /**
   * A v1 data page of rows [start, end): definition levels (OPTIONAL only),
   * then `values` — or, compressed, one of `alternatives` where that
   * compresses smaller (the same values written another way, in its own
   * encoding). Returns which was kept: -1 for `values`, else the
   * alternative's index.
   */
  addDataPage(start: number, end: number, encoding: Encoding, values: Uint8Array, alternatives: readonly PageValues[] = []): number {
    const levels = this.optional ? this.definitionLevels(start, end) : undefined;
    const rows = this.presentRows?.rows ?? end - start;
    if (this.codec !== undefined) {
      const { stored, kept } = compressSmallest(levels, values, alternatives.map((a) => a.values), this.codec);
      if (kept >= 0) ({ encoding, values } = alternatives[kept]!);
      this.encodings.add(encoding);
      const bodyBytes = (levels?.length ?? 0) + values.length;
      const header = encodeDataPageHeader(bodyBytes, rows, encoding, stored.length);
      this.push(header, header.length);
      this.pages.push({ rows, dictionaryIndices: encoding === Encoding.RLE_DICTIONARY, bodyAt: this.byteLength, levelsBytes: levels?.length ?? 0, valuesBytes: values.length });
      this.push(stored, bodyBytes);
      return kept;
    }
    this.encodings.add(encoding);
    const bodyBytes = (levels?.length ?? 0) + values.length;
    const header = encodeDataPageHeader(bodyBytes, rows, encoding);
    this.push(header, header.length);
    this.pages.push({
      rows,
      dictionaryIndices: encoding === Encoding.RLE_DICTIONARY,
      bodyAt: this.byteLength,
      levelsBytes: levels?.length ?? 0,
      valuesBytes: values.length,
    });
    if (levels !== undefined) this.push(levels, levels.length);
    if (values.length > 0) this.push(values, values.length);
    return -1;
  }

  /** Definition levels of a page of rows [start, end); of a compacted sparse chunk, from the rows with a value (its one page). */
  private definitionLevels(start: number, end: number): Uint8Array {
    const packedOnly = this.codec?.codec === 'zstd';
    if (this.presentRows === undefined) return this.kept(encodeDefinitionLevels(this.nulls, start, end, this.presentIn(start, end), packedOnly, levelPages));
    if (start !== this.start || end !== this.end) throw new Error('parquet: a compacted sparse chunk is one data page');
    return this.kept(definitionLevelsOfPresentRows(this.presentRows.offsets, this.presentRows.rows, packedOnly, levelPages));
  }

  /** A data page of PLAIN byte arrays (`u32 length, bytes` each), or their DELTA_LENGTH_BYTE_ARRAY where that compresses smaller. */
  addPlainStringPage(start: number, end: number, values: Uint8Array): void {
    const count = this.presentIn(start, end);
    if (this.deltaLengths === 'never' || count === 0) {
      this.plainStringPages++;
      this.addDataPage(start, end, Encoding.PLAIN, values);
      return;
    }
    const deltaLengths = deltaLengthByteArray(values, count);
    if (this.deltaLengths === 'only') {
      this.addDataPage(start, end, Encoding.DELTA_LENGTH_BYTE_ARRAY, deltaLengths);
      return;
    }
    if (this.addDataPage(start, end, Encoding.PLAIN, values, [{ encoding: Encoding.DELTA_LENGTH_BYTE_ARRAY, values: deltaLengths }]) === -1) this.plainStringPages++;
  }

  finish(statistics: Statistics): EncodedColumnChunk {
    return {
      parts: this.parts,
      pages: this.pages,
      dictionary: this.dictionary,
      byteLength: this.byteLength,
      uncompressedByteLength: this.uncompressedByteLength,
      dictionaryPageBytes: this.dictionaryPageBytes,
      encodings: [...this.encodings].sort((x, y) => x - y),
      statistics,
    };
  }

  /** `bytes` as stored, `uncompressed` the length they stand for */
  private push(bytes: Uint8Array, uncompressed: number): void {
    this.parts.push(bytes);
    this.byteLength += bytes.length;
    this.uncompressedByteLength += uncompressed;
  }
}

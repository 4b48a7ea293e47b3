// String columns: UTF-8 into one growing buffer as PLAIN byte arrays
// (`u32 length, bytes` per value), either the values themselves or the
// distinct values of a dictionary. One Buffer.write per string; no object
// per value beyond the dictionary's Map entries.

/** Worst-case UTF-8 bytes per UTF-16 code unit (lone surrogates become U+FFFD). */
const MAX_UTF8_PER_UNIT = 3;

/** PLAIN BYTE_ARRAY values appended into one buffer that doubles as needed. */
export class ByteArrayBuilder {
  bytes: Buffer;
  length = 0;

  constructor(initialBytes: number) {
    this.bytes = Buffer.allocUnsafe(Math.max(64, initialBytes));
  }

  append(value: string): void {
    const need = this.length + 4 + value.length * MAX_UTF8_PER_UNIT;
    if (need > this.bytes.length) this.grow(need);
    const bytes = this.bytes;
    const at = this.length;
    const written = bytes.write(value, at + 4, 'utf8');
    bytes[at] = written;
    bytes[at + 1] = written >>> 8;
    bytes[at + 2] = written >>> 16;
    bytes[at + 3] = written >>> 24;
    this.length = at + 4 + written;
  }

  private grow(need: number): void {
    const grown = Buffer.allocUnsafe(Math.max(need, this.bytes.length * 2));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
  }
}

export interface PlainStrings {
  data: Uint8Array;
  /** Per data page: first row past the page, and byte offset in `data` past the page. */
  pageRowEnds: number[];
  pageByteEnds: number[];
  /**
   * Smallest and largest value when every value is ASCII, where UTF-16 order
   * (JS `<`) equals UTF-8 byte order; undefined otherwise (or no value).
   */
  asciiMin: string | undefined;
  asciiMax: string | undefined;
}

/** Values sampled to size the buffer up front (growing copies it). */
const SIZE_SAMPLE = 32;

/** PLAIN encoding of rows [start, end), cut into pages of about `pageBytes`. */
export function encodePlainStrings(
  values: ReadonlyArray<string | undefined>,
  start: number,
  end: number,
  pageBytes: number,
): PlainStrings {
  const builder = new ByteArrayBuilder(estimateBytes(values, start, end));
  const pageRowEnds: number[] = [];
  const pageByteEnds: number[] = [];
  let pageStart = 0;
  let ascii = true;
  let min: string | undefined;
  let max: string | undefined;
  for (let i = start; i < end; i++) {
    const value = values[i];
    if (value === undefined) continue;
    const before = builder.length;
    builder.append(value);
    if (ascii) {
      ascii = builder.length - before - 4 === value.length;
      if (min === undefined || max === undefined) min = max = value;
      else if (value < min) min = value;
      else if (value > max) max = value;
    }
    if (builder.length - pageStart >= pageBytes && i + 1 < end) {
      pageRowEnds.push(i + 1);
      pageByteEnds.push(builder.length);
      pageStart = builder.length;
    }
  }
  pageRowEnds.push(end);
  pageByteEnds.push(builder.length);
  return {
    data: builder.bytes.subarray(0, builder.length),
    pageRowEnds,
    pageByteEnds,
    asciiMin: ascii ? min : undefined,
    asciiMax: ascii ? max : undefined,
  };
}

/** PLAIN bytes of rows [start, end), extrapolated from the first values' lengths. */
function estimateBytes(values: ReadonlyArray<string | undefined>, start: number, end: number): number {
  let sampled = 0;
  let units = 0;
  for (let i = start; i < end && sampled < SIZE_SAMPLE; i++) {
    const value = values[i];
    if (value === undefined) continue;
    sampled++;
    units += value.length;
  }
  const perValue = 4 + (sampled === 0 ? 0 : units / sampled);
  return Math.ceil((end - start) * perValue * 1.25) + 1024;
}

export interface Dictionary {
  /** Distinct values in first-seen order, PLAIN encoded: the dictionary page body. */
  dictionary: Uint8Array;
  entries: number;
  /**
   * Dictionary index of each non-null value, in row order. A view of a shared
   * scratch array: valid only until the next encodeDictionaryStrings call.
   */
  indices: Uint32Array;
}

export interface DictionaryLimits {
  maxEntries: number;
  maxBytes: number;
}

/** Reused across calls: indices are hybrid-encoded before the next chunk starts. */
let indexScratch = new Uint32Array(0);

/** After this many values a column this distinct is taken for high-cardinality. */
export const EARLY_CHECK_VALUES = 4096;
export const EARLY_CHECK_MAX_DISTINCT_RATIO = 0.9;

/** Share of new values above which StringEntries.mostlyNew holds. */
const MOSTLY_NEW_SHARE = 0.5;

/**
 * Dictionary encoding of rows [start, end) holding `nonNull` values, or
 * undefined as soon as it is clear it will not fit `limits` (or, after
 * EARLY_CHECK_VALUES values, nearly every value has been new).
 */
export function encodeDictionaryStrings(
  values: ReadonlyArray<string | undefined>,
  start: number,
  end: number,
  nonNull: number,
  limits: DictionaryLimits,
): Dictionary | undefined {
  const positions = new Map<string, number>();
  const builder = new ByteArrayBuilder(Math.min(limits.maxBytes, 4096));
  if (indexScratch.length < nonNull) indexScratch = new Uint32Array(Math.max(nonNull, indexScratch.length * 2));
  const indices = indexScratch;
  let k = 0;
  // Runs of one value are common (a resource's attributes repeat on each of
  // its spans' rows): the previous value's index is reused without a lookup.
  let last: string | undefined;
  let lastIndex = 0;
  for (let i = start; i < end; i++) {
    const value = values[i];
    if (value === undefined) continue;
    if (value !== last) {
      let index = positions.get(value);
      if (index === undefined) {
        index = positions.size;
        if (index >= limits.maxEntries) return undefined;
        positions.set(value, index);
        builder.append(value);
        if (builder.length > limits.maxBytes) return undefined;
      }
      last = value;
      lastIndex = index;
    }
    indices[k++] = lastIndex;
    if (k === EARLY_CHECK_VALUES && positions.size > EARLY_CHECK_VALUES * EARLY_CHECK_MAX_DISTINCT_RATIO) return undefined;
  }
  return { dictionary: builder.bytes.subarray(0, builder.length), entries: positions.size, indices: indices.subarray(0, nonNull) };
}

/**
 * Per entry, the first entry of equal bytes (itself when none before it), of
 * PLAIN byte arrays entry e at entries[entryStarts[e], entryStarts[e + 1]):
 * rows gathered from several staging files bring each file's own copy of a
 * value (src/parts/sorted-run.ts), the flush's compact events repeat. An
 * open-addressing table of entry numbers keyed by a hash of the bytes, each
 * slot with its hash (another entry's bytes are compared only when the
 * hashes agree): no string per entry.
 */
export function firstEqualEntries(entries: Uint8Array, entryStarts: Uint32Array, count: number): Int32Array {
  const canonical = new Int32Array(count);
  let capacity = 16;
  while (capacity < count * 2) capacity *= 2;
  const mask = capacity - 1;
  const slots = new Int32Array(capacity).fill(-1);
  const slotHashes = new Int32Array(capacity);
  const bytes = Buffer.from(entries.buffer, entries.byteOffset, entries.byteLength);
  for (let e = 0; e < count; e++) {
    const from = entryStarts[e]!;
    const to = entryStarts[e + 1]!;
    const hash = hashBytes(entries, from, to);
    let slot = hash & mask;
    for (;;) {
      const other = slots[slot]!;
      if (other < 0) {
        slots[slot] = e;
        slotHashes[slot] = hash;
        canonical[e] = e;
        break;
      }
      if (slotHashes[slot] === hash && equalBytes(bytes, entryStarts[other]!, entryStarts[other + 1]!, from, to)) {
        canonical[e] = other;
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  return canonical;
}

/**
 * A 32-bit hash of bytes[from, to): four bytes a multiply (a byte a multiply,
 * FNV-1a, was most of the merge's time: each multiply waits for the last).
 */
export function hashBytes(bytes: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5 ^ (to - from);
  let b = from;
  for (; b + 4 <= to; b += 4) {
    h = Math.imul(h ^ (bytes[b]! | (bytes[b + 1]! << 8) | (bytes[b + 2]! << 16) | (bytes[b + 3]! << 24)), 0x9e3779b1);
    h ^= h >>> 15;
  }
  for (; b < to; b++) h = Math.imul(h ^ bytes[b]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}

/** Longer entries are compared natively (memcmp); shorter ones cost less than the call. */
const NATIVE_COMPARE_BYTES = 32;

function equalBytes(bytes: Buffer, aFrom: number, aTo: number, bFrom: number, bTo: number): boolean {
  const length = aTo - aFrom;
  if (length !== bTo - bFrom) return false;
  if (length >= NATIVE_COMPARE_BYTES) return bytes.compare(bytes, bFrom, bTo, aFrom, aTo) === 0;
  for (let i = 0; i < length; i++) if (bytes[aFrom + i] !== bytes[bFrom + i]) return false;
  return true;
}

/**
 * The distinct strings of one column as they are added, UTF-8 encoded into
 * PLAIN byte arrays (the `entries` of a 'string-entries' column, columns.ts)
 * and numbered in first-seen order: a caller that has a value once for many
 * rows (a resource attribute) numbers it once and stores the number on each
 * row, and no array of JS strings per row is kept for the writer.
 *
 * A column nearly every value of which is new (ids) stops looking values up
 * after EARLY_CHECK_VALUES of them: each later value is an entry of its own,
 * as a PLAIN chunk would hold it, and the entries are no longer distinct
 * (`distinct` false; the writer merges equal ones). With `own`, no value is
 * looked up at all: each is an entry of its own, in the order added (a
 * column of log messages, known to be mostly new: its caller adds one value
 * a row, in row order, and writes it PLAIN as `ownEntries`).
 */
export class StringEntries {
  private readonly numbers = new Map<string, number>();
  private readonly bytes = new ByteArrayBuilder(1024);
  private starts = new Uint32Array(64);
  private looked = 0;
  private lastValue: string | undefined;
  private lastEntry = 0;
  count = 0;
  distinct: boolean;

  constructor(readonly own = false) {
    this.distinct = !own;
  }

  /** The entry number of `value`, added when new. */
  entry(value: string): number {
    if (this.own) return this.append(value);
    // runs of one value are common (GET on many spans in a row): no lookup for them
    if (value === this.lastValue) return this.lastEntry;
    this.lastValue = value;
    if (!this.distinct) return (this.lastEntry = this.append(value));
    let e = this.numbers.get(value);
    if (e === undefined) {
      e = this.append(value);
      this.numbers.set(value, e);
    }
    if (++this.looked === EARLY_CHECK_VALUES && this.count > EARLY_CHECK_VALUES * EARLY_CHECK_MAX_DISTINCT_RATIO) {
      this.distinct = false;
      this.numbers.clear();
    }
    return (this.lastEntry = e);
  }

  /** Whether most values were new (more than MOSTLY_NEW_SHARE of EARLY_CHECK_VALUES or more looked up; or it stopped looking): as a log message column. */
  mostlyNew(): boolean {
    return !this.distinct || (this.looked >= EARLY_CHECK_VALUES && this.count > this.looked * MOSTLY_NEW_SHARE);
  }

  private append(value: string): number {
    const e = this.count++;
    if (this.count >= this.starts.length) {
      const grown = new Uint32Array(this.starts.length * 2);
      grown.set(this.starts);
      this.starts = grown;
    }
    this.bytes.append(value);
    this.starts[e + 1] = this.bytes.length;
    return e;
  }

  /** PLAIN byte arrays of the entries, and where each starts (one more: the end). */
  encoded(): { entries: Uint8Array; entryStarts: Uint32Array } {
    return { entries: this.bytes.bytes.subarray(0, this.bytes.length), entryStarts: this.starts.subarray(0, this.count + 1) };
  }
}

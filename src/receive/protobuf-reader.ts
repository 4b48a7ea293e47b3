// A byte cursor over protobuf wire data. Decoders walk messages with it field
// by field and write values straight into column builders: nothing here
// allocates per value except the strings and bigints it returns.
//
// Invariant: `pos <= end <= bytes.length`, where `end` is the end of the
// message being read. `enter()` narrows `end` to a length-delimited field and
// returns the outer end for `leave()`. Every read is checked against `end`, so a
// field can never run past its enclosing message.

import { DecodeError } from '../model/errors.js';

export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  StartGroup: 3,
  EndGroup: 4,
  Fixed32: 5,
} as const;

/** Deepest nesting of (deprecated) groups inside an unknown field we will skip. */
const MAX_GROUP_DEPTH = 64;

// One scratch word shared by all readers: int64 bits in, bigint out, without a
// BigInt shift/or per value.
const scratchWord = new BigInt64Array(1);
const scratchHalves = new Uint32Array(scratchWord.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = LITTLE_ENDIAN ? 1 : 0;

/** Two's-complement int64 from its low and high 32 bits. */
export function int64FromHalves(lo: number, hi: number): bigint {
  scratchHalves[LO] = lo;
  scratchHalves[HI] = hi;
  return scratchWord[0]!;
}

/**
 * Interns short strings by their UTF-8 bytes. Attribute keys and many values
 * (methods, routes, service names) repeat in every span of a request and across
 * requests; a hit costs a hash of three words and a compare instead of a UTF-8
 * decode and a new string.
 *
 * Two ways per set: a new string takes the first, the one there moves to the
 * second, so a string seen often survives one-off values landing in its set
 * (direct-mapped, loadgen keys like `express.name` and `express.type` evicted
 * each other on every span: 6 % of key look-ups missed, 2-way 0.003 %). A slot
 * keeps its string's hash, which rejects most other strings of its length
 * before their bytes are compared.
 */
class Utf8Interner {
  static readonly MAX_BYTES = 128;
  private readonly setMask: number;
  private readonly strings: string[];
  /** Per slot: hash, byte length (-1 when empty). */
  private readonly meta: Int32Array;
  /** Per slot: its string's bytes, at slot * MAX_BYTES. */
  private readonly bytes: Uint8Array;
  private readonly view: DataView;

  /** `sets` must be a power of two; the interner holds twice as many strings. */
  constructor(sets: number) {
    const slots = 2 * sets;
    this.setMask = sets - 1;
    this.strings = new Array<string>(slots).fill('');
    this.meta = new Int32Array(2 * slots).fill(-1);
    this.bytes = new Uint8Array(slots * Utf8Interner.MAX_BYTES);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Requires 0 < end - start <= MAX_BYTES. `srcView` covers the same bytes as `src`. */
  get(src: Uint8Array, srcView: DataView, text: Buffer, start: number, end: number): string {
    const len = end - start;
    const hash = utf8Hash(src, srcView, start, len);
    const slot = (hash & this.setMask) << 1;
    const meta = this.meta;
    if (meta[2 * slot] === hash && meta[2 * slot + 1] === len && this.holds(slot, srcView, start, len)) return this.strings[slot]!;
    if (meta[2 * slot + 2] === hash && meta[2 * slot + 3] === len && this.holds(slot + 1, srcView, start, len)) return this.strings[slot + 1]!;
    return this.add(slot, hash, src, text, start, len);
  }

  /** Whether `slot` holds the `len` bytes at `start` (a hash and length already matched). */
  private holds(slot: number, srcView: DataView, start: number, len: number): boolean {
    const view = this.view;
    const base = slot * Utf8Interner.MAX_BYTES;
    if (len < 4) {
      const cached = this.bytes;
      for (let i = 0; i < len; i++) if (cached[base + i] !== srcView.getUint8(start + i)) return false;
      return true;
    }
    // four bytes per step; the last step overlaps the one before when len is not a multiple of 4
    let i = 0;
    for (; i + 4 < len; i += 4) if (view.getInt32(base + i, true) !== srcView.getInt32(start + i, true)) return false;
    return view.getInt32(base + len - 4, true) === srcView.getInt32(start + len - 4, true);
  }

  /** Decodes the string and puts it first in its set, moving the first way's to the second. */
  private add(slot: number, hash: number, src: Uint8Array, text: Buffer, start: number, len: number): string {
    const meta = this.meta;
    const cached = this.bytes;
    const base = slot * Utf8Interner.MAX_BYTES;
    const firstLength = meta[2 * slot + 1]!;
    if (firstLength > 0) cached.copyWithin(base + Utf8Interner.MAX_BYTES, base, base + firstLength);
    meta[2 * slot + 2] = meta[2 * slot]!;
    meta[2 * slot + 3] = firstLength;
    this.strings[slot + 1] = this.strings[slot]!;
    const s = text.toString('utf8', start, start + len);
    meta[2 * slot] = hash;
    meta[2 * slot + 1] = len;
    this.strings[slot] = s;
    for (let i = 0; i < len; i++) cached[base + i] = src[start + i]!;
    return s;
  }
}

/**
 * A hash of `len` (> 0) bytes at `start` from its length and three of its
 * words (first, middle, last; overlapping in short strings), or its bytes
 * when it is shorter than a word: the ends tell apart most keys and values
 * that share a length (`express.name` / `express.type`).
 */
function utf8Hash(src: Uint8Array, view: DataView, start: number, len: number): number {
  let h: number;
  if (len >= 4) {
    h = Math.imul(len ^ view.getInt32(start, true), 0x9e3779b1);
    h = Math.imul(h ^ view.getInt32(start + len - 4, true), 0x85ebca77);
    h = Math.imul(h ^ view.getInt32(start + ((len - 4) >> 1), true), 0xc2b2ae3d);
  } else {
    h = Math.imul(len ^ (src[start]! | (src[start + len - 1]! << 8) | (src[start + (len >> 1)]! << 16)), 0x9e3779b1);
  }
  return h ^ (h >>> 15);
}

// Keys apart from values, so a request full of unique values (ids, paths)
// does not evict the keys every span repeats.
const keyInterner = new Utf8Interner(512);
const valueInterner = new Utf8Interner(2048);

export class ProtoReader {
  readonly bytes: Uint8Array;
  /** Same memory as `bytes`: Buffer's utf8/base64 slicing is the fastest decode Node offers. */
  private readonly text: Buffer;
  private readonly view: DataView;
  pos = 0;
  end: number;
  /** High 32 bits of the last varint64()/fixed64Lo() read. */
  hi = 0;

  /** `label` prefixes error messages, e.g. 'otlp-proto'. */
  constructor(bytes: Uint8Array, readonly label: string) {
    this.bytes = bytes;
    this.text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.end = bytes.length;
  }

  fail(message: string, offset: number = this.pos): never {
    throw new DecodeError(`${this.label}: ${message} at offset ${offset}`);
  }

  /** Reads a field tag (field number << 3 | wire type). */
  tag(): number {
    const at = this.pos;
    const tag = this.uint32();
    if (tag >>> 3 === 0) this.fail('invalid field number 0', at);
    return tag;
  }

  /** A varint truncated to its low 32 bits (uint32, enum, length, tag). */
  uint32(): number {
    const pos = this.pos;
    if (pos < this.end) {
      const b = this.bytes[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    return this.varint64();
  }

  /** Reads any varint up to 10 bytes; returns the low 32 bits and leaves the high 32 in `hi`. */
  varint64(): number {
    const bytes = this.bytes;
    const end = this.end;
    const start = this.pos;
    let pos = start;
    let lo = 0;
    let hi = 0;
    let b = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= end) this.fail('truncated varint', start);
      b = bytes[pos++]!;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        this.hi = 0;
        return lo >>> 0;
      }
    }
    if (pos >= end) this.fail('truncated varint', start);
    b = bytes[pos++]!;
    lo |= (b & 0x7f) << 28;
    hi = (b & 0x7f) >> 4;
    if (b >= 0x80) {
      for (let shift = 3; ; shift += 7) {
        if (shift > 31) this.fail('varint longer than 10 bytes', start);
        if (pos >= end) this.fail('truncated varint', start);
        b = bytes[pos++]!;
        hi |= (b & 0x7f) << shift;
        if (b < 0x80) break;
      }
    }
    this.pos = pos;
    this.hi = hi >>> 0;
    return lo >>> 0;
  }

  /** int64 / uint64 varint as a two's-complement bigint. */
  int64(): bigint {
    const lo = this.varint64();
    return int64FromHalves(lo, this.hi);
  }

  bool(): boolean {
    return (this.varint64() | this.hi) !== 0;
  }

  fixed32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** fixed64 as its low 32 bits, high 32 bits in `hi`. */
  fixed64Lo(): number {
    this.need(8);
    const view = this.view;
    const lo = view.getUint32(this.pos, true);
    this.hi = view.getUint32(this.pos + 4, true);
    this.pos += 8;
    return lo;
  }

  /** fixed64 / sfixed64 as a two's-complement bigint (nanosecond timestamps). */
  fixed64(): bigint {
    const lo = this.fixed64Lo();
    return int64FromHalves(lo, this.hi);
  }

  double(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Reads a length prefix; checks the bytes fit in the current message and returns their count. */
  length(): number {
    const at = this.pos;
    let len: number;
    if (at < this.end && this.bytes[at]! < 0x80) {
      len = this.bytes[at]!;
      this.pos = at + 1;
    } else {
      len = this.varint64();
      // lengths of 2^32 and more are refused apart so that len (and so pos) stays
      // a small integer: a double here once slows every later read (measured ~20%)
      if (this.hi !== 0) this.lengthPastEnd(this.hi * 0x100000000 + len, at);
    }
    if (len > this.end - this.pos) this.lengthPastEnd(len, at);
    return len;
  }

  private lengthPastEnd(length: number, at: number): never {
    const size = this.end === this.bytes.length ? `size ${this.end}` : `message ends at offset ${this.end}`;
    throw new DecodeError(`${this.label}: length ${length} at offset ${at} runs past the end (${size})`);
  }

  /** A length-delimited UTF-8 string; invalid sequences become U+FFFD, as in protobuf JS. */
  string(): string {
    return this.interned(valueInterner);
  }

  /** string() for attribute keys and other names drawn from a small set. */
  key(): string {
    return this.interned(keyInterner);
  }

  private interned(interner: Utf8Interner): string {
    const len = this.length();
    const start = this.pos;
    this.pos = start + len;
    if (len === 0) return '';
    if (len <= Utf8Interner.MAX_BYTES) return interner.get(this.bytes, this.view, this.text, start, start + len);
    return this.text.toString('utf8', start, start + len);
  }

  /** A length-delimited bytes field as base64 (standard alphabet, padded). */
  base64(): string {
    const len = this.length();
    const start = this.pos;
    this.pos = start + len;
    return this.text.toString('base64', start, start + len);
  }

  /**
   * A length-delimited bytes field copied into `target` at `offset` when it is
   * exactly `size` bytes long; returns its length either way.
   */
  bytesInto(target: Uint8Array, offset: number, size: number): number {
    const len = this.length();
    const start = this.pos;
    if (len === size) {
      const src = this.bytes;
      for (let i = 0; i < size; i++) target[offset + i] = src[start + i]!;
    }
    this.pos = start + len;
    return len;
  }

  /** Steps into a length-delimited field; returns the outer end to pass to leave(). */
  enter(): number {
    const len = this.length();
    const outer = this.end;
    this.end = this.pos + len;
    return outer;
  }

  /** Steps out of the field entered last (its reading must have reached its end). */
  leave(outerEnd: number): void {
    this.pos = this.end;
    this.end = outerEnd;
  }

  /** Skips the value of a field whose tag was just read. */
  skip(tag: number): void {
    switch (tag & 7) {
      case WireType.Varint:
        this.varint64();
        return;
      case WireType.Fixed64:
        this.need(8);
        this.pos += 8;
        return;
      case WireType.LengthDelimited: {
        const length = this.length(); // before reading pos: length() moves it
        this.pos += length;
        return;
      }
      case WireType.Fixed32:
        this.need(4);
        this.pos += 4;
        return;
      case WireType.StartGroup:
        this.skipGroup(tag >>> 3, 1);
        return;
      case WireType.EndGroup:
        this.fail(`unexpected end of group ${tag >>> 3}`);
      default:
        this.fail(`invalid wire type ${tag & 7} for field ${tag >>> 3}`);
    }
  }

  /**
   * Skips an unknown field, or fails when `field` is known (its wire type is in
   * `expected`, indexed by field number, -1 for unknown) with another wire type.
   */
  skipUnknown(tag: number, expected: readonly number[], message: string): void {
    const field = tag >>> 3;
    if (field < expected.length && expected[field]! >= 0) {
      const tagSize = tag < 0x80 ? 1 : tag < 0x4000 ? 2 : tag < 0x200000 ? 3 : tag < 0x10000000 ? 4 : 5;
      this.fail(`field ${field} of ${message} has wire type ${tag & 7}, expected ${expected[field]!},`, this.pos - tagSize);
    }
    this.skip(tag);
  }

  private skipGroup(field: number, depth: number): void {
    if (depth > MAX_GROUP_DEPTH) this.fail(`groups nested deeper than ${MAX_GROUP_DEPTH}`);
    for (;;) {
      if (this.pos >= this.end) this.fail(`unterminated group ${field}`);
      const tag = this.tag();
      const wire = tag & 7;
      if (wire === WireType.EndGroup) {
        if (tag >>> 3 !== field) this.fail(`end of group ${tag >>> 3} inside group ${field}`);
        return;
      }
      if (wire === WireType.StartGroup) this.skipGroup(tag >>> 3, depth + 1);
      else this.skip(tag);
    }
  }

  private need(n: number): void {
    if (this.end - this.pos < n) this.fail(`truncated ${n}-byte fixed value`);
  }
}

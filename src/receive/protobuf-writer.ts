// A growable protobuf output buffer. Length-delimited fields reserve a guess of
// their length prefix size, write the body, then backpatch the prefix; when the
// guess was wrong the body is moved by a byte or two (one memmove), so callers
// pass a good guess for big messages (3 bytes for a ResourceSpans, 2 for a
// Span) and 1 for small ones. Output is always the minimal (canonical) varint.

const INITIAL_CAPACITY = 64 * 1024;

// strings up to this many UTF-16 units are encoded by the loop below, longer
// ones by TextEncoder.encodeInto (its ~75 ns call overhead wins past ~36 units)
const SHORT_STRING_UNITS = 32;
const utf8 = new TextEncoder();

// Halves of a BigInt64Array element seen through a Uint32Array over the same
// memory: lets int64 columns be written without creating a bigint per value.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Index offset of the low 32 bits of element i in int64Halves(): [2 * i + LOW_HALF]. */
export const LOW_HALF = LITTLE_ENDIAN ? 0 : 1;
/** Index offset of the high 32 bits of element i in int64Halves(). */
export const HIGH_HALF = LITTLE_ENDIAN ? 1 : 0;

/** A Uint32Array view over an int64 column; read halves with LOW_HALF / HIGH_HALF. */
export function int64Halves(values: BigInt64Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
}

const scratchWord = new BigInt64Array(1);
const scratchHalves = int64Halves(scratchWord);

/** Bytes of the minimal varint encoding of a uint32. */
export function varint32Size(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

export class ProtoWriter {
  buf: Uint8Array;
  pos = 0;
  private view: DataView;

  constructor(initialCapacity = INITIAL_CAPACITY) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buf.buffer);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** Forgets everything written; keeps the buffer for reuse. */
  reset(): void {
    this.pos = 0;
  }

  /** A copy of the bytes written so far (a Buffer: not zero-filled first, and what gRPC wants). */
  toBytes(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    out.set(this.buf.subarray(0, this.pos));
    return out;
  }

  /** A tag is a varint of field number << 3 | wire type; pass the precomputed number. */
  tag(tag: number): void {
    this.uint32(tag);
  }

  uint32(value: number): void {
    this.ensure(5);
    const buf = this.buf;
    let pos = this.pos;
    let v = value >>> 0;
    while (v >= 0x80) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  /** A 64-bit varint from its two's-complement halves (int64, uint64). */
  varint64(lo: number, hi: number): void {
    this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    lo >>>= 0;
    hi >>>= 0;
    while (hi !== 0 || lo >= 0x80) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[pos++] = lo;
    this.pos = pos;
  }

  /** int64 / uint64 varint from a bigint (wrapped to 64 bits). */
  int64(value: bigint): void {
    scratchWord[0] = value; // typed-array stores wrap modulo 2^64
    this.varint64(scratchHalves[LOW_HALF]!, scratchHalves[HIGH_HALF]!);
  }

  /** int64 varint from a safe integer (no bigint). */
  int64Number(value: number): void {
    const hi = Math.floor(value / 0x100000000);
    this.varint64(value - hi * 0x100000000, hi);
  }

  bool(value: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = value ? 1 : 0;
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, value >>> 0, true);
    this.pos += 4;
  }

  /** fixed64 from its low and high 32 bits. */
  fixed64(lo: number, hi: number): void {
    this.ensure(8);
    this.view.setUint32(this.pos, lo >>> 0, true);
    this.view.setUint32(this.pos + 4, hi >>> 0, true);
    this.pos += 8;
  }

  double(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  /** Length-prefixed bytes src[start, end). */
  bytes(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    this.uint32(n);
    this.ensure(n);
    const buf = this.buf;
    let pos = this.pos;
    if (n <= 32) for (let i = start; i < end; i++) buf[pos++] = src[i]!;
    else {
      buf.set(src.subarray(start, end), pos);
      pos += n;
    }
    this.pos = pos;
  }

  /** Length-prefixed UTF-8; lone surrogates become U+FFFD (as TextEncoder does). */
  string(s: string): void {
    const units = s.length;
    // UTF-8 takes at most 3 bytes per UTF-16 unit, so this prefix size always suffices
    // when short and is right for ASCII when long.
    const reserve = units * 3 < 0x80 ? 1 : varint32Size(units);
    this.ensure(reserve + units * 3);
    const body = this.pos + reserve;
    const end = units <= SHORT_STRING_UNITS ? this.writeUtf8(s, body) : body + utf8.encodeInto(s, this.buf.subarray(body)).written;
    this.pos = end;
    this.finish(body, reserve);
  }

  private writeUtf8(s: string, pos: number): number {
    const buf = this.buf;
    const n = s.length;
    for (let i = 0; i < n; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        buf[pos++] = c;
      } else if (c < 0x800) {
        buf[pos++] = 0xc0 | (c >> 6);
        buf[pos++] = 0x80 | (c & 0x3f);
      } else {
        if (c >= 0xd800 && c < 0xe000) {
          const next = i + 1 < n ? s.charCodeAt(i + 1) : 0;
          if (c < 0xdc00 && next >= 0xdc00 && next < 0xe000) {
            const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
            buf[pos++] = 0xf0 | (cp >> 18);
            buf[pos++] = 0x80 | ((cp >> 12) & 0x3f);
            buf[pos++] = 0x80 | ((cp >> 6) & 0x3f);
            buf[pos++] = 0x80 | (cp & 0x3f);
            i++;
            continue;
          }
          c = 0xfffd;
        }
        buf[pos++] = 0xe0 | (c >> 12);
        buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
        buf[pos++] = 0x80 | (c & 0x3f);
      }
    }
    return pos;
  }

  /**
   * Starts a length-delimited body, reserving `reserve` bytes (1..5) for its
   * length; returns the body start to pass to finish().
   */
  begin(reserve: number): number {
    this.ensure(reserve);
    this.pos += reserve;
    return this.pos;
  }

  /** Writes the length of the body started at `body` in front of it, moving the body if the reservation was off. */
  finish(body: number, reserve: number): void {
    const length = this.pos - body;
    const size = varint32Size(length);
    if (size !== reserve) {
      this.ensure(size - reserve);
      this.buf.copyWithin(body + size - reserve, body, this.pos);
      this.pos += size - reserve;
    }
    const buf = this.buf;
    let at = body - reserve;
    let v = length;
    while (v >= 0x80) {
      buf[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[at] = v;
  }
}

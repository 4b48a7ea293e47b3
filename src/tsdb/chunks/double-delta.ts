// double-delta chunks (encoding 1): after the common header,
//
//   field        type       meaning
//   value mode   u8         0..15 decimal k, 0x80 xor
//   widths       u8         tw << 4 | vw: bytes per time / value field (0..8)
//   t0           zvarint    first timestamp, ms
//   Δt           zvarint    time slope, ms per sample
//   v0           zvarint d0 (decimal) | f64 (xor)
//   Δd           zvarint    value slope, decimal mode only
//   records      (n-1) × (tw + vw) bytes, sample i ≥ 1 at (i-1)·(tw+vw)
//
//   t_i = t0 + i·Δt + r_i              r_i: signed tw-byte field
//   v_i = (d0 + i·Δd + s_i) / 10^k     s_i: signed vw-byte field   (decimal)
//   v_i = bits⁻¹(bits(v0) XOR x_i)     x_i: unsigned vw-byte field (xor)
//
// Every sample is O(1) to read: no sample depends on another.

import { fromDecimal, isValueMode, XOR_MODE } from './decimal.js';
import { chunkError } from './errors.js';
import { floatFromBits, loadedHi, loadedLo, loadFloat } from './float-bits.js';
import { readSigned, readUnsigned } from './fixed-width.js';
import { HEADER_BYTES, readCount } from './header.js';
import { ByteCursor, varintLength, zigzag } from './varint.js';

const MAX_WIDTH = 8;

/** Where each field of a double-delta chunk (or of an encoder's records) is, and how to read sample `i`. */
export class DoubleDeltaLayout {
  count = 0;
  mode = 0;
  tw = 0;
  vw = 0;
  t0 = 0;
  slopeT = 0;
  d0 = 0;
  slopeD = 0;
  v0Hi = 0;
  v0Lo = 0;
  /** byte offset of record 1 in `buf` */
  recordsOffset = 0;

  constructor(public buf: Uint8Array) {}

  get recordBytes(): number {
    return this.tw + this.vw;
  }

  timeAt(i: number): number {
    if (i === 0) return this.t0;
    const r = this.tw === 0 ? 0 : readSigned(this.buf, this.recordsOffset + (i - 1) * (this.tw + this.vw), this.tw);
    return this.t0 + i * this.slopeT + r;
  }

  valueAt(i: number): number {
    const pos = this.recordsOffset + (i - 1) * (this.tw + this.vw) + this.tw;
    if (this.mode === XOR_MODE) {
      if (i === 0 || this.vw === 0) return floatFromBits(this.v0Hi, this.v0Lo);
      const vw = this.vw;
      const lo = readUnsigned(this.buf, pos, vw < 4 ? vw : 4);
      const hi = vw > 4 ? readUnsigned(this.buf, pos + 4, vw - 4) : 0;
      return floatFromBits((this.v0Hi ^ hi) >>> 0, (this.v0Lo ^ lo) >>> 0);
    }
    if (i === 0) return fromDecimal(this.d0, this.mode);
    const s = this.vw === 0 ? 0 : readSigned(this.buf, pos, this.vw);
    return fromDecimal(this.d0 + i * this.slopeD + s, this.mode);
  }

  /** Header bytes before the records, common header included. */
  headerLength(): number {
    const values = this.mode === XOR_MODE ? 8 : varintLength(zigzag(this.d0)) + varintLength(zigzag(this.slopeD));
    return HEADER_BYTES + 2 + varintLength(zigzag(this.t0)) + varintLength(zigzag(this.slopeT)) + values;
  }

  setFirstValueBits(v: number): void {
    loadFloat(v);
    this.v0Hi = loadedHi();
    this.v0Lo = loadedLo();
  }
}

/** Parses the header of a double-delta chunk and checks that its records are all there. */
export function parseDoubleDelta(chunk: Uint8Array): DoubleDeltaLayout {
  const layout = new DoubleDeltaLayout(chunk);
  layout.count = readCount(chunk);
  if (layout.count === 0) {
    layout.recordsOffset = HEADER_BYTES;
    return layout;
  }
  const cursor = new ByteCursor(chunk, HEADER_BYTES);
  layout.mode = cursor.u8();
  if (!isValueMode(layout.mode)) throw chunkError(`double-delta: unknown value mode 0x${layout.mode.toString(16)}`);
  const widths = cursor.u8();
  layout.tw = widths >>> 4;
  layout.vw = widths & 15;
  if (layout.tw > MAX_WIDTH || layout.vw > MAX_WIDTH) throw chunkError(`double-delta: field widths ${layout.tw}/${layout.vw} exceed ${MAX_WIDTH} bytes`);
  layout.t0 = cursor.zvarint();
  layout.slopeT = cursor.zvarint();
  if (layout.mode === XOR_MODE) {
    if (cursor.pos + 8 > chunk.length) throw chunkError(`double-delta: truncated first value at byte ${cursor.pos}`);
    layout.v0Lo = readUnsigned(chunk, cursor.pos, 4);
    layout.v0Hi = readUnsigned(chunk, cursor.pos + 4, 4);
    cursor.pos += 8;
  } else {
    layout.d0 = cursor.zvarint();
    layout.slopeD = cursor.zvarint();
  }
  layout.recordsOffset = cursor.pos;
  const expected = cursor.pos + (layout.count - 1) * layout.recordBytes;
  if (chunk.length < expected) throw chunkError(`double-delta: ${layout.count} samples need ${expected} bytes, chunk has ${chunk.length}`);
  return layout;
}

/** Sequential reads of a double-delta chunk; `t` and `v` hold the current sample. */
export class DoubleDeltaIterator {
  t = NaN;
  v = NaN;
  private index = -1;

  constructor(private readonly layout: DoubleDeltaLayout) {}

  next(): boolean {
    const i = this.index + 1;
    if (i >= this.layout.count) return false;
    this.index = i;
    this.t = this.layout.timeAt(i);
    this.v = this.layout.valueAt(i);
    return true;
  }
}

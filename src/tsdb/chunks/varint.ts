// Byte-cursor integers for chunk headers: unsigned LEB128 varints and
// zigzag-mapped signed ones, for safe integers (JavaScript numbers up to
// 2^53 - 1). Division instead of shifts: shifts truncate to 32 bits.

import { chunkError } from './errors.js';

const MAX_VARINT_BYTES = 8; // 7 × 8 = 56 bits ≥ 53

export function varintLength(u: number): number {
  return u < 2 ** 7 ? 1 : u < 2 ** 14 ? 2 : u < 2 ** 21 ? 3 : u < 2 ** 28 ? 4 : u < 2 ** 35 ? 5 : u < 2 ** 42 ? 6 : u < 2 ** 49 ? 7 : 8;
}

export function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

export function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/** Writes `u` at `pos` and returns the position after it. */
export function writeVarint(buf: Uint8Array, pos: number, u: number): number {
  if (!Number.isSafeInteger(u) || u < 0) throw new RangeError(`chunks: varint out of range: ${u}`);
  while (u >= 128) {
    buf[pos++] = (u % 128) | 128;
    u = Math.floor(u / 128);
  }
  buf[pos++] = u;
  return pos;
}

/** A cursor over a chunk's header bytes; throws DecodeError past `end`. */
export class ByteCursor {
  constructor(
    readonly buf: Uint8Array,
    public pos: number,
    readonly end: number = buf.length,
  ) {}

  u8(): number {
    if (this.pos >= this.end) throw chunkError(`truncated header at byte ${this.pos}`);
    return this.buf[this.pos++]!;
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      const b = this.u8();
      result += (b & 127) * scale;
      if (b < 128) return result;
      scale *= 128;
    }
    throw chunkError(`varint longer than ${MAX_VARINT_BYTES} bytes at byte ${this.pos}`);
  }

  zvarint(): number {
    return unzigzag(this.varint());
  }
}

// Bit streams for varbit chunks, most significant bit first. The writer
// grows a Uint8Array and can roll back to an earlier bit length (an append
// that would overflow the chunk is undone); the reader fails with a
// DecodeError instead of reading past its end.

import { chunkError } from './errors.js';
import { POW2 } from './pow2.js';

const TWO_POW_32 = 2 ** 32;

export class BitWriter {
  private buf: Uint8Array;
  /** bits written so far */
  bitLength = 0;

  constructor(initialBytes = 64) {
    this.buf = new Uint8Array(initialBytes);
  }

  get byteLength(): number {
    return (this.bitLength + 7) >>> 3;
  }

  /** The low `n` (0..32) bits of `value`, an unsigned 32-bit number. */
  writeBits(value: number, n: number): void {
    this.ensure(n);
    const buf = this.buf;
    let pos = this.bitLength;
    while (n > 0) {
      const free = 8 - (pos & 7);
      const take = free < n ? free : n;
      const part = (value >>> (n - take)) & ((1 << take) - 1);
      buf[pos >>> 3] = buf[pos >>> 3]! | (part << (free - take));
      pos += take;
      n -= take;
    }
    this.bitLength = pos;
  }

  /** `ones` one bits then, unless `closed` is false, one zero bit: a bucket prefix. */
  writeUnary(ones: number, closed: boolean): void {
    const run = POW2[ones]! - 1;
    this.writeBits(closed ? run * 2 : run, closed ? ones + 1 : ones);
  }

  /** A signed safe integer in `n` (1..64) bits, two's complement. */
  writeSigned(value: number, n: number): void {
    if (n <= 32) {
      this.writeBits(value < 0 ? value + POW2[n]! : value, n);
      return;
    }
    const hi = Math.floor(value / TWO_POW_32);
    this.writeBits(hi < 0 ? hi + POW2[n - 32]! : hi, n - 32);
    this.writeBits(value - hi * TWO_POW_32, 32);
  }

  /** Two 32-bit words (`hi` first), keeping the low `n` (0..64) bits. */
  writeWords(hi: number, lo: number, n: number): void {
    if (n > 32) {
      this.writeBits(hi, n - 32);
      this.writeBits(lo, 32);
    } else {
      this.writeBits(lo, n);
    }
  }

  /** Forgets every bit after `bitLength` (they are zeroed for the next writes). */
  truncate(bitLength: number): void {
    const firstByte = bitLength >>> 3;
    const keep = bitLength & 7;
    if (keep !== 0) this.buf[firstByte] = this.buf[firstByte]! & (0xff << (8 - keep));
    this.buf.fill(0, keep !== 0 ? firstByte + 1 : firstByte, this.byteLength);
    this.bitLength = bitLength;
  }

  copyTo(dst: Uint8Array, offset: number): void {
    dst.set(this.buf.subarray(0, this.byteLength), offset);
  }

  private ensure(extraBits: number): void {
    const needed = (this.bitLength + extraBits + 7) >>> 3;
    if (needed <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(needed, this.buf.length * 2));
    grown.set(this.buf);
    this.buf = grown;
  }
}

export class BitReader {
  private pos: number;
  private readonly endBit: number;
  private readonly endByte: number;

  /** Reads bytes `[startByte, endByte)` of `buf`. */
  constructor(
    private readonly buf: Uint8Array,
    startByte: number,
    endByte: number,
  ) {
    this.pos = startByte * 8;
    this.endByte = endByte;
    this.endBit = endByte * 8;
  }

  /** The next 32 bits without consuming them; zeros past the end. */
  peek32(): number {
    const buf = this.buf;
    const byte = this.pos >>> 3;
    const shift = this.pos & 7;
    const end = this.endByte;
    let word: number;
    let next: number;
    if (byte + 5 <= end) {
      word = (buf[byte]! << 24) | (buf[byte + 1]! << 16) | (buf[byte + 2]! << 8) | buf[byte + 3]!;
      next = buf[byte + 4]!;
    } else {
      word = ((byte < end ? buf[byte]! : 0) << 24) | ((byte + 1 < end ? buf[byte + 1]! : 0) << 16) | ((byte + 2 < end ? buf[byte + 2]! : 0) << 8) | (byte + 3 < end ? buf[byte + 3]! : 0);
      next = byte + 4 < end ? buf[byte + 4]! : 0;
    }
    return shift === 0 ? word >>> 0 : ((word << shift) | (next >>> (8 - shift))) >>> 0;
  }

  /** `n` (0..32) bits as an unsigned number. */
  readBits(n: number): number {
    if (n === 0) return 0;
    if (this.pos + n > this.endBit) throw this.overrun(n);
    const word = this.peek32();
    this.pos += n;
    return n === 32 ? word : word >>> (32 - n);
  }

  /** Consumes `n` bits already looked at with `peek32`. */
  skip(n: number): void {
    if (this.pos + n > this.endBit) throw this.overrun(n);
    this.pos += n;
  }

  readBit(): number {
    const pos = this.pos;
    if (pos >= this.endBit) throw this.overrun(1);
    this.pos = pos + 1;
    return (this.buf[pos >>> 3]! >>> (7 - (pos & 7))) & 1;
  }

  /** Counts one bits up to `max` (≤ 31), consuming the zero that ends them (none after `max` ones). */
  readUnary(max: number): number {
    const ones = Math.clz32(~this.peek32());
    const n = ones >= max ? max : ones;
    const consumed = ones >= max ? max : ones + 1;
    if (this.pos + consumed > this.endBit) throw this.overrun(consumed);
    this.pos += consumed;
    return n;
  }

  /** A signed value written by `writeSigned(value, n)`. */
  readSigned(n: number): number {
    if (n <= 32) {
      const u = this.readBits(n);
      return u >= POW2[n - 1]! ? u - POW2[n]! : u;
    }
    const hiBits = n - 32;
    const hiU = this.readBits(hiBits);
    const hi = hiU >= POW2[hiBits - 1]! ? hiU - POW2[hiBits]! : hiU;
    return hi * TWO_POW_32 + this.readBits(32);
  }

  private overrun(n: number) {
    return chunkError(`varbit stream ends at bit ${this.endBit}, needed ${n} more from bit ${this.pos}`);
  }
}

// Variable-length codes for signed integers (varbit timestamps and decimal
// values): bucket j is written as j one bits closed by a zero bit (the last
// bucket, or the escape after it, has no closing zero), then its payload.
//
//   bucket 0              x = 0, no payload
//   bucket j (middle)     sign bit + (|x| − base_j − 1) in bits_j − 1 bits:
//                         |x| in (base_j, base_j + 2^(bits_j − 1)], where base_j
//                         is what the buckets before it cover, so no two
//                         codes mean the same number
//   last bucket           x as 64-bit two's complement (any safe integer)

import type { BitReader, BitWriter } from './bits.js';

export class Buckets {
  /** |x| ≤ covers[j] fits bucket j (middle buckets) */
  private readonly covers: number[];
  private readonly bases: number[];
  /** 2^(bits_j − 1): the sign bit of bucket j's payload */
  private readonly halves: number[];
  readonly last: number;

  /** `bits[0]` must be 0 (the code for x = 0), the middle widths 2..32, the last 64. */
  constructor(
    readonly bits: readonly number[],
    /** true when a further code (all ones) follows the last bucket: the escape */
    readonly hasEscape: boolean,
  ) {
    this.last = bits.length - 1;
    this.bases = [];
    this.covers = [];
    this.halves = bits.map((b) => (b === 0 ? 0 : 2 ** (b - 1)));
    let covered = 0;
    for (let j = 0; j <= this.last; j++) {
      this.bases.push(covered);
      if (j > 0 && j < this.last) covered += 2 ** (bits[j]! - 1);
      this.covers.push(covered);
    }
  }

  /** The code after the last bucket: all ones. */
  writeEscape(w: BitWriter): void {
    w.writeUnary(this.last + 1, false);
  }

  write(w: BitWriter, x: number): void {
    if (x === 0) {
      w.writeBits(0, 1);
      return;
    }
    const a = x < 0 ? -x : x;
    for (let j = 1; j < this.last; j++) {
      if (a <= this.covers[j]!) {
        w.writeUnary(j, true);
        const bits = this.bits[j]!;
        w.writeBits(((x < 0 ? 1 : 0) << (bits - 1)) | (a - this.bases[j]! - 1), bits);
        return;
      }
    }
    w.writeUnary(this.last, this.hasEscape);
    w.writeSigned(x, 64);
  }

  /** The next value; for buckets with an escape, NaN when the escape code was read. */
  read(r: BitReader): number {
    const word = r.peek32();
    const maxOnes = this.hasEscape ? this.last + 1 : this.last;
    let j = Math.clz32(~word);
    if (j >= maxOnes) {
      r.skip(maxOnes);
      return this.hasEscape ? NaN : r.readSigned(64);
    }
    if (j === 0) {
      r.skip(1);
      return 0;
    }
    if (j === this.last) {
      r.skip(j + 1);
      return r.readSigned(64);
    }
    const bits = this.bits[j]!;
    const prefix = j + 1;
    let payload: number;
    if (prefix + bits <= 32) {
      payload = (word << prefix) >>> (32 - bits);
      r.skip(prefix + bits);
    } else {
      r.skip(prefix);
      payload = r.readBits(bits);
    }
    const half = this.halves[j]!;
    const a = this.bases[j]! + 1 + (payload >= half ? payload - half : payload);
    return payload >= half ? -a : a;
  }
}

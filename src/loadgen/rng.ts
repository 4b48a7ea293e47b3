// Seeded pseudo-random numbers for the load generator: xoshiro128** (32-bit
// state words, fast in JS integer arithmetic) seeded through splitmix32, so one
// seed always gives the same stream on every platform.

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

const TWO_POW_32 = 4294967296;

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** second value of the last Box-Muller pair, NaN when none is cached */
  private spareNormal = Number.NaN;

  constructor(seed: number) {
    // seeds above 2^32 fold their high word in rather than being truncated
    const state = { s: (seed ^ Math.floor(seed / TWO_POW_32)) | 0 };
    this.a = splitmix32(state);
    this.b = splitmix32(state);
    this.c = splitmix32(state);
    this.d = splitmix32(state);
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1; // the all-zero state never leaves zero
  }

  /** Uniform integer in [0, 2^32). */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.nextU32() / TWO_POW_32;
  }

  /** Uniform integer in [lo, hi], both ends included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('loadgen: pick from an empty list');
    return items[Math.floor(this.float() * items.length)]!;
  }

  /** Index drawn with probability proportional to weights[i]. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i]!;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  /** Standard normal (mean 0, deviation 1), Box-Muller. */
  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const z = this.spareNormal;
      this.spareNormal = Number.NaN;
      return z;
    }
    const u = 1 - this.float(); // (0, 1]: log(u) stays finite
    const v = this.float();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median; sigma is the spread of the log. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Fills target[offset, offset+length) with random bytes. */
  fillBytes(target: Uint8Array, offset: number, length: number): void {
    let i = offset;
    const end = offset + length;
    while (i < end) {
      let word = this.nextU32();
      for (let k = 0; k < 4 && i < end; k++, i++) {
        target[i] = word & 0xff;
        word >>>= 8;
      }
    }
  }

  /** `length` lower-case hex digits. */
  hex(length: number): string {
    let s = '';
    while (s.length < length) s += this.nextU32().toString(16).padStart(8, '0');
    return s.slice(0, length);
  }

  /** A random (version 4) UUID string. */
  uuid(): string {
    const h = this.hex(32);
    const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

// 64-bit words as (hi, lo) pairs of unsigned 32-bit numbers, for XOR of
// float bits: leading/trailing zero counts and shifts.

export function leadingZeros64(hi: number, lo: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}

export function trailingZeros64(hi: number, lo: number): number {
  return lo !== 0 ? 31 - Math.clz32(lo & -lo) : hi !== 0 ? 63 - Math.clz32(hi & -hi) : 64;
}

/** Shared result of the shifts below (no allocation per call). */
export const shifted = { hi: 0, lo: 0 };

export function shiftRight64(hi: number, lo: number, s: number): void {
  if (s === 0) {
    shifted.hi = hi;
    shifted.lo = lo;
  } else if (s < 32) {
    shifted.hi = hi >>> s;
    shifted.lo = ((lo >>> s) | (hi << (32 - s))) >>> 0;
  } else {
    shifted.hi = 0;
    shifted.lo = s < 64 ? hi >>> (s - 32) : 0;
  }
}

export function shiftLeft64(hi: number, lo: number, s: number): void {
  if (s === 0) {
    shifted.hi = hi;
    shifted.lo = lo;
  } else if (s < 32) {
    shifted.hi = ((hi << s) | (lo >>> (32 - s))) >>> 0;
    shifted.lo = (lo << s) >>> 0;
  } else {
    shifted.hi = s < 64 ? (lo << (s - 32)) >>> 0 : 0;
    shifted.lo = 0;
  }
}

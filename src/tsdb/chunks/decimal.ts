// The value mode byte shared by both encodings, and the decimal test: a
// value fits decimal `k` when it is exactly `d / 10^k` for an integer
// `|d| ≤ 2^50`. IEEE division is correctly rounded, so `d / 10^k` decodes
// to the same 64 bits everywhere; `|d| ≤ 2^50` keeps `round(v × 10^k)`
// exact (error < 1/4) and every delta-of-delta of `d` a safe integer.

export const XOR_MODE = 0x80;
export const MAX_DECIMALS = 15;
const MAX_DIGITS = 2 ** 50;
const POW10 = Array.from({ length: MAX_DECIMALS + 1 }, (_, k) => 10 ** k);

/** The integer `d` with `d / 10^k === v` bit for bit, or NaN when `v` does not fit decimal `k`. */
export function decimalDigits(v: number, k: number): number {
  const p = POW10[k]!;
  const d = Math.round(v * p);
  if (!(d <= MAX_DIGITS && d >= -MAX_DIGITS) || d / p !== v) return NaN;
  if (d === 0 && 1 / v < 0) return NaN; // -0
  return d;
}

/** The smallest `k` in `from..MAX_DECIMALS` that `v` fits, or -1. */
export function smallestDecimals(v: number, from = 0): number {
  if (!Number.isFinite(v)) return -1;
  for (let k = from; k <= MAX_DECIMALS; k++) if (!Number.isNaN(decimalDigits(v, k))) return k;
  return -1;
}

export function fromDecimal(d: number, k: number): number {
  return d / POW10[k]!;
}

/** NaN (stale markers included), ±Inf and -0: values no decimal mode can hold. */
export function isSpecialValue(v: number): boolean {
  return !Number.isFinite(v) || (v === 0 && 1 / v < 0);
}

export function isValueMode(mode: number): boolean {
  return mode === XOR_MODE || (mode >= 0 && mode <= MAX_DECIMALS);
}

/** varbit's power-of-two factor: d = m · 2^shift (memory sizes are multiples of 1024 or 4096). */
export const MAX_SHIFT = 31;

/** Trailing zero bits of the integer `d`, at most MAX_SHIFT (MAX_SHIFT for 0). */
export function trailingZeroBits(d: number): number {
  const lo = Math.abs(d) % 2 ** 32;
  return lo === 0 ? MAX_SHIFT : Math.min(31 - Math.clz32(lo & -lo), MAX_SHIFT);
}

/**
 * The value mode and shift that hold every value of `values` (NaN, ±Inf and
 * -0 escaped): the fewest decimals all fit, and the largest power of two
 * dividing every d. Xor when some value fits no decimal, or when at least
 * one value in 8 would need an escape (a series of NaN: quantiles with no
 * observations).
 */
export function valueFormatFor(values: ArrayLike<number>): { mode: number; shift: number } {
  let k = 0;
  let specials = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (isSpecialValue(v)) specials++;
    if (isSpecialValue(v) || !Number.isNaN(decimalDigits(v, k))) continue;
    k = smallestDecimals(v, k + 1);
    if (k < 0) return { mode: XOR_MODE, shift: 0 };
  }
  if (specials * 8 >= values.length) return { mode: XOR_MODE, shift: 0 };
  let shift = MAX_SHIFT;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (isSpecialValue(v)) continue;
    const d = decimalDigits(v, k);
    if (Number.isNaN(d)) return { mode: XOR_MODE, shift: 0 }; // more decimals pushed an earlier d past 2^50
    shift = Math.min(shift, trailingZeroBits(d));
  }
  return { mode: k, shift };
}

// One shared 8-byte scratch seen as a float64 and as two uint32 words: the
// way to get at a value's 64 bits (and back) without allocating. Storing a
// double into a Float64Array and reading it back keeps NaN payloads, so
// Prometheus's stale marker (0x7ff0000000000002) survives a round trip.

const SCRATCH = new ArrayBuffer(8);
const F64 = new Float64Array(SCRATCH);
const U32 = new Uint32Array(SCRATCH);
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE_ENDIAN_HOST ? 0 : 1;
const HI = 1 - LO;

/** Puts `v` in the scratch; read its words with `loadedHi()` / `loadedLo()`. */
export function loadFloat(v: number): void {
  F64[0] = v;
}

/** Sign, exponent and top 20 mantissa bits of the last `loadFloat` value (unsigned). */
export function loadedHi(): number {
  return U32[HI]!;
}

/** Low 32 mantissa bits of the last `loadFloat` value (unsigned). */
export function loadedLo(): number {
  return U32[LO]!;
}

export function floatFromBits(hi: number, lo: number): number {
  U32[HI] = hi;
  U32[LO] = lo;
  return F64[0]!;
}

/** True when `a` and `b` have the same 64 bits (NaN payloads and the sign of zero included). */
export function sameBits(a: number, b: number): boolean {
  F64[0] = a;
  const hi = U32[HI];
  const lo = U32[LO];
  F64[0] = b;
  return hi === U32[HI] && lo === U32[LO];
}

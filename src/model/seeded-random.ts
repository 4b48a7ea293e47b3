// The one small seeded PRNG for tests and benchmarks, so failures reproduce and
// every run benchmarks the same bytes. (The load generator has its own richer
// generator in src/loadgen/rng.ts; this one stays tiny for its callers.)

/** mulberry32: a seeded stream of floats in [0, 1), the same on every platform. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

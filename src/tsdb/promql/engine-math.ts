// Float semantics as in Go, where they differ from JavaScript's, and the
// numeric helpers PromQL functions share (quantiles, Kahan summation).

/** Go's math.Pow: like `**` except 1^y = 1 and (-1)^±Inf = 1 even for NaN/Inf y. */
export function goPow(x: number, y: number): number {
  if (x === 1) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return x ** y;
}

/** Go's math.Mod; JavaScript's `%` already has its sign and special cases. */
export function goMod(x: number, y: number): number {
  return x % y;
}

// Shared with the OTLP metrics translator's label values.
export { formatGoFloat } from '../../model/go-float.js';

/** One step of Kahan–Neumaier summation; returns the new sum and stores the compensation in `c[0]`. */
export function kahanSumInc(inc: number, sum: number, c: Float64Array): number {
  const t = sum + inc;
  if (Math.abs(sum) >= Math.abs(inc)) c[0]! += sum - t + inc;
  else c[0]! += inc - t + sum;
  return t;
}

/** Sorts ascending with NaN first, like Prometheus's vectorByValueHeap. */
function nanFirstAscending(a: number, b: number): number {
  const an = a !== a;
  const bn = b !== b;
  if (an || bn) return an === bn ? 0 : an ? -1 : 1;
  return a - b;
}

/**
 * Prometheus's quantile over a set of values: φ-quantile by linear
 * interpolation between closest ranks; NaN for no values or NaN φ, ±Inf for
 * φ outside [0, 1]. Sorts `values` in place.
 */
export function quantileOf(q: number, values: number[]): number {
  if (values.length === 0 || q !== q) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  values.sort(nanFirstAscending);
  const n = values.length;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return values[lower]! * (1 - weight) + values[upper]! * weight;
}

export interface Bucket {
  upperBound: number;
  count: number;
}

/**
 * histogram_quantile over classic buckets, as Prometheus 2.x computes it:
 * buckets sorted by bound, equal bounds merged, counts forced monotonic;
 * NaN without a +Inf bucket, with fewer than two buckets or no
 * observations; linear interpolation inside the bucket holding the rank,
 * the lowest bucket starting at 0 unless its bound is ≤ 0, and the
 * second-highest bound when the rank falls into the +Inf bucket.
 */
export function bucketQuantile(q: number, input: Bucket[]): number {
  if (q !== q) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  input.sort((a, b) => a.upperBound - b.upperBound);
  if (input[input.length - 1]!.upperBound !== Infinity) return NaN;
  const buckets = coalesceBuckets(input);
  ensureMonotonic(buckets);
  if (buckets.length < 2) return NaN;
  const observations = buckets[buckets.length - 1]!.count;
  if (observations === 0) return NaN;
  let rank = q * observations;
  // First bucket (ignoring +Inf) whose cumulative count reaches the rank,
  // by Go's sort.Search so that NaN counts land where they do in Prometheus.
  let b = 0;
  let hi = buckets.length - 1;
  while (b < hi) {
    const h = (b + hi) >>> 1;
    if (!(buckets[h]!.count >= rank)) b = h + 1;
    else hi = h;
  }
  if (b === buckets.length - 1) return buckets[buckets.length - 2]!.upperBound;
  if (b === 0 && buckets[0]!.upperBound <= 0) return buckets[0]!.upperBound;
  let bucketStart = 0;
  const bucketEnd = buckets[b]!.upperBound;
  let count = buckets[b]!.count;
  if (b > 0) {
    bucketStart = buckets[b - 1]!.upperBound;
    count -= buckets[b - 1]!.count;
    rank -= buckets[b - 1]!.count;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

function coalesceBuckets(buckets: Bucket[]): Bucket[] {
  const out: Bucket[] = [{ ...buckets[0]! }];
  for (let i = 1; i < buckets.length; i++) {
    const last = out[out.length - 1]!;
    if (buckets[i]!.upperBound === last.upperBound) last.count += buckets[i]!.count;
    else out.push({ ...buckets[i]! });
  }
  return out;
}

function ensureMonotonic(buckets: Bucket[]): void {
  let max = -Infinity;
  for (const b of buckets) {
    if (b.count > max) max = b.count;
    else if (b.count < max) b.count = max;
  }
}

/**
 * Go's strconv.ParseFloat(s, 64) for the forms that occur in `le` labels:
 * decimal with optional exponent, Inf/Infinity/NaN in any case with a sign,
 * hex floats. Returns null where Go reports an error.
 */
export function parseGoFloat(s: string): number | null {
  const lower = s.toLowerCase();
  const unsigned = lower.startsWith('+') || lower.startsWith('-') ? lower.slice(1) : lower;
  const sign = lower.startsWith('-') ? -1 : 1;
  if (unsigned === 'inf' || unsigned === 'infinity') return sign * Infinity;
  if (unsigned === 'nan') return NaN;
  if (/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(unsigned)) return sign * Number(unsigned);
  const hex = /^0x([0-9a-f]*)\.?([0-9a-f]*)p([+-]?\d+)$/.exec(unsigned);
  if (hex !== null && (hex[1]! + hex[2]!).length > 0) {
    const mantissa = parseInt(hex[1]! + hex[2]! || '0', 16) / 16 ** hex[2]!.length;
    return sign * mantissa * 2 ** Number(hex[3]);
  }
  return null;
}

/**
 * Go's container/heap on an array of entry indices whose values are
 * vals[idx[i]], with Prometheus 2.x's ordering (NaN before everything,
 * even another NaN). Reproducing the exact sift operations makes topk and
 * bottomk keep the same series as Prometheus when values tie.
 */
export type HeapLess = (a: number, b: number) => boolean;

function heapUp(idx: Int32Array, vals: Float64Array, j: number, less: HeapLess): void {
  for (;;) {
    const i = Math.trunc((j - 1) / 2);
    if (i === j || !less(vals[idx[j]!]!, vals[idx[i]!]!)) break;
    swap(idx, i, j);
    j = i;
  }
}

function heapDown(idx: Int32Array, vals: Float64Array, i0: number, n: number, less: HeapLess): void {
  let i = i0;
  for (;;) {
    const j1 = 2 * i + 1;
    if (j1 >= n || j1 < 0) break;
    let j = j1;
    const j2 = j1 + 1;
    if (j2 < n && less(vals[idx[j2]!]!, vals[idx[j1]!]!)) j = j2;
    if (!less(vals[idx[j]!]!, vals[idx[i]!]!)) break;
    swap(idx, i, j);
    i = j;
  }
}

/** heap.Push: appends entry `e` to a heap of length `n`; returns the new length. */
export function heapPush(idx: Int32Array, vals: Float64Array, n: number, e: number, less: HeapLess): number {
  idx[n] = e;
  heapUp(idx, vals, n, less);
  return n + 1;
}

/** heap.Pop: removes the top of a heap of length `n`; returns the new length. */
export function heapPop(idx: Int32Array, vals: Float64Array, n: number, less: HeapLess): number {
  swap(idx, 0, n - 1);
  heapDown(idx, vals, 0, n - 1, less);
  return n - 1;
}

/**
 * Go's sort.Sort (pdqsort) as far as it is observable: up to 12 elements it
 * is an insertion sort, reproduced exactly here (ties and NaNs included);
 * above that, a stable sort by the same order.
 */
export function goSort<T>(items: T[], less: (a: T, b: T) => boolean): void {
  if (items.length <= 12) {
    for (let i = 1; i < items.length; i++) {
      for (let j = i; j > 0 && less(items[j]!, items[j - 1]!); j--) {
        const t = items[j]!;
        items[j] = items[j - 1]!;
        items[j - 1] = t;
      }
    }
    return;
  }
  items.sort((a, b) => (less(a, b) && !less(b, a) ? -1 : less(b, a) && !less(a, b) ? 1 : 0));
}

function swap(a: Int32Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

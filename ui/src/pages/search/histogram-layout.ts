// The duration histogram's geometry and selection, apart from drawing. Pure.

export interface HistogramBucket {
  index: number;
  lowerMs: number;
  upperMs: number;
  spans: number;
  errors: number;
}

/** Buckets from the first to the last with spans, empty ones filled in, so bars sit on a log axis. */
export function denseBuckets(buckets: readonly HistogramBucket[], bucketsPerDecade: number): HistogramBucket[] {
  if (buckets.length === 0) return [];
  const first = buckets[0]!.index;
  const last = buckets[buckets.length - 1]!.index;
  const byIndex = new Map(buckets.map((b) => [b.index, b]));
  const out: HistogramBucket[] = [];
  for (let i = first; i <= last; i++) {
    const b = byIndex.get(i);
    out.push(b ?? { index: i, lowerMs: 10 ** (i / bucketsPerDecade) / 1e6, upperMs: 10 ** ((i + 1) / bucketsPerDecade) / 1e6, spans: 0, errors: 0 });
  }
  return out;
}

/** Three significant digits, so a bound reads `1.26ms` rather than `1.2589254117941673ms`. */
export function roundMs(ms: number): number {
  return ms <= 0 ? 0 : Number(ms.toPrecision(3));
}

export interface DurationSelection {
  /** inclusive lower bound */
  minMs: number;
  /** exclusive upper bound; undefined = no upper bound (the slow tail) */
  maxMs?: number;
}

/** The duration range of bars `a`..`b` (either order); the last bar leaves the top open. */
export function selectionOf(buckets: readonly HistogramBucket[], a: number, b: number): DurationSelection | undefined {
  if (buckets.length === 0) return undefined;
  const lo = Math.max(0, Math.min(a, b));
  const hi = Math.min(buckets.length - 1, Math.max(a, b));
  const sel: DurationSelection = { minMs: roundMs(buckets[lo]!.lowerMs) };
  if (hi < buckets.length - 1) sel.maxMs = roundMs(buckets[hi]!.upperMs);
  return sel;
}

/** Which bars a selection covers (for shading), by their lower bounds. */
export function selectedRange(buckets: readonly HistogramBucket[], sel: { minMs?: number | undefined; maxMs?: number | undefined }): [number, number] | undefined {
  if (buckets.length === 0 || (sel.minMs === undefined && sel.maxMs === undefined)) return undefined;
  let lo = 0;
  let hi = buckets.length - 1;
  // A bar is in when its middle lies inside the selection (bounds are rounded).
  const mid = (b: HistogramBucket): number => Math.sqrt(b.lowerMs * b.upperMs);
  while (lo <= hi && sel.minMs !== undefined && mid(buckets[lo]!) < sel.minMs) lo++;
  while (hi >= lo && sel.maxMs !== undefined && mid(buckets[hi]!) >= sel.maxMs) hi--;
  return lo <= hi ? [lo, hi] : undefined;
}

/** Bars whose lower bound is a power of ten get an axis label. */
export function decadeTicks(buckets: readonly HistogramBucket[], bucketsPerDecade: number): { position: number; ms: number }[] {
  return buckets.flatMap((b, position) => (b.index % bucketsPerDecade === 0 ? [{ position, ms: 10 ** (b.index / bucketsPerDecade) / 1e6 }] : []));
}

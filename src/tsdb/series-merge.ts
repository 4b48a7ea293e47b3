// Joining the pieces of one series that live in several blocks and the head.
// Pieces may overlap in time (a compaction crash leaves nothing twice, but
// blocks of neighbouring windows can share a span); where two pieces hold a
// sample at the same timestamp, the piece that starts first wins.

import { labelsKey } from './series-index.js';
import type { SeriesData } from './head.js';

/** Groups pieces by label set and joins each group into one time-ordered series. */
export function mergeSeries(pieces: readonly SeriesData[][]): SeriesData[] {
  const byKey = new Map<string, SeriesData[]>();
  for (const list of pieces) {
    for (const s of list) {
      const key = labelsKey(s.labels);
      const got = byKey.get(key);
      if (got) got.push(s);
      else byKey.set(key, [s]);
    }
  }
  const out: SeriesData[] = [];
  for (const list of byKey.values()) out.push(mergePieces(list));
  return out;
}

/** Joins pieces of the same series (at least one) into one ascending series without repeated timestamps. */
export function mergePieces(list: readonly SeriesData[]): SeriesData {
  if (list.length === 1) return list[0]!;
  const sorted = [...list].sort((a, b) => a.t[0]! - b.t[0]!);
  let n = 0;
  for (const s of sorted) n += s.t.length;
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  if (disjoint(sorted)) {
    // The usual case (a series' blocks and head follow each other in time): one copy per piece.
    let at = 0;
    for (const s of sorted) {
      t.set(s.t, at);
      v.set(s.v, at);
      at += s.t.length;
    }
    return { labels: sorted[0]!.labels, t, v };
  }
  // Pieces are each ascending; repeated k-way picking of the smallest head handles any overlap.
  const at = new Int32Array(sorted.length);
  let k = 0;
  for (;;) {
    let best = -1;
    let bestT = Infinity;
    for (let p = 0; p < sorted.length; p++) {
      const i = at[p]!;
      const piece = sorted[p]!;
      if (i < piece.t.length && piece.t[i]! < bestT) {
        bestT = piece.t[i]!;
        best = p;
      }
    }
    if (best < 0) break;
    t[k] = bestT;
    v[k] = sorted[best]!.v[at[best]!]!;
    k++;
    // Drop every piece's sample at this timestamp: the first piece's one was kept.
    for (let p = 0; p < sorted.length; p++) if (at[p]! < sorted[p]!.t.length && sorted[p]!.t[at[p]!]! === bestT) at[p]!++;
  }
  return { labels: sorted[0]!.labels, t: t.subarray(0, k), v: v.subarray(0, k) };
}

/** Whether each piece (sorted by first timestamp) ends before the next begins. */
function disjoint(sorted: readonly SeriesData[]): boolean {
  for (let i = 1; i < sorted.length; i++) if (!(sorted[i - 1]!.t[sorted[i - 1]!.t.length - 1]! < sorted[i]!.t[0]!)) return false;
  return true;
}

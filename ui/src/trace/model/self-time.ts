// Self time: how long a span ran with none of its children running, i.e. its
// duration minus the union of its children's intervals clipped to it.
// Overlapping (parallel) children are counted once; time a child spends
// outside its parent is not the parent's to lose.

import type { Trace } from './trace-model.js';

export function selfTimes(trace: Trace): Float64Array {
  const out = new Float64Array(trace.spans.length);
  for (const s of trace.spans) {
    const start: number = s.start;
    const end = start + s.duration;
    let covered = 0;
    let runStart = start;
    let runEnd = start; // the current merged run of child intervals, clipped to the span
    // children are ordered by start, so one sweep merges them
    for (const c of s.children) {
      const child = trace.spans[c]!;
      const cStart = Math.max(child.start, start);
      const cEnd = Math.min(child.start + child.duration, end);
      if (cEnd <= cStart) continue;
      if (cStart > runEnd) {
        covered += runEnd - runStart;
        runStart = cStart;
        runEnd = cEnd;
      } else if (cEnd > runEnd) runEnd = cEnd;
    }
    covered += runEnd - runStart;
    out[s.index] = s.duration - covered;
  }
  return out;
}

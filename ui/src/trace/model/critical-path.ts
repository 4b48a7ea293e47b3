// The critical path: which span was holding up the trace at each instant of
// its end-to-end latency. Walking back from the trace's end, a span's time is
// on the path until the child that finished last (before the cursor) took
// over; that child is followed down, then the cursor jumps to the child's
// start and the parent's remaining children are considered.
//
// A child that ends after its parent (async work in the same process) extends
// the parent's reach: a subtree's "reach" is the latest end in it, and
// children are ranked by reach, so a late async child is on the path and the
// parent is charged only for time while it was itself running.

import type { Trace } from './trace-model.js';
import { asNanos, type Nanos } from './units.js';

export interface PathSegment {
  readonly span: number;
  readonly start: Nanos;
  readonly end: Nanos;
}

export interface CriticalPath {
  /** chronological, non-overlapping */
  readonly segments: readonly PathSegment[];
  /** 1 for spans with time on the path */
  readonly onPath: Uint8Array;
  /** nanoseconds each span holds on the path */
  readonly pathTime: Float64Array;
}

/** Latest end in each span's subtree. */
function subtreeReach(trace: Trace): Float64Array {
  const reach = new Float64Array(trace.spans.length);
  // children are finished before parents by walking a preorder backwards
  const stack: number[] = [...trace.roots];
  const post: number[] = [];
  while (stack.length > 0) {
    const i = stack.pop()!;
    post.push(i);
    for (const c of trace.spans[i]!.children) stack.push(c);
  }
  for (let k = post.length - 1; k >= 0; k--) {
    const s = trace.spans[post[k]!]!;
    let r = s.start + s.duration;
    for (const c of s.children) r = Math.max(r, reach[c]!);
    reach[s.index] = r;
  }
  return reach;
}

interface Frame {
  span: number;
  /** time not yet explained in this span's subtree: [span start, cursor] */
  cursor: number;
  /** children by reach, latest first */
  candidates: number[];
  next: number;
}

export function criticalPath(trace: Trace): CriticalPath {
  const reach = subtreeReach(trace);
  const byReach = (list: readonly number[]): number[] => [...list].sort((a, b) => reach[b]! - reach[a]! || b - a);
  const reversed: PathSegment[] = [];
  const emit = (span: number, start: number, end: number): void => {
    if (end > start) reversed.push({ span, start: asNanos(start), end: asNanos(end) });
  };

  // the trace itself is a parent with no time of its own whose children are the roots
  let traceCursor = trace.duration as number;
  const stack: Frame[] = [];
  for (const root of byReach(trace.roots)) {
    const r = trace.spans[root]!;
    if (r.start >= traceCursor) continue;
    stack.push({ span: root, cursor: Math.min(reach[root]!, traceCursor), candidates: byReach(r.children), next: 0 });
    walk(stack);
    traceCursor = r.start;
    if (traceCursor <= 0) break;
  }

  function walk(frames: Frame[]): void {
    while (frames.length > 0) {
      const f = frames[frames.length - 1]!;
      const s = trace.spans[f.span]!;
      const ownEnd = s.start + s.duration;
      let descended = false;
      while (f.next < f.candidates.length && f.cursor > s.start) {
        const c = trace.spans[f.candidates[f.next++]!]!;
        if (c.start >= f.cursor) continue; // started after the cursor: not waited on
        const childEnd = Math.min(reach[c.index]!, f.cursor);
        emit(f.span, childEnd, Math.min(f.cursor, ownEnd)); // the span ran alone after that child
        f.cursor = c.start;
        frames.push({ span: c.index, cursor: childEnd, candidates: byReach(c.children), next: 0 });
        descended = true;
        break;
      }
      if (descended) continue;
      emit(f.span, s.start, Math.min(f.cursor, ownEnd));
      frames.pop();
    }
  }

  const segments = reversed.reverse();
  const onPath = new Uint8Array(trace.spans.length);
  const pathTime = new Float64Array(trace.spans.length);
  for (const seg of segments) {
    onPath[seg.span] = 1;
    pathTime[seg.span]! += seg.end - seg.start;
  }
  return { segments, onPath, pathTime };
}

// Row order of the waterfall: depth-first, children by start time, roots in
// `Trace.roots` order. Precomputed once per trace so that collapsing a subtree
// or listing visible rows is one pass over typed arrays, not a tree walk.

import type { Trace } from './trace-model.js';

export interface RowOrder {
  /** span index at each depth-first position */
  readonly preorder: Int32Array;
  /** depth-first position of each span */
  readonly positionOf: Int32Array;
  /** for the span at position p, the position just past its subtree */
  readonly subtreeEnd: Int32Array;
}

export function rowOrder(trace: Trace): RowOrder {
  const n = trace.spans.length;
  const preorder = new Int32Array(n);
  const positionOf = new Int32Array(n);
  const subtreeEnd = new Int32Array(n);
  // explicit stack: a 10,000-deep chain must not overflow the call stack
  const stack: number[] = [];
  for (let r = trace.roots.length - 1; r >= 0; r--) stack.push(trace.roots[r]!);
  let next = 0;
  while (stack.length > 0) {
    const i = stack.pop()!;
    preorder[next] = i;
    positionOf[i] = next++;
    const children = trace.spans[i]!.children;
    for (let c = children.length - 1; c >= 0; c--) stack.push(children[c]!);
  }
  // a subtree ends where the next span that is not a descendant begins: walk
  // positions backwards, a span's end is its last child's end (or itself + 1)
  for (let p = n - 1; p >= 0; p--) {
    const children = trace.spans[preorder[p]!]!.children;
    subtreeEnd[p] = children.length === 0 ? p + 1 : subtreeEnd[positionOf[children[children.length - 1]!]!]!;
  }
  return { preorder, positionOf, subtreeEnd };
}

/** Span indexes of the rows shown when the spans flagged in `collapsed` hide their descendants. */
export function visibleRows(order: RowOrder, collapsed: Uint8Array): Int32Array {
  const n = order.preorder.length;
  const out = new Int32Array(n);
  let count = 0;
  for (let p = 0; p < n; ) {
    const i = order.preorder[p]!;
    out[count++] = i;
    p = collapsed[i] ? order.subtreeEnd[p]! : p + 1;
  }
  return out.subarray(0, count);
}

/** Expands every ancestor of `span` so that its row is visible; returns whether anything changed. */
export function revealSpan(trace: Trace, collapsed: Uint8Array, span: number): boolean {
  let changed = false;
  for (let p = trace.spans[span]!.parent; p >= 0; p = trace.spans[p]!.parent) {
    if (collapsed[p]) {
      collapsed[p] = 0;
      changed = true;
    }
  }
  return changed;
}

/** Collapses every span at `depth` or deeper that has children ("show N levels"). */
export function collapseBelowDepth(trace: Trace, depth: number): Uint8Array {
  const collapsed = new Uint8Array(trace.spans.length);
  for (const s of trace.spans) if (s.depth >= depth && s.children.length > 0) collapsed[s.index] = 1;
  return collapsed;
}

/** Number of descendants of each span (for "+N" badges on collapsed rows). */
export function descendantCounts(order: RowOrder): Int32Array {
  const counts = new Int32Array(order.preorder.length);
  for (let p = 0; p < order.preorder.length; p++) counts[order.preorder[p]!] = order.subtreeEnd[p]! - p - 1;
  return counts;
}

// Everything the trace page derives from one trace, computed once when it
// loads: row order, critical path (grouped per span for drawing), self times,
// service colours, and a span-id lookup for deep links and span links.

import { criticalPath, type CriticalPath, type PathSegment } from './model/critical-path.js';
import { descendantCounts, rowOrder, type RowOrder } from './model/rows.js';
import { selfTimes } from './model/self-time.js';
import { assignServiceColors } from './model/service-colors.js';
import type { Trace } from './model/trace-model.js';

export interface TraceViewModel {
  readonly trace: Trace;
  readonly order: RowOrder;
  readonly descendants: Int32Array;
  readonly critical: CriticalPath;
  /** critical-path segments of each span */
  readonly pathSegments: readonly (readonly PathSegment[] | undefined)[];
  readonly selfTime: Float64Array;
  readonly colors: ReadonlyMap<string, string>;
  readonly maxDepth: number;
  /** first span with this id */
  spanIndex(spanId: string): number | undefined;
}

export function traceViewModel(trace: Trace): TraceViewModel {
  const order = rowOrder(trace);
  const critical = criticalPath(trace);
  const pathSegments: PathSegment[][] = [];
  for (const seg of critical.segments) (pathSegments[seg.span] ??= []).push(seg);
  const ids = new Map<string, number>();
  let maxDepth = 0;
  for (const s of trace.spans) {
    if (!ids.has(s.spanId)) ids.set(s.spanId, s.index);
    maxDepth = Math.max(maxDepth, s.depth);
  }
  return {
    trace,
    order,
    descendants: descendantCounts(order),
    critical,
    pathSegments,
    selfTime: selfTimes(trace),
    colors: assignServiceColors(trace.services),
    maxDepth,
    spanIndex: (spanId) => ids.get(spanId.toLowerCase()),
  };
}

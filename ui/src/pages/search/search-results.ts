// Figures of one search result row from Tempo's trace metadata. Pure.

import type { SearchTrace } from '../../api/types.js';

export interface TraceRow {
  traceId: string;
  rootService: string;
  rootName: string;
  startMs: number;
  durationMs: number;
  /** spans in the whole trace when the server says (serviceStats), else the matched ones */
  spanCount: number;
  spanCountIsTotal: boolean;
  errorCount: number;
  matched: number;
}

export function traceRowOf(t: SearchTrace): TraceRow {
  let spans = 0;
  let errors = 0;
  const stats = t.serviceStats ? Object.values(t.serviceStats) : [];
  for (const s of stats) {
    spans += s.spanCount;
    errors += s.errorCount ?? 0;
  }
  const matched = t.spanSet?.matched ?? 0;
  return {
    traceId: t.traceID,
    rootService: t.rootServiceName ?? '',
    rootName: t.rootTraceName ?? '',
    startMs: Number(BigInt(t.startTimeUnixNano || '0') / 1_000_000n),
    durationMs: t.durationMs ?? 0,
    spanCount: stats.length > 0 ? spans : matched,
    spanCountIsTotal: stats.length > 0,
    errorCount: errors,
    matched,
  };
}

/** Newest first, then longest first. */
export function newestFirst(rows: TraceRow[]): TraceRow[] {
  return [...rows].sort((a, b) => b.startMs - a.startMs || b.durationMs - a.durationMs);
}

// The page's time range from its `from`/`to` query parameters, resolved to
// milliseconds once per change (not per render, so `now-1h` does not refetch
// on every render), plus a refresh that re-resolves `now`.

import { useMemo, useState } from 'preact/hooks';
import { useQueryParams } from './navigation.js';
import { DEFAULT_RANGE, resolveRange, type ResolvedRange, type TimeRangeParams } from './time-range.js';

export interface PageRange {
  params: TimeRangeParams;
  range: ResolvedRange;
  /** resolves relative bounds again (the ↻ button) */
  refresh: () => void;
}

export function rangeParamsOf(q: URLSearchParams): TimeRangeParams {
  return { from: q.get('from') ?? DEFAULT_RANGE.from, to: q.get('to') ?? DEFAULT_RANGE.to };
}

export function usePageRange(): PageRange {
  const params = rangeParamsOf(useQueryParams());
  const [tick, setTick] = useState(0);
  const range = useMemo(() => resolveRange(params, Date.now()), [params.from, params.to, tick]);
  return { params, range, refresh: () => setTick((t) => t + 1) };
}

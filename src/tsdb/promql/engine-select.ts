// Before evaluating, find every selector in the query, work out the time
// range its samples are needed for (given offsets, `@`, ranges, lookback and
// enclosing subqueries), and fetch them all. Evaluation then runs
// synchronously over the decoded arrays.

import type { AtModifier, Expr, LabelMatcher, VectorSelector } from './ast.js';
import { childrenOf } from './ast.js';
import { compareLabels } from './engine-labels.js';
import { isStaleMarkerAt, type Labels, type Queryable } from './engine-types.js';

export interface SelectedSeries {
  readonly labels: Labels;
  readonly t: Float64Array;
  readonly v: Float64Array;
  /** 1 where v[i] is a staleness marker; null when the series has none. */
  readonly stale: Uint8Array | null;
}

/** A series as a range selector sees it: staleness markers left out. */
export interface RangeSeries {
  readonly labels: Labels;
  readonly t: Float64Array;
  readonly v: Float64Array;
}

export interface QueryTimes {
  readonly startMs: number;
  readonly endMs: number;
  readonly lookbackDeltaMs: number;
  readonly defaultSubqueryStepMs: number;
}

/** The absolute time an `@` modifier pins evaluation to. */
export function atTime(at: AtModifier, q: QueryTimes): number {
  switch (at.kind) {
    case 'timestamp':
      return at.ms;
    case 'start':
      return q.startMs;
    case 'end':
      return q.endMs;
  }
}

/** The first multiple of `stepMs` at or after `ms` (Prometheus aligns subquery steps to absolute time). */
export function alignUp(ms: number, stepMs: number): number {
  return Math.ceil(ms / stepMs) * stepMs;
}

export class Selections {
  private readonly rangeViews = new Map<VectorSelector, RangeSeries[]>();

  constructor(private readonly bySelector: ReadonlyMap<VectorSelector, readonly SelectedSeries[]>) {}

  get(sel: VectorSelector): readonly SelectedSeries[] {
    return this.bySelector.get(sel) ?? [];
  }

  ranged(sel: VectorSelector): readonly RangeSeries[] {
    let view = this.rangeViews.get(sel);
    if (view === undefined) {
      view = this.get(sel).map(withoutStaleMarkers);
      this.rangeViews.set(sel, view);
    }
    return view;
  }
}

interface Pending {
  readonly matchers: readonly LabelMatcher[];
  minT: number;
  maxT: number;
  readonly selectors: VectorSelector[];
}

/** Fetches the samples every selector in `expr` needs. */
export async function selectAll(expr: Expr, q: QueryTimes, queryable: Queryable): Promise<Selections> {
  const pending = new Map<string, Pending>();
  const need = (sel: VectorSelector, minT: number, maxT: number): void => {
    const key = matchersKey(sel.matchers);
    const p = pending.get(key);
    if (p === undefined) pending.set(key, { matchers: sel.matchers, minT, maxT, selectors: [sel] });
    else {
      p.minT = Math.min(p.minT, minT);
      p.maxT = Math.max(p.maxT, maxT);
      p.selectors.push(sel);
    }
  };
  // An explicit stack: long `a + b + c + …` chains nest as deep as they are long.
  const stack: { e: Expr; start: number; end: number }[] = [{ e: expr, start: q.startMs, end: q.endMs }];
  while (stack.length > 0) {
    const { e, start, end } = stack.pop()!;
    switch (e.kind) {
      case 'vectorSelector': {
        const [from, to] = baseTimes(e.at, start, end, q);
        need(e, from - e.offsetMs - q.lookbackDeltaMs, to - e.offsetMs);
        break;
      }
      case 'matrixSelector': {
        const sel = e.selector;
        const [from, to] = baseTimes(sel.at, start, end, q);
        need(sel, from - sel.offsetMs - e.rangeMs, to - sel.offsetMs);
        break;
      }
      case 'subquery': {
        const inner = subqueryGrid(e.rangeMs, e.stepMs, e.offsetMs, e.at, start, end, q);
        stack.push({ e: e.expr, start: inner.startMs, end: inner.endMs });
        break;
      }
      default: {
        // Reversed so that the left operand is visited (and fetched) first.
        const children = childrenOf(e);
        for (let i = children.length - 1; i >= 0; i--) stack.push({ e: children[i]!, start, end });
      }
    }
  }
  const out = new Map<VectorSelector, readonly SelectedSeries[]>();
  await Promise.all(
    [...pending.values()].map(async (p) => {
      const series = prepare(await queryable.select(p.matchers, p.minT, p.maxT));
      for (const sel of p.selectors) out.set(sel, series);
    }),
  );
  return new Selections(out);
}

function baseTimes(at: AtModifier | null, start: number, end: number, q: QueryTimes): [number, number] {
  if (at === null) return [start, end];
  const t = atTime(at, q);
  return [t, t];
}

/** The inner evaluation times of a subquery evaluated over outer times [start, end]. */
export function subqueryGrid(
  rangeMs: number,
  stepMs: number,
  offsetMs: number,
  at: AtModifier | null,
  start: number,
  end: number,
  q: QueryTimes,
): { startMs: number; endMs: number; stepMs: number; count: number } {
  const step = stepMs > 0 ? stepMs : q.defaultSubqueryStepMs;
  const [from, to] = baseTimes(at, start, end, q);
  const endMs = to - offsetMs;
  const startMs = alignUp(from - offsetMs - rangeMs, step);
  const count = endMs >= startMs ? Math.floor((endMs - startMs) / step) + 1 : 0;
  return { startMs, endMs, stepMs: step, count };
}

function matchersKey(matchers: readonly LabelMatcher[]): string {
  return matchers
    .map((m) => `${m.name}\u0000${m.op}\u0000${m.value}`)
    .sort()
    .join('\u0001');
}

function prepare(series: readonly { labels: Labels; t: Float64Array; v: Float64Array }[]): SelectedSeries[] {
  const out: SelectedSeries[] = series.map((s) => ({ labels: s.labels, t: s.t, v: s.v, stale: staleFlags(s.v) }));
  for (let i = 1; i < out.length; i++) {
    if (compareLabels(out[i - 1]!.labels, out[i]!.labels) > 0) {
      out.sort((a, b) => compareLabels(a.labels, b.labels));
      break;
    }
  }
  return out;
}

function staleFlags(v: Float64Array): Uint8Array | null {
  let flags: Uint8Array | null = null;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (x !== x && isStaleMarkerAt(v, i)) {
      flags ??= new Uint8Array(v.length);
      flags[i] = 1;
    }
  }
  return flags;
}

function withoutStaleMarkers(s: SelectedSeries): RangeSeries {
  if (s.stale === null) return s;
  let kept = 0;
  for (let i = 0; i < s.stale.length; i++) if (s.stale[i] === 0) kept++;
  const t = new Float64Array(kept);
  const v = new Float64Array(kept);
  for (let i = 0, j = 0; i < s.stale.length; i++) {
    if (s.stale[i] === 0) {
      t[j] = s.t[i]!;
      v[j] = s.v[i]!;
      j++;
    }
  }
  return { labels: s.labels, t, v };
}

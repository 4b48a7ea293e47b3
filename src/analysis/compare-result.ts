// Turns the comparison query's rows into the answer: exact scores, numeric
// columns shown as values or as ranges, high-cardinality columns rolled up
// unless one of their values is a confident finding, and dimension=value
// pairs that select the same spans (an instance, its host, its pod…) merged
// into one row with aliases.

import type { Row } from '../engine/duckdb.js';
import { formatDimensionValue, LABEL_PRIORITY, type Dimension } from './compare-dimensions.js';
import { evidenceNeeded, isHighCardinality, MIN_LATENCY_SPANS, scoreLatency, scoreShares, type LatencySums } from './compare-score.js';
import type { CompareLevel, CompareResponse, DimensionRow, HighCardinalityRow, LatencyRow } from './compare-types.js';

interface Group {
  col: number;
  value: string;
  nt: number;
  nb: number;
  /** spans of the target with the value (span level: nt) */
  st: number;
  latency: LatencySums;
}

function num(v: unknown): number {
  return v === null || v === undefined ? 0 : Number(v);
}

function groupOf(r: Row, colOffset = 0): Group {
  const col = num(r['col']);
  return {
    col: col < 0 ? col : col + colOffset,
    value: String(r['val'] ?? ''),
    nt: num(r['nt']),
    nb: num(r['nb']),
    st: num(r['st']),
    latency: { spans: num(r['ns']), rankSum: num(r['sr']), logRatioSum: num(r['slr']), aboveP90: num(r['n90']) },
  };
}

/** Lower first: well-known identities, then other exact values, then ranges. */
function priorityOf(dim: Dimension): number {
  const i = LABEL_PRIORITY.indexOf(dim.label);
  return (i < 0 ? LABEL_PRIORITY.length : i) + (dim.mode === 'bucket' ? LABEL_PRIORITY.length + 1 : 0);
}

/**
 * Same counts and the same latency sums: the same set of spans, practically.
 * Counts to 6 decimals: from cubes, a slow-above-pXX target and the spans
 * above the p90 are expected (fractional) counts, whose sums differ in the
 * last bits with the order of addition.
 */
function sameSpansKey(g: Group): string {
  return `${g.nt.toFixed(6)}/${g.nb.toFixed(6)}/${g.latency.spans}/${g.latency.aboveP90.toFixed(6)}/${g.latency.rankSum.toFixed(6)}`;
}

interface Labelled<T> {
  row: T;
  group: Group;
  dim: Dimension;
}

/** Keeps one row per set of spans, the one with the most telling label; the others become aliases. */
function mergeAliases<T extends { aliases?: string[] }>(rows: Labelled<T>[], text: (l: Labelled<T>) => string): Labelled<T>[] {
  const byKey = new Map<string, Labelled<T>[]>();
  for (const r of rows) {
    const k = sameSpansKey(r.group);
    const list = byKey.get(k);
    if (list) list.push(r);
    else byKey.set(k, [r]);
  }
  const out: Labelled<T>[] = [];
  for (const list of byKey.values()) {
    list.sort((a, b) => priorityOf(a.dim) - priorityOf(b.dim) || a.group.col - b.group.col);
    const [first, ...rest] = list;
    if (rest.length > 0) first!.row.aliases = rest.map(text);
    out.push(first!);
  }
  return out;
}

/** One query's rows and the dimensions its `col` indexes. */
export interface RowSet {
  rows: readonly Row[];
  dimensions: readonly Dimension[];
}

export interface AssembleInput extends RowSet {
  level: CompareLevel;
  limit: number;
  excluded: string[];
  /**
   * Rows of other queries over other dimensions of the same comparison (span
   * cubes: the high-cardinality columns, counted from spans). Each set's
   * values are scored against its own totals (a set may read a sample); the
   * answer's totals are the first set's; the values tested are summed.
   */
  more?: readonly RowSet[];
}

/** The sets of `input` as one: rows with their groups and totals, dimensions concatenated. */
function combine(input: AssembleInput): { rows: Row[]; groups: Group[]; totalsOf: Group[]; dimensions: Dimension[]; tested: number } {
  const out = { rows: [] as Row[], groups: [] as Group[], totalsOf: [] as Group[], dimensions: [] as Dimension[], tested: 0 };
  for (const set of [input, ...(input.more ?? [])]) {
    const offset = out.dimensions.length;
    const groups = set.rows.map((r) => groupOf(r, offset));
    const totals = groups.find((g) => g.col === -1) ?? NO_TOTALS;
    out.rows.push(...set.rows);
    out.groups.push(...groups);
    out.totalsOf.push(...groups.map(() => totals));
    out.dimensions.push(...set.dimensions);
    out.tested += num(set.rows[0]?.['tested']);
  }
  return out;
}

const NO_TOTALS: Group = { col: -1, value: '', nt: 0, nb: 0, st: 0, latency: { spans: 0, rankSum: 0, logRatioSum: 0, aboveP90: 0 } };

/** Columns whose values are mostly unique, from the per-column counts every row of a column carries. */
function highCardinalityColumns(input: { rows: readonly Row[]; dimensions: readonly Dimension[] }, groups: readonly Group[]): { cols: Set<number>; rows: HighCardinalityRow[] } {
  const cols = new Set<number>();
  const rows: HighCardinalityRow[] = [];
  const seen = new Set<number>();
  input.rows.forEach((r, i) => {
    const col = groups[i]!.col;
    if (col < 0 || seen.has(col)) return;
    seen.add(col);
    const d = input.dimensions[col]!;
    const distinct = num(r['distinct_values']);
    if (d.mode === 'value' && isHighCardinality(distinct, num(r['col_spans']))) {
      cols.add(col);
      rows.push({ dimension: d.label, distinct });
    }
  });
  rows.sort((a, b) => b.distinct - a.distinct || a.dimension.localeCompare(b.dimension));
  return { cols, rows };
}

/** Scores every group shown: a numeric column reads as ranges when its exact values are too many, else as values. */
function scoreGroups(dimensions: readonly Dimension[], groups: readonly Group[], totalsOf: readonly Group[], highCols: ReadonlySet<number>, needed: number) {
  const rangesFor = new Set(dimensions.filter((d, i) => d.mode === 'value' && highCols.has(i)).map((d) => d.column));
  const shares: Labelled<DimensionRow>[] = [];
  const latency: Labelled<LatencyRow>[] = [];
  groups.forEach((g, i) => {
    if (g.col < 0) return;
    const totals = totalsOf[i]!;
    const dim = dimensions[g.col]!;
    if (dim.mode === 'bucket' && dim.column !== 'duration_nano' && !rangesFor.has(dim.column)) return;
    const value = formatDimensionValue(dim, g.value);
    const high = highCols.has(g.col);
    const s = scoreShares({ targetCount: g.nt, targetTotal: totals.nt, baselineCount: g.nb, baselineTotal: totals.nb }, needed);
    if (!high || s.confident) {
      const { targetShare, baselineShare, lift, score, evidence, confident } = s;
      // span cubes split a percentile's bucket in proportion: counts are shown whole
      const row = { dimension: dim.label, value, targetCount: Math.round(g.nt), targetShare, baselineCount: Math.round(g.nb), baselineShare, lift, score, evidence, confident };
      shares.push({ group: g, dim, row });
    }
    // a value most spans have reads better as its complement (hasException=true, not =false)
    if (dim.column === 'duration_nano' || g.latency.spans < MIN_LATENCY_SPANS || 2 * g.latency.spans > totals.latency.spans) return;
    const l = scoreLatency(g.latency, totals.latency, needed);
    if (l && (!high || l.confident)) latency.push({ group: g, dim, row: { dimension: dim.label, value, spans: g.latency.spans, ...l } });
  });
  return { shares, latency };
}

function text<T extends { dimension: string; value: string }>(l: Labelled<T>): string {
  return `${l.row.dimension}=${l.row.value}`;
}

function tieBreak<T>(a: Labelled<T>, b: Labelled<T>): number {
  return priorityOf(a.dim) - priorityOf(b.dim) || a.group.col - b.group.col || a.group.value.localeCompare(b.group.value);
}

export function assembleComparison(input: AssembleInput): CompareResponse {
  const all = combine(input);
  const totals = all.groups.find((g) => g.col === -1) ?? NO_TOTALS;
  const needed = evidenceNeeded(all.tested);
  const high = highCardinalityColumns(all, all.groups);
  const scored = scoreGroups(all.dimensions, all.groups, all.totalsOf, high.cols, needed);
  const dimensions = mergeAliases(scored.shares, text)
    .sort((a, b) => b.row.score - a.row.score || tieBreak(a, b))
    .slice(0, input.limit)
    .map((l) => l.row);
  const latency = mergeAliases(scored.latency, text)
    .sort((a, b) => Math.abs(b.row.score) - Math.abs(a.row.score) || tieBreak(a, b))
    .slice(0, input.limit)
    .map((l) => l.row);

  const response: CompareResponse = {
    level: input.level,
    target: input.level === 'trace' ? { spans: totals.st, traces: totals.nt } : { spans: Math.round(totals.nt) },
    baseline: input.level === 'trace' ? { spans: totals.latency.spans - totals.st, traces: totals.nb } : { spans: Math.round(totals.nb) },
    dimensions,
    latency,
    highCardinality: high.rows,
    evidenceNeeded: needed,
    excluded: input.excluded,
  };
  if (dimensions[0]?.confident) response.culprit = dimensions[0];
  return response;
}

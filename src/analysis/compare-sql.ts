// The comparison query's layers, as CTE texts (assembled by compare-plan.ts).
// Every function returns `name AS (…)` entries for one `WITH`.

import { readParquetSql } from '../engine/duckdb.js';
import { withTraceLevelSql } from '../query/search-trace-level.js';
import { bucketLowerSql, type Dimension } from './compare-dimensions.js';
import type { SelectionSql } from './compare-selection.js';
import { MIN_LATENCY_SPANS } from './compare-score.js';

/** Values kept per column and per ranking criterion before exact scoring in TypeScript. */
export const CANDIDATES_PER_CRITERION = 25;

/**
 * Duration buckets for percentile ranks: 16 per factor e (6% wide). Spans of
 * one bucket tie and share their mid-rank.
 */
export const DURATION_BUCKET_SQL = 'CAST(floor(ln(duration_nano + 1) * 16) AS INTEGER)';
const OPERATION = 'PARTITION BY service_name, name';
const STATS = 'sum(_r) AS sr, sum(_lr) AS slr, sum(_a90::INTEGER) AS n90';
/** The span-level counts over span rows. */
export const SPAN_COUNTS = `sum(_in_t::INTEGER) AS nt, count(*) AS ns, ${STATS}`;
/** The same over rows standing for `_n` spans each, `_wt` of them in the target (span cubes: `_rn` = rank × n, `_a90` a count). */
export const WEIGHTED_COUNTS = 'sum(_wt) AS nt, sum(_n) AS ns, sum(_rn) AS sr, sum(_lr) AS slr, sum(_a90) AS n90';

function list(xs: readonly string[]): string {
  return xs.length ? `, ${xs.join(', ')}` : '';
}

/** The dimensions keyed per row (`_d<k>` over the row) and their SQL. */
export interface KeyedDimensions {
  indexes: number[];
  dimensions: readonly Dimension[];
}

/**
 * Rows `q`: spans of the target or the baseline with their flags, latency
 * figures and one key column per keyed dimension. `s` is NOT MATERIALIZED,
 * so each use is its own scan reading only the columns it needs: the wide
 * rows are decoded once, and the per-operation (`oq`, `ob`) and per-trace
 * (`tr`) aggregates read a handful of columns and are joined back.
 */
/**
 * @param traceLevelSql each trace's trace-level values (a FROM item), joined
 *   to the span rows when the selection reads them
 */
export function rowLayers(files: readonly string[], where: readonly string[], sel: SelectionSql, keyed: KeyedDimensions, traceLevelSql?: string): string[] {
  const thr = sel.quantile !== undefined ? `, quantile_cont(duration_nano, ${sel.quantile}) AS _thr` : '';
  const source = sel.quantile !== undefined ? 's JOIN (SELECT service_name, name, _thr FROM oq) USING (service_name, name)' : 's';
  const opt = sel.operationHasTarget;
  const layers = [
    `s AS NOT MATERIALIZED (SELECT * FROM ${traceLevelSql ? withTraceLevelSql(readParquetSql(files), traceLevelSql) : readParquetSql(files)} WHERE ${where.join(' AND ')})`,
    // per operation: its p90 (for aboveP90Share) and the slow threshold
    `oq AS (SELECT service_name, name, quantile_cont(duration_nano, 0.9) AS _p90${thr} FROM s GROUP BY service_name, name)`,
    `fl AS NOT MATERIALIZED (SELECT *${list(sel.rowFlags)}, ${DURATION_BUCKET_SQL} AS _bk FROM ${source})`,
    `ob AS (SELECT service_name, name, _bk, count(*) AS c, sum(ln(duration_nano + 1)) AS sl${opt ? ', bool_or(_t) AS anyt' : ''} ` +
      `FROM fl GROUP BY service_name, name, _bk)`,
    // mid-rank of the bucket within its operation: ranks average exactly 0.5 per operation
    `orank AS (SELECT service_name, name, _bk, ` +
      `(sum(c) OVER (${OPERATION} ORDER BY _bk) - c + (c - 1) / 2.0) / greatest(sum(c) OVER (${OPERATION}) - 1, 1) AS _r, ` +
      `sum(sl) OVER (${OPERATION}) / sum(c) OVER (${OPERATION}) AS _mu, _p90${opt ? `, bool_or(anyt) OVER (${OPERATION}) AS _opt` : ''} ` +
      `FROM ob JOIN (SELECT service_name, name, _p90 FROM oq) USING (service_name, name))`,
  ];
  let joined = 'fl JOIN orank USING (service_name, name, _bk)';
  if (sel.traceFlags.length > 0) {
    layers.push(`tr AS (SELECT trace_id, ${sel.traceFlags.join(', ')} FROM fl GROUP BY trace_id)`);
    joined += ' JOIN tr USING (trace_id)';
  }
  const keys = keyed.indexes.map((k) => `${keyed.dimensions[k]!.sql} AS _d${k}`);
  layers.push(
    `q AS (SELECT * FROM (SELECT (${sel.inTarget}) AS _in_t, (${sel.inBaseline}) AS _in_b, trace_id, _r, ` +
      `ln(duration_nano + 1) - _mu AS _lr, duration_nano > _p90 AS _a90, true AS _all${list(keys)} FROM ${joined}) WHERE _in_t OR _in_b)`,
  );
  return layers;
}

/**
 * Span level: one GROUPING SETS pass; `flat` holds (col, val, counts,
 * latency sums), col −1 the totals. Each dimension of `keyed.indexes`
 * outside `tupled` gets its own set (a hash table over its native type:
 * Parquet dictionaries aggregate per entry). The `tupled` dimensions —
 * those that describe the process or the span's shape (resource and scope
 * attributes, service, kind…), few values each and few combinations — share
 * one set keyed by all of them: 10 M spans of 50 processes fall into a few
 * thousand groups, which are then unpivoted and summed per (column, value).
 * DuckDB runs every set over every row, so one set instead of ~60 halves
 * the pass (docs/analysis.md, "Where the exact comparison's time goes").
 * Ranges of numeric attributes (`derived`: range dimension → exact-value
 * dimension) are summed from the exact values' groups: a span has one value.
 */
export function spanCountLayers(
  keyed: KeyedDimensions,
  derived: ReadonlyMap<number, number>,
  tupled: ReadonlySet<number> = new Set(),
  counts: string = SPAN_COUNTS,
): string[] {
  const inTuple = keyed.indexes.filter((k) => tupled.has(k));
  const tuple = inTuple.length >= 2 ? inTuple : [];
  const singles = keyed.indexes.filter((k) => !tuple.includes(k));
  const tupleKeys = tuple.map((k) => `_d${k}`);
  const singleKeys = singles.map((k) => `_d${k}`);
  const sets = ['(_all)', ...(tuple.length ? [`(${tupleKeys.join(', ')})`] : []), ...singleKeys.map((k) => `(${k})`)];
  // 0: the totals; 1: the tuple set; 2: a single dimension's set
  const setOf = tuple.length ? `CASE WHEN GROUPING(_all) = 0 THEN 0 WHEN GROUPING(${tupleKeys[0]}) = 0 THEN 1 ELSE 2 END` : 'CASE WHEN GROUPING(_all) = 0 THEN 0 ELSE 2 END';
  const colCase = ['WHEN _set = 0 THEN -1', ...singles.map((k) => `WHEN _d${k} IS NOT NULL THEN ${k}`)].join(' ');
  const valCase = ["WHEN _set = 0 THEN ''", ...singleKeys.map((k) => `WHEN ${k} IS NOT NULL THEN CAST(${k} AS VARCHAR)`)].join(' ');
  const layers = [
    `agg AS MATERIALIZED (SELECT ${setOf} AS _set${list([...tupleKeys, ...singleKeys])}, ${counts} ` +
      `FROM q GROUP BY GROUPING SETS (${sets.join(', ')}))`,
  ];
  // target and baseline never share a row: nb = ns − nt. A NULL col is a set's group of spans without a value.
  const perSet =
    `SELECT * FROM (SELECT CASE ${colCase} END AS col, CASE ${valCase} END AS val, nt, ns - nt AS nb, nt AS st, ns, sr, slr, n90 ` +
    `FROM agg WHERE _set <> 1) WHERE col IS NOT NULL`;
  if (tuple.length) {
    // UNPIVOT leaves out NULLs: spans without the value, as the sets' NULL groups above
    layers.push(
      `tup AS (UNPIVOT (SELECT nt, ns, sr, slr, n90, ${tupleKeys.map((k) => `CAST(${k} AS VARCHAR) AS ${k}`).join(', ')} FROM agg WHERE _set = 1) ` +
        `ON ${tupleKeys.join(', ')} INTO NAME _cn VALUE val)`,
      `flat0 AS MATERIALIZED (${perSet} UNION ALL SELECT CAST(substr(_cn, 3) AS INTEGER) AS col, val, sum(nt) AS nt, sum(ns) - sum(nt) AS nb, ` +
        `sum(nt) AS st, sum(ns) AS ns, sum(sr) AS sr, sum(slr) AS slr, sum(n90) AS n90 FROM tup GROUP BY _cn, val)`,
    );
  } else {
    layers.push(`flat0 AS MATERIALIZED (${perSet})`);
  }
  return withDerivedRanges(layers, derived);
}

/**
 * `flat` from `flat0`: ranges of numeric attributes (`derived`: range
 * dimension → exact-value dimension) summed from the exact values' groups.
 */
export function withDerivedRanges(layers: readonly string[], derived: ReadonlyMap<number, number>): string[] {
  if (derived.size === 0) return [...layers, 'flat AS MATERIALIZED (SELECT * FROM flat0)'];
  const pairs = [...derived].map(([k, raw]) => `(${raw}, ${k})`).join(', ');
  return [
    ...layers,
    `flat AS MATERIALIZED (SELECT * FROM flat0 UNION ALL ` +
      `SELECT m.k AS col, CAST(${bucketLowerSql('CAST(f.val AS DOUBLE)')} AS VARCHAR) AS val, sum(f.nt), sum(f.nb), sum(f.st), sum(f.ns), ` +
      `sum(f.sr), sum(f.slr), sum(f.n90) FROM flat0 f JOIN (VALUES ${pairs}) AS m(raw, k) ON f.col = m.raw GROUP BY m.k, 2)`,
  ];
}

/**
 * Trace level: each trace counts once per value, so (trace, column, value)
 * is deduped first. Unpivoting drops the NULLs that grouping sets keyed by
 * (trace_id, column) would each keep a group for, per trace (3.6× faster).
 */
export function traceCountLayers(keyed: KeyedDimensions): string[] {
  const keys = keyed.indexes.map((k) => `_d${k}`);
  const asText = ['CAST(_all AS VARCHAR) AS _all', ...keys.map((k) => `CAST(${k} AS VARCHAR) AS ${k}`)].join(', ');
  return [
    `u AS (UNPIVOT (SELECT trace_id, _in_t, _r, _lr, _a90, ${asText} FROM q) ON _all${list(keys)} INTO NAME col_name VALUE val)`,
    `l1 AS (SELECT col_name, val, trace_id, bool_or(_in_t) AS tt, count(*) AS ns, ${STATS} FROM u GROUP BY col_name, val, trace_id)`,
    `flat AS MATERIALIZED (SELECT CASE WHEN col_name = '_all' THEN -1 ELSE CAST(substr(col_name, 3) AS INTEGER) END AS col, ` +
      `CASE WHEN col_name = '_all' THEN '' ELSE val END AS val, sum(tt::INTEGER) AS nt, count(*) - sum(tt::INTEGER) AS nb, ` +
      `sum(ns * tt::INTEGER) AS st, sum(ns) AS ns, sum(sr) AS sr, sum(slr) AS slr, sum(n90) AS n90 FROM l1 GROUP BY col_name, val)`,
  ];
}

function orderedRank(order: string): string {
  return `row_number() OVER (PARTITION BY col ORDER BY ${order}) <= ${CANDIDATES_PER_CRITERION}`;
}

/**
 * From `flat`: the totals row and, per column, only the values that can rank
 * (by share difference both ways, by ratio, by latency shift both ways), with
 * the column's distinct count and the number of values tested.
 */
export function candidatesSql(layers: readonly string[]): string {
  const all = [
    ...layers,
    `colstats AS (SELECT col, count(*) AS distinct_values, sum(ns) AS col_spans, sum(count(*)) OVER () AS tested FROM flat WHERE col >= 0 GROUP BY col)`,
    `tot AS (SELECT nt AS tnt, nb AS tnb, ns AS tns, sr AS tsr FROM flat WHERE col = -1)`,
    // some target, or enough spans for the latency view; lz: the value's rank shift in standard errors
    `cand AS (SELECT f.*, CASE WHEN tns > ns THEN (sr / ns - (tsr - sr) / (tns - ns)) / sqrt((1.0 / ns + 1.0 / (tns - ns)) / 12) ELSE 0 END AS lz, tnt, tnb ` +
      `FROM flat f, tot WHERE f.col = -1 OR f.nt > 0 OR f.ns >= ${MIN_LATENCY_SPANS})`,
  ];
  const diff = 'nt * tnb - nb * tnt';
  const keep = [
    'col = -1',
    orderedRank(`${diff} DESC, val`),
    orderedRank(`${diff} ASC, val`),
    orderedRank('(nt + 0.5) / (nb + 0.5) DESC, nt DESC, val'),
    orderedRank('lz DESC, val'),
    orderedRank('lz ASC, val'),
  ];
  return (
    `WITH ${all.join(',\n')}\n` +
    `SELECT col, val, nt, nb, st, ns, sr, slr, n90, distinct_values, col_spans, (SELECT max(tested) FROM colstats) AS tested ` +
    `FROM cand LEFT JOIN colstats USING (col) QUALIFY ${keep.join(' OR ')} ORDER BY col, val`
  );
}

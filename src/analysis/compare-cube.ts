// The comparison answered from span cubes (cube-file.ts) instead of spans:
// the same layers as the scan plan (compare-plan.ts, compare-sql.ts) over
// the cube rows of the parts inside the range, each row weighted by its span
// count, plus the spans of the files a cube cannot answer (parts straddling
// the range's edges, parts without a cube yet, the head) as rows of weight 1.
// Per-operation figures come from the cube's duration buckets, so the slow
// threshold and the p90 are known to a bucket (docs/analysis.md, "Answered
// from span cubes"). Columns some part left out of its cube as too diverse
// are counted in a second statement over the spans of every file in the
// range — narrow (those columns and the few the target needs), and sampled
// like the scan when the range holds more than maxSpans spans. When every
// file in the range has a cube, the cube statement reads the cubes' long
// (unpivoted) tables kept in memory (cube-long.ts) instead of their rows.

import { readParquetSql, sqlIdent, sqlString } from '../engine/duckdb.js';
import type { PartInfo } from '../parts/catalog.js';
import { DURATION_RANGE_SQL, type Dimension } from './compare-dimensions.js';
import { chooseDimensions, traceSampleSql } from './compare-plan.js';
import { selectionSql } from './compare-selection.js';
import { candidatesSql, DURATION_BUCKET_SQL, spanCountLayers, WEIGHTED_COUNTS, withDerivedRanges, type KeyedDimensions } from './compare-sql.js';
import { LONG_ALL } from './cube-long.js';
import { sharesTuple } from './compare-dimensions.js';
import type { CompareRequest } from './compare-types.js';
import { CUBE_DURATION_BUCKET, CUBE_DURATION_RANGE, CUBE_LOG_DURATION_SUM, CUBE_SPAN_COUNT } from './cube-file.js';

/** A span file in the range: a part (with its catalog entry) or a staging file. */
export interface RangeFile {
  path: string;
  columns: readonly string[];
  rows: number;
  minStartNs: bigint;
  maxStartNs: bigint;
  part?: PartInfo;
}

export interface CubePlanInput {
  /** files overlapping the range, absolute paths */
  files: readonly RangeFile[];
  dataDir: string;
  /** every column of the files in the range */
  columns: ReadonlySet<string>;
  /** long tables of the cubes (absolute cube path → table, cube-long.ts): used when every file in the range has one */
  longTables?: ReadonlyMap<string, string>;
}

export interface CubeStatement {
  sql: string;
  dimensions: Dimension[];
}

export interface CubePlan {
  /** counts of the dimensions the cubes hold; its totals are the answer's */
  cube: CubeStatement;
  /** counts of the high-cardinality dimensions, from spans; absent when there are none */
  spans?: CubeStatement;
  excluded: string[];
  /** share of traces the high-cardinality statement reads (1: all) */
  spansSampleFraction: number;
  cubeParts: number;
  cubeSpans: number;
  /** spans read as rows by the cube statement (edges, parts without cubes, head) */
  rawSpans: number;
  /** labels of the dimensions counted from spans */
  fromSpans: string[];
  /** absolute paths of the cube files read */
  cubeFiles: string[];
  /** every file in the range has a cube: long tables of cubeFiles can answer (CubePlanInput.longTables) */
  longEligible: boolean;
  /** the cube statement read the long tables */
  fromLongTables: boolean;
}

/** Why the cube cannot answer this request; undefined when it can. */
export function cubeIneligible(req: CompareRequest): string | undefined {
  if (req.level !== 'span') return 'trace level';
  if (req.target.kind !== 'errors' && req.target.kind !== 'exceptions' && req.target.kind !== 'slow') return `target ${req.target.kind}`;
  if (req.baseline.kind !== 'rest') return 'baseline traceql';
  if (req.traceIdSet !== undefined) return 'trace-id set';
  return undefined;
}

const OPERATION = 'PARTITION BY service_name, name';

function inRange(f: RangeFile, req: CompareRequest): boolean {
  return f.minStartNs >= req.startNs && f.maxStartNs <= req.endNs;
}

/** Target over a row with `_bk` (errors, exceptions, a threshold); undefined for a percentile (weighted per operation). */
function staticTargetSql(req: CompareRequest): string | undefined {
  const t = req.target;
  if (t.kind === 'errors') return 'status_code = 2';
  if (t.kind === 'exceptions') return 'has_exception';
  // a threshold's own bucket counts as slow: no span above the threshold is missed
  if (t.thresholdMs !== undefined) return `_bk >= CAST(floor(ln(${BigInt(Math.round(t.thresholdMs * 1e6))} + 1) * 16) AS INTEGER)`;
  return undefined;
}

function percentileOf(req: CompareRequest): number | undefined {
  return req.target.kind === 'slow' && req.target.thresholdMs === undefined ? (req.target.percentile ?? 90) / 100 : undefined;
}

/**
 * `_n` spans of a row above the operation's quantile whose rank is in `rank`
 * and bucket in `bucket`: all of a row above that bucket, none below, and of
 * the bucket itself the share of its spans ranked above — so an operation of
 * n spans has exactly n − ceil(q·n) above its q-quantile, the bucket's spans
 * split in proportion.
 */
function aboveQuantileSql(bucket: string, share: string): string {
  return `CASE WHEN _bk > ${bucket} THEN _n WHEN _bk = ${bucket} THEN _n * ${share} ELSE 0 END`;
}

/** The bucket holding rank ceil(q·n) of each operation and the share of that bucket's spans ranked above it. */
function quantileBucketSql(q: number, name: string): string {
  const rank = `ceil(${q} * tot)`;
  return `min(_bk) FILTER (WHERE cum >= ${rank}) AS ${name}b, arg_min((cum - ${rank}) / c, _bk) FILTER (WHERE cum >= ${rank}) AS ${name}f`;
}

/**
 * Per-operation layers over `c` (weighted rows): the mid-rank of each
 * duration bucket in its operation, the mean log-duration, the bucket of the
 * p90 (and of the slow percentile), whether the operation has a target span.
 */
function operationLayers(req: CompareRequest): string[] {
  const q = percentileOf(req);
  const staticTarget = staticTargetSql(req);
  const ct = staticTarget !== undefined ? `, sum(CASE WHEN ${staticTarget} THEN _n ELSE 0 END) AS ct` : '';
  const hasTarget = staticTarget !== undefined ? `sum(ct) OVER (${OPERATION}) > 0` : 'true';
  return [
    `ob AS (SELECT service_name, name, _bk, sum(_n) AS c, sum(_sl) AS sl${ct} FROM c GROUP BY service_name, name, _bk)`,
    `ocum AS (SELECT *, sum(c) OVER (${OPERATION} ORDER BY _bk) AS cum, sum(c) OVER (${OPERATION}) AS tot, sum(sl) OVER (${OPERATION}) AS tsl FROM ob)`,
    `oq AS (SELECT service_name, name, ${quantileBucketSql(0.9, '_p90')}${q !== undefined ? `, ${quantileBucketSql(q, '_thr')}` : ''} ` +
      `FROM ocum GROUP BY service_name, name)`,
    `orank AS (SELECT service_name, name, _bk, (cum - c + (c - 1) / 2.0) / greatest(tot - 1, 1) AS _r, tsl / tot AS _mu, ` +
      `_p90b, _p90f${q !== undefined ? ', _thrb, _thrf' : ''}, ${hasTarget} AS _opt FROM ocum JOIN oq USING (service_name, name))`,
  ];
}

/** Target spans `_wt` of a row with `_n` spans and whether its other spans are baseline, `_in_b`. */
function rowWeightsSql(req: CompareRequest): { wt: string; baseline: string } {
  const t = staticTargetSql(req);
  const wt = t !== undefined ? `CASE WHEN coalesce(${t}, false) THEN _n ELSE 0 END` : aboveQuantileSql('_thrb', '_thrf');
  const baseline = t !== undefined ? `NOT coalesce(${t}, false) AND _opt` : 'true';
  return { wt, baseline };
}

/** The cube column a keyed dimension's values are under. */
function cubeColumnOf(d: Dimension): string {
  return d.column === 'duration_nano' ? CUBE_DURATION_RANGE : d.column;
}

/**
 * The span-level counts `flat` from long cube tables (cube-long.ts): each
 * long row weighted as weightedRows weighs a cube row (target, baseline,
 * ranks and log-ratios depend only on the row's operation, bucket, status
 * and has-exception, which the long row keeps), mapped to the keyed
 * dimension of its column, summed per (dimension, value).
 */
function longCountLayers(req: CompareRequest, tables: readonly string[], cubeKeyed: ReturnType<typeof keyedOf>): string[] {
  const { wt, baseline } = rowWeightsSql(req);
  const columns = [`(${sqlString(LONG_ALL)}, -1)`, ...cubeKeyed.keyed.indexes.map((k) => `(${sqlString(cubeColumnOf(cubeKeyed.keyed.dimensions[k]!))}, ${k})`)];
  const long = tables.map((t) => `SELECT * FROM ${sqlIdent(t)}`).join(' UNION ALL ');
  return withDerivedRanges(
    [
      `lq AS (SELECT * FROM (SELECT ${wt} AS _wt, ${baseline} AS _in_b, _n, _r * _n AS _rn, _sl - _n * _mu AS _lr, ` +
        `${aboveQuantileSql('_p90b', '_p90f')} AS _a90, m.k AS col, _v AS val ` +
        `FROM (${long}) JOIN orank USING (service_name, name, _bk) JOIN (VALUES ${columns.join(', ')}) AS m(c, k) ON _c = m.c) WHERE _wt > 0 OR _in_b)`,
      `flat0 AS MATERIALIZED (SELECT col, val, sum(_wt) AS nt, sum(_n) - sum(_wt) AS nb, sum(_wt) AS st, sum(_n) AS ns, sum(_rn) AS sr, ` +
        `sum(_lr) AS slr, sum(_a90) AS n90 FROM lq GROUP BY col, val)`,
    ],
    cubeKeyed.derived,
  );
}

/**
 * Rows `q` over `from` joined to the operations' figures: `_wt` target spans
 * of the row (a percentile target splits the spans of its bucket), `_in_b`
 * whether the row's other spans are baseline.
 */
function weightedRows(req: CompareRequest, from: string, keyed: KeyedDimensions): string {
  const { wt, baseline } = rowWeightsSql(req);
  const keys = keyed.indexes.map((k) => `${keyed.dimensions[k]!.sql} AS _d${k}`);
  return (
    `q AS (SELECT * FROM (SELECT ${wt} AS _wt, ${baseline} AS _in_b, _n, _r * _n AS _rn, _sl - _n * _mu AS _lr, ` +
    `${aboveQuantileSql('_p90b', '_p90f')} AS _a90, true AS _all${keys.map((k) => `, ${k}`).join('')} ` +
    `FROM ${from} JOIN orank USING (service_name, name, _bk)) WHERE _wt > 0 OR _in_b)`
  );
}

/** Columns a span row needs for the target and the operations' figures. */
const ROW_COLUMNS = ['service_name', 'name', 'status_code', 'has_exception'] as const;

function columnsOf(files: readonly RangeFile[]): Set<string> {
  return new Set(files.flatMap((f) => f.columns));
}

/** `col` or `NULL AS col`, for a column some files of a read lack entirely. */
function selectColumns(wanted: readonly string[], present: ReadonlySet<string>): string {
  return wanted.map((c) => (present.has(c) ? sqlIdent(c) : `NULL AS ${sqlIdent(c)}`)).join(', ');
}

/** Spans in `files` and the range, as rows of weight 1 with the cube's bucket columns. */
function spanRowsSql(files: readonly RangeFile[], wanted: readonly string[], where: readonly string[]): string {
  return (
    `SELECT ${selectColumns(wanted, columnsOf(files))}, ${DURATION_BUCKET_SQL} AS _bk, ${DURATION_RANGE_SQL} AS _drange, 1::BIGINT AS _n, ` +
    `ln(duration_nano + 1) AS _sl FROM ${readParquetSql(files.map((f) => f.path))} WHERE ${where.join(' AND ')}`
  );
}

function keyedOf(dimensions: Dimension[]): { keyed: KeyedDimensions; derived: Map<number, number> } {
  const derived = new Map<number, number>();
  dimensions.forEach((d, k) => {
    if (d.mode === 'bucket' && d.column !== 'duration_nano') derived.set(k, dimensions.findIndex((v) => v.column === d.column && v.mode === 'value'));
  });
  return { keyed: { dimensions, indexes: dimensions.map((_, k) => k).filter((k) => !derived.has(k)) }, derived };
}

/** Undefined when no part in the range has a cube. */
export function planCubeComparison(input: CubePlanInput, req: CompareRequest, maxSpans: number): CubePlan | undefined {
  const cubed = input.files.filter((f) => f.part?.cubePath !== undefined && inRange(f, req));
  if (cubed.length === 0) return undefined;
  const raw = input.files.filter((f) => !cubed.includes(f));
  const sel = selectionSql(req.target, req.baseline, req.level, { has: (c) => input.columns.has(c) });
  const { dimensions, excluded } = chooseDimensions(input.columns, req, sel.definedBy);
  const high = new Set(cubed.flatMap((f) => f.part!.cubeHighCardinality ?? []));
  // the duration range is a cube column; ids and literals some cube left out are counted from spans
  const cubeDims = dimensions
    .filter((d) => !high.has(d.column))
    .map((d) => (d.column === 'duration_nano' ? { ...d, sql: '_drange' } : d));
  const spanDims = dimensions.filter((d) => high.has(d.column));
  const cubeColumns = [...new Set([...ROW_COLUMNS, ...cubeDims.filter((d) => d.column !== 'duration_nano').map((d) => d.column)])];
  const range = [`start_time_unix_nano >= ${req.startNs}`, `start_time_unix_nano <= ${req.endNs}`];

  const cubeFiles = cubed.map((f) => `${input.dataDir}/${f.part!.cubePath!}`);
  const cubeRows =
    `SELECT ${selectColumns(cubeColumns, columnsOf(cubed))}, ${CUBE_DURATION_BUCKET} AS _bk, ${CUBE_DURATION_RANGE} AS _drange, ` +
    `${CUBE_SPAN_COUNT} AS _n, ${CUBE_LOG_DURATION_SUM} AS _sl FROM ${readParquetSql(cubeFiles)}`;
  const longTables = raw.length === 0 && cubeFiles.every((f) => input.longTables?.has(f)) ? cubeFiles.map((f) => input.longTables!.get(f)!) : undefined;
  const c = longTables
    ? `c AS (${longTables.map((t) => `SELECT service_name, name, status_code, has_exception, _bk, _n, _sl FROM ${sqlIdent(t)} WHERE _c = ${sqlString(LONG_ALL)}`).join(' UNION ALL ')})`
    : `c AS (${cubeRows}${raw.length ? ` UNION ALL BY NAME ${spanRowsSql(raw, cubeColumns, range)}` : ''})`;
  const operations = operationLayers(req);

  const cubeKeyed = keyedOf(cubeDims);
  // the process dimensions share one tuple, as in the scan (compare-sql.ts)
  const tupled = new Set(cubeKeyed.keyed.indexes.filter((k) => sharesTuple(cubeDims[k]!)));
  const counts = longTables
    ? longCountLayers(req, longTables, cubeKeyed)
    : [weightedRows(req, 'c', cubeKeyed.keyed), ...spanCountLayers(cubeKeyed.keyed, cubeKeyed.derived, tupled, WEIGHTED_COUNTS)];
  const cube: CubeStatement = { sql: candidatesSql([c, ...operations, ...counts]), dimensions: cubeDims };

  const rawSpans = raw.reduce((n, f) => n + f.rows, 0);
  const cubeSpans = cubed.reduce((n, f) => n + f.rows, 0);
  const plan: CubePlan = {
    cube,
    excluded,
    spansSampleFraction: 1,
    cubeParts: cubed.length,
    cubeSpans,
    rawSpans,
    fromSpans: [...new Set(spanDims.map((d) => d.label))],
    cubeFiles,
    longEligible: raw.length === 0,
    fromLongTables: longTables !== undefined,
  };
  if (spanDims.length === 0) return plan;

  const total = rawSpans + cubeSpans;
  const hWhere = [...range];
  if (maxSpans > 0 && total > maxSpans) {
    plan.spansSampleFraction = maxSpans / total;
    hWhere.push(traceSampleSql(plan.spansSampleFraction));
  }
  const hColumns = [...new Set([...ROW_COLUMNS, ...spanDims.map((d) => d.column)])];
  const h = `h AS (${spanRowsSql(input.files, hColumns, hWhere)})`;
  const spanKeyed = keyedOf(spanDims);
  plan.spans = {
    sql: candidatesSql([c, ...operations, h, weightedRows(req, 'h', spanKeyed.keyed), ...spanCountLayers(spanKeyed.keyed, spanKeyed.derived, new Set(), WEIGHTED_COUNTS)]),
    dimensions: spanDims,
  };
  return plan;
}

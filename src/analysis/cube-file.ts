// Span cube files (docs/format/span-cube.md): one Parquet file beside each
// trace part, `<partId>.cube.parquet`, holding the part's spans grouped by
// every low-cardinality dimension column, status, has-exception, the 6%-wide
// duration bucket the latency view ranks by and the 1-2-5 duration range,
// with a span count and Σ ln(duration + 1) per group. The comparison runs
// over it with `count(*)` → `sum(span_count)` (compare-cube.ts).
//
// Which columns are too diverse for the cube (ids, SQL with literals, ports)
// is decided per part from a sample of its first rows, by the same rule the
// comparison reports high-cardinality columns with; they are listed in the
// catalog (`cubeHighCardinality`) and answered from the spans. A merged
// part's cube is its inputs' cubes summed, less any column an input left out.

import { readParquetSql, sqlIdent, sqlString, type Engine } from '../engine/duckdb.js';
import { fsyncFile } from '../parts/fsync.js';
import { dimensionsOf, DURATION_RANGE_SQL } from './compare-dimensions.js';
import { isHighCardinality } from './compare-score.js';
import { DURATION_BUCKET_SQL } from './compare-sql.js';
import {
  CUBE_DURATION_BUCKET,
  CUBE_DURATION_RANGE,
  CUBE_FORMAT_VERSION,
  CUBE_LOG_DURATION_SUM,
  CUBE_SAMPLE_ROWS,
  CUBE_SPAN_COUNT,
  cubeMetadata,
  type CubeColumns,
} from './cube-builder.js';

export const CUBE_FILE_SUFFIX = '.cube.parquet';
/** Columns every cube has besides the dimension columns, the format version, the sample size: shared with cube-builder.ts. */
export { CUBE_DURATION_BUCKET, CUBE_DURATION_RANGE, CUBE_FORMAT_VERSION, CUBE_LOG_DURATION_SUM, CUBE_SAMPLE_ROWS, CUBE_SPAN_COUNT, type CubeColumns };

/** Columns the comparison needs for its target, baseline and operations: always in the cube, whatever their cardinality. */
const ALWAYS_IN_CUBE: ReadonlySet<string> = new Set(['service_name', 'name', 'kind', 'status_code', 'has_exception']);


/** The part's dimension columns (by value), as the comparison would key them, and those never left out. */
export function cubeCandidateColumns(columns: Iterable<string>): { candidates: string[]; always: string[] } {
  const candidates = valueColumns([...columns]);
  return { candidates, always: candidates.filter((c) => ALWAYS_IN_CUBE.has(c)) };
}

function valueColumns(columns: readonly string[]): string[] {
  const out = new Set<string>();
  for (const d of dimensionsOf(columns, false)) if (d.mode === 'value') out.add(d.column);
  for (const c of ALWAYS_IN_CUBE) if (columns.includes(c)) out.add(c);
  return [...out];
}

/**
 * Splits the dimension columns of spans in `sourceSql` (a FROM item) into
 * those the cube groups by and the high-cardinality ones, from the first
 * CUBE_SAMPLE_ROWS rows: a column with more than 100 values and more than one
 * per 20 spans that have one is left out.
 */
export async function chooseCubeColumns(engine: Engine, sourceSql: string, columns: readonly string[]): Promise<CubeColumns> {
  const candidates = valueColumns(columns);
  const probed = candidates.filter((c) => !ALWAYS_IN_CUBE.has(c));
  if (probed.length === 0) return { grouped: candidates, highCardinality: [] };
  const stats = probed.map((c, i) => `approx_count_distinct(${sqlIdent(c)}) AS d${i}, count(${sqlIdent(c)}) AS n${i}`).join(', ');
  const [row] = await engine.all(`SELECT ${stats} FROM (SELECT ${probed.map(sqlIdent).join(', ')} FROM ${sourceSql} LIMIT ${CUBE_SAMPLE_ROWS})`);
  const high = new Set(probed.filter((_, i) => isHighCardinality(Number(row![`d${i}`]), Number(row![`n${i}`]))));
  return { grouped: candidates.filter((c) => !high.has(c)), highCardinality: [...high].sort() };
}

function metadataSql(high: readonly string[]): string {
  return `{${Object.entries(cubeMetadata(high)).map(([k, v]) => `${k}: ${sqlString(v)}`).join(', ')}}`;
}

/**
 * Writes the cube of the spans in `files` with start time in [fromNs, toNs]
 * to `path` and fsyncs it. `columns`: the columns of those spans.
 */
export async function writeCubeFromSpans(
  engine: Engine,
  files: readonly string[],
  columns: readonly string[],
  range: { fromNs: bigint; toNs: bigint },
  path: string,
): Promise<CubeColumns> {
  const source = `(SELECT * FROM ${readParquetSql(files)} WHERE start_time_unix_nano BETWEEN ${range.fromNs} AND ${range.toNs})`;
  const cube = await chooseCubeColumns(engine, source, columns);
  const keys = cube.grouped.map(sqlIdent);
  await engine.run(
    `COPY (SELECT ${keys.join(', ')}, ${DURATION_BUCKET_SQL} AS ${CUBE_DURATION_BUCKET}, ${DURATION_RANGE_SQL} AS ${CUBE_DURATION_RANGE}, ` +
      `count(*)::BIGINT AS ${CUBE_SPAN_COUNT}, sum(ln(duration_nano + 1)) AS ${CUBE_LOG_DURATION_SUM} ` +
      `FROM ${source} GROUP BY ALL ORDER BY service_name, name) ` +
      `TO ${sqlString(path)} (FORMAT parquet, COMPRESSION zstd, KV_METADATA ${metadataSql(cube.highCardinality)})`,
  );
  await fsyncFile(path);
  return cube;
}

export interface CubeInput {
  /** absolute path of a cube file */
  path: string;
  /** its grouped dimension columns and left-out ones */
  columns: CubeColumns;
}

/**
 * Sums cubes into one at `path`: grouped by every column some input groups
 * by, less those any input left out (its counts for them are not in its cube).
 */
export async function writeMergedCube(engine: Engine, inputs: readonly CubeInput[], path: string): Promise<CubeColumns> {
  const high = [...new Set(inputs.flatMap((i) => i.columns.highCardinality))].sort();
  const left = new Set(high);
  const grouped = [...new Set(inputs.flatMap((i) => i.columns.grouped))].filter((c) => !left.has(c)).sort();
  const keys = [...grouped.map(sqlIdent), CUBE_DURATION_BUCKET, CUBE_DURATION_RANGE];
  await engine.run(
    `COPY (SELECT ${keys.join(', ')}, sum(${CUBE_SPAN_COUNT})::BIGINT AS ${CUBE_SPAN_COUNT}, sum(${CUBE_LOG_DURATION_SUM}) AS ${CUBE_LOG_DURATION_SUM} ` +
      `FROM ${readParquetSql(inputs.map((i) => i.path))} GROUP BY ALL ORDER BY service_name, name) ` +
      `TO ${sqlString(path)} (FORMAT parquet, COMPRESSION zstd, KV_METADATA ${metadataSql(high)})`,
  );
  await fsyncFile(path);
  return { grouped, highCardinality: high };
}

/** The grouped and left-out columns of a cube file, from its schema and metadata. */
export async function readCubeColumns(engine: Engine, path: string): Promise<CubeColumns> {
  const meta = await engine.all(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata(${sqlString(path)})`);
  const version = meta.find((m) => m['k'] === 'marquetry_cube')?.['v'];
  if (version !== String(CUBE_FORMAT_VERSION)) throw new Error(`cube: ${path} is not a version ${CUBE_FORMAT_VERSION} span cube (${String(version)})`);
  const high = JSON.parse(String(meta.find((m) => m['k'] === 'high_cardinality')?.['v'] ?? '[]')) as string[];
  const own = new Set([CUBE_DURATION_BUCKET, CUBE_DURATION_RANGE, CUBE_SPAN_COUNT, CUBE_LOG_DURATION_SUM]);
  const schema = await engine.all(`SELECT name FROM parquet_schema(${sqlString(path)}) WHERE num_children IS NULL OR num_children = 0`);
  const grouped = schema.map((r) => String(r['name'])).filter((n) => n !== 'duckdb_schema' && !own.has(n));
  return { grouped, highCardinality: high };
}

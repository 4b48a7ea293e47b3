// Trace by id: each part's trace index (src/parts/trace-index.ts) names the
// rows that may hold the trace — none for most parts — and DuckDB reads only
// the row group holding them.
//
// A part's lookup is split by columns into LOOKUP_COLUMN_GROUPS queries that
// run at once: DuckDB decodes one row group with one thread, and a lookup's
// time is decoding that row group's ~130 column chunks (docs/storage.md), so
// two queries over half the columns each answer in about half the time.
//
// The predicate is `trace_id BETWEEN x AND x`, not `=`: DuckDB 1.5.6 answers
// `=` on a BLOB column wrongly (0 rows) when the file carries a Parquet bloom
// filter for it, which its own writer adds to dictionary-encoded columns.
// Range predicates use min/max statistics only and are correct.

import { join } from 'node:path';
import { bytesOfHex } from '../model/hex.js';
import { BadQueryError } from '../model/errors.js';
import { readParquetSql, sqlIdent, sqlString, type Engine, type Row } from '../engine/duckdb.js';
import { TraceBloom } from '../parts/trace-bloom.js';
import { TraceIndex, type RowRange } from '../parts/trace-index.js';
import type { PartInfo } from '../parts/catalog.js';
import type { StagedFile } from '../head/head.js';
import { readMatchingRows, UnsupportedPartError, type ColumnReadHelper, type PartPagesCache } from './part-pages.js';

/** Parses a trace id in hex (Tempo also accepts ids shorter than 32 chars, left-padded). */
export function parseTraceId(hex: string): Uint8Array {
  const clean = hex.trim().toLowerCase();
  if (clean.length === 0 || clean.length > 32 || !/^[0-9a-f]+$/.test(clean)) {
    throw new BadQueryError(`trace lookup: "${hex}" is not a hex trace id of up to 32 characters`);
  }
  return bytesOfHex(clean.padStart(32, '0'))!;
}

/**
 * Loaded trace indexes by part id; parts are immutable, so entries never go
 * stale. An index that cannot be read (missing, torn, corrupt) is never
 * trusted: the part is then read whole, which is slower but correct.
 */
export class TraceIndexCache {
  private readonly indexes = new Map<string, Promise<TraceIndex>>();

  get(dataDir: string, part: PartInfo): Promise<TraceIndex> {
    let index = this.indexes.get(part.id);
    if (!index) {
      index = loadIndex(dataDir, part);
      this.indexes.set(part.id, index);
    }
    return index;
  }

  /** Drops entries of parts no longer in the catalog. */
  retain(parts: readonly PartInfo[]): void {
    const live = new Set(parts.map((p) => p.id));
    for (const id of this.indexes.keys()) if (!live.has(id)) this.indexes.delete(id);
  }
}

async function loadIndex(dataDir: string, part: PartInfo): Promise<TraceIndex> {
  try {
    if (part.traceIndexPath) return await TraceIndex.read(join(dataDir, part.traceIndexPath));
    if (part.bloomPath) return TraceIndex.ofBloom(await TraceBloom.read(join(dataDir, part.bloomPath)), part.rows);
  } catch (err) {
    console.error(`trace lookup: part ${part.id} is read whole: ${err instanceof Error ? err.message : String(err)}`);
  }
  return TraceIndex.wholePart(part.rows);
}

/** Does the staging file hold a span of any of the traces? One pass over its ids. */
function stagedHoldsAny(file: StagedFile, ids: readonly Uint8Array[]): boolean {
  const have = file.traceIds;
  for (let off = 0; off < have.length; off += 16) {
    next: for (const id of ids) {
      for (let k = 0; k < 16; k++) if (have[off + k] !== id[k]) continue next;
      return true;
    }
  }
  return false;
}

export interface TraceLookupInput {
  dataDir: string;
  parts: readonly PartInfo[];
  staged: readonly StagedFile[];
}

/** A file to read, the columns it has, and where in it the wanted traces may be. */
export interface SpanFile {
  path: string;
  columns: readonly string[];
  /** rows that may hold the traces, ascending and disjoint; undefined = anywhere (staging files) */
  rows?: RowRange[];
  /** the part's trace summary (docs/format/trace-summary.md), absolute; undefined = none (staging files, older parts) */
  summary?: string;
}

/** Ranges sorted and merged where they touch or overlap. */
function mergeRanges(ranges: RowRange[]): RowRange[] {
  const sorted = [...ranges].sort((a, b) => a.from - b.from);
  const out: RowRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to) last.to = Math.max(last.to, r.to);
    else out.push({ ...r });
  }
  return out;
}

/** Files that may hold any of the traces: trace indexes for parts, the ids themselves for staging files. */
export async function candidateFiles(input: TraceLookupInput, ids: readonly Uint8Array[], indexes: TraceIndexCache): Promise<SpanFile[]> {
  const files: SpanFile[] = [];
  const found = await Promise.all(input.parts.map((p) => indexes.get(input.dataDir, p).then((index) => mergeRanges(ids.flatMap((id) => index.rowRanges(id))))));
  input.parts.forEach((p, i) => {
    if (found[i]!.length === 0) return;
    const file: SpanFile = { path: join(input.dataDir, p.path), columns: p.columns, rows: found[i]! };
    if (p.summaryPath) file.summary = join(input.dataDir, p.summaryPath);
    files.push(file);
  });
  for (const f of input.staged) if (stagedHoldsAny(f, ids)) files.push({ path: f.path, columns: f.columns });
  return files;
}

/**
 * `read_parquet(file)` restricted to the rows the trace index names:
 * DuckDB skips every row group outside them (file_row_number filters prune
 * row groups, measured), however the runs of a part overlap in trace ids.
 */
export function spanFileSql(file: SpanFile, projection: string, where: string): string {
  if (file.rows === undefined) return `SELECT ${projection} FROM ${readParquetSql([file.path])} WHERE ${where}`;
  const rows = file.rows.map((r) => `(file_row_number >= ${r.from} AND file_row_number < ${r.to})`).join(' OR ');
  return `SELECT ${projection} FROM read_parquet(${sqlString(file.path)}, file_row_number = true, hive_partitioning = false) WHERE (${rows}) AND (${where})`;
}

/** Column queries per part lookup: this machine has 2 cores. */
export const LOOKUP_COLUMN_GROUPS = 2;

/**
 * Memory limit of the lookup engine (one thread): a lookup decodes a few row
 * groups at a time, but its answer is materialised whole, and a trace of
 * 100 k spans with wide attribute columns can take a few hundred MB.
 */
export const LOOKUP_ENGINE_MEMORY = '1GB';

/**
 * Decoding cost of a column relative to a typical attribute column (measured
 * per row group, docs/storage.md): the events JSON and the random ids dominate.
 */
const COLUMN_WEIGHT: Readonly<Record<string, number>> = {
  events: 6,
  events_compact: 4,
  span_id: 4,
  parent_span_id: 4,
  start_time_unix_nano: 2,
  duration_nano: 2,
};

/** Splits items into `groups` non-empty sets of about equal weight (heaviest first, each to the lightest set). */
export function balancedGroups<T extends { weight: number }>(items: readonly T[], groups: number): T[][] {
  const out: T[][] = Array.from({ length: Math.max(1, groups) }, () => []);
  const load = new Array<number>(out.length).fill(0);
  for (const item of [...items].sort((a, b) => b.weight - a.weight)) {
    let lightest = 0;
    for (let g = 1; g < out.length; g++) if (load[g]! < load[lightest]!) lightest = g;
    out[lightest]!.push(item);
    load[lightest]! += item.weight;
  }
  return out.filter((g) => g.length > 0);
}

/** Splits columns into `groups` sets of about equal decoding cost. */
export function columnGroups(columns: readonly string[], groups: number): string[][] {
  const weighted = columns.map((name) => ({ name, weight: COLUMN_WEIGHT[name] ?? 1 }));
  return balancedGroups(weighted, groups).map((g) => g.map((c) => c.name));
}

/** Rows a trace read may decode in the file (its row ranges; a staging file is small and read whole). */
export function candidateRows(file: SpanFile): number {
  return file.rows ? file.rows.reduce((n, r) => n + (r.to - r.from), 0) : 1;
}

/**
 * `trace_id BETWEEN x AND x OR …`: DuckDB prunes row groups by min/max for
 * each range, where an IN list of many ids made it read every row group
 * (bench: 143 vs 227 CPU ms for the 20 traces of a search over 5 M spans).
 * Where row numbers already choose the row groups (traceRowsFilter), the IN
 * list is the cheaper filter.
 */
export function traceIdFilter(...ids: readonly Uint8Array[]): string {
  return ids
    .map((id) => {
      const hex = Buffer.from(id).toString('hex');
      return `trace_id BETWEEN from_hex('${hex}') AND from_hex('${hex}')`;
    })
    .join(' OR ');
}

/**
 * Many traces at once in files read through their trace indexes: the row
 * ranges widened to whole row groups and merged, and `trace_id IN (…)`.
 * DuckDB tests every row of the row groups it reads against both filters:
 * for the 20 traces of a search over 1 M spans, the trace indexes' ~20
 * ranges per file cost ~15 CPU ms as file_row_number filters and 20 ORed
 * BETWEENs ~30 more, where a few row-group ranges and an IN list cost a few
 * (docs/storage.md).
 */
export function manyTracesFile(file: SpanFile, rowGroupRows: number): SpanFile {
  if (file.rows === undefined) return file;
  const widened = file.rows.map((r) => ({ from: Math.floor(r.from / rowGroupRows) * rowGroupRows, to: Math.ceil(r.to / rowGroupRows) * rowGroupRows }));
  return { ...file, rows: mergeRanges(widened) };
}

/** `trace_id IN (x, …)`: for files whose rows are already chosen (manyTracesFile). */
export function traceIdInFilter(ids: readonly Uint8Array[]): string {
  return `trace_id IN (${ids.map((id) => `from_hex('${Buffer.from(id).toString('hex')}')`).join(', ')})`;
}

/** The trace's rows of one part: each column group read by its own query, zipped by row number. */
async function partRows(engine: Engine, file: SpanFile, id: Uint8Array): Promise<Row[]> {
  const groups = columnGroups(file.columns, LOOKUP_COLUMN_GROUPS);
  const results = await Promise.all(
    groups.map((cols) =>
      engine.all(`${spanFileSql(file, `file_row_number AS __row, ${cols.map(sqlIdent).join(', ')}`, traceIdFilter(id))} ORDER BY __row`),
    ),
  );
  const rows = results[0]!;
  for (const other of results.slice(1)) {
    if (other.length !== rows.length) throw new Error(`trace lookup: column queries of ${file.path} found ${rows.length} and ${other.length} rows`);
    other.forEach((r, i) => Object.assign(rows[i]!, r));
  }
  for (const r of rows) delete r['__row'];
  return rows;
}

/**
 * The parts that do hold the trace, when several may: a bloom filter's false
 * positive (≈ 1 % per run, so one lookup in five at 20 parts) would otherwise
 * cost a read of every column of a row group; a count over the trace id
 * column alone costs about a hundredth of that.
 */
async function partsHolding(engine: Engine, parts: SpanFile[], id: Uint8Array): Promise<SpanFile[]> {
  if (parts.length <= 1) return parts;
  const counts = await Promise.all(parts.map((f) => engine.all(spanFileSql(f, 'count(*) AS n', traceIdFilter(id)))));
  return parts.filter((_, i) => Number(counts[i]![0]?.['n'] ?? 0) > 0);
}

/** Parts the page reader could not read, each reported once. */
const readWithDuckDb = new Set<string>();

/**
 * The trace's rows of one part from its pages (part-pages.ts); a part the
 * page reader cannot read is read with DuckDB, as before it.
 */
async function partRowsFromPages(engine: Engine, file: SpanFile, id: Uint8Array, pages: PartPagesCache, helper: ColumnReadHelper | undefined): Promise<Row[]> {
  try {
    return await readMatchingRows(pages.get(file.path), file.rows ?? [], 'trace_id', id, helper);
  } catch (err) {
    if (!readWithDuckDb.has(file.path)) {
      readWithDuckDb.add(file.path);
      const why = err instanceof Error ? err.message : String(err);
      console.error(`trace lookup: ${file.path} read with DuckDB${err instanceof UnsupportedPartError ? '' : ' after an error'}: ${why}`);
    }
    return (await partsHolding(engine, [file], id)).length > 0 ? partRows(engine, file, id) : [];
  }
}

/**
 * Every span row of the trace (empty when unknown). With `pages`, parts are
 * read by the page reader (null columns left out of the rows), half of each
 * part's columns by the `helper` thread when given; without, by DuckDB.
 */
export async function lookupTrace(engine: Engine, input: TraceLookupInput, id: Uint8Array, indexes: TraceIndexCache, pages?: PartPagesCache, helper?: ColumnReadHelper): Promise<Row[]> {
  const files = await candidateFiles(input, [id], indexes);
  const staged = files.filter((f) => f.rows === undefined).map((f) => f.path);
  const partFiles = files.filter((f) => f.rows !== undefined);
  // The page reader checks each candidate's trace ids itself: no counting first.
  const reads: Promise<Row[]>[] = pages
    ? partFiles.map((f) => partRowsFromPages(engine, f, id, pages, helper))
    : (await partsHolding(engine, partFiles, id)).map((f) => partRows(engine, f, id));
  if (staged.length > 0) reads.push(engine.all(`SELECT * FROM ${readParquetSql(staged)} WHERE ${traceIdFilter(id)}`));
  return (await Promise.all(reads)).flat();
}

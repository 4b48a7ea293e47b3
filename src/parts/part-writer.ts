// Turns staging files into parts per UTC day — for traces one per trace-id
// range of at most PART_FLUSH_ROWS rows — sorted in the signal's order
// (traces: by trace id then start time, so a trace's spans sit together, a
// lookup reads one row group and ids compress by dictionary/RLE), zstd,
// Parquet v1 pages, each with its trace index; written by our own writer
// (PartLayout.encoding), or by DuckDB's COPY where the rows cannot be
// regrouped and for trace merges. The figures behind each choice are in
// docs/storage.md.

import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { randomBytes } from 'node:crypto';
import { readParquetSql, sqlString, type Engine } from '../engine/duckdb.js';
import type { PartInfo } from './catalog.js';
import { fsyncFile } from './fsync.js';
import { TraceIndex } from './trace-index.js';
import type { FileLayout } from './parquet/layout.js';
import { runCompanionPath, type LogDayRun, type SortedRun } from './sorted-run.js';
import { writeSortedRunsInWorker } from './sorted-run-thread.js';
import type { ColumnFileOptions } from './parquet/writer.js';
import { concatenateParquet } from './parquet/concatenate.js';
import { loadPageCodec } from './parquet/compression.js';
import { CUBE_FILE_SUFFIX, cubeCandidateColumns } from '../analysis/cube-file.js';
import type { CubeColumns } from '../analysis/cube-builder.js';
import { SUMMARY_FILE_SUFFIX } from './trace-summary-builder.js';
import { ROLLUP_FILE_SUFFIX } from '../analysis/rollup-builder.js';
import { TOKEN_INDEX_SUFFIX } from './token-index.js';
import type { LogRowsOfFile } from './log-token-chunks.js';
import { lineFormColumns, UNIT_ROW_COLUMN } from './log-unit-columns.js';
import { fileColumnsOf, lineFormRowsSql } from './log-unit-rewrite.js';

/** Beside each part: its trace index (docs/format/trace-index.md). */
export const TRACE_INDEX_SUFFIX = '.tidx';

/** Rows per Parquet row group in parts: small enough that a trace lookup decodes little. */
export const PART_ROW_GROUP_ROWS = 64 * 1024;
/**
 * Parts hold at most this many rows (8 row groups), by flush and by
 * compaction: every DuckDB query over a file pays for each of its row groups
 * times the columns it reads (a lookup in the old 10 M-row part: 72 ms; in a
 * 1 M-row one: 27 ms), and a flush sorts this many rows at a time, which
 * bounds its memory (docs/storage.md).
 */
export const PART_MAX_ROWS = 8 * PART_ROW_GROUP_ROWS;
/** A flush writes parts of at most this many rows (whole traces; a trace of more rows gets a part of its own). */
export const PART_FLUSH_ROWS = PART_MAX_ROWS;
export const PART_COMPRESSION = 'zstd';
/** zstd level of parts: 9 measured 3.4 % smaller than the default 3 (docs/storage.md). */
export const PART_COMPRESSION_LEVEL = 9;

/** Where and in which order a signal's parts are written. */
export interface PartLayout {
  /** folder under parts/ — also the signal's WAL stream, catalog and staging folder: 'traces', 'logs' */
  stream: string;
  /** int64 column of each row's time, unix nanos; parts are split by its UTC day */
  timeColumn: string;
  /** ORDER BY of a flushed part */
  sortSql: string;
  /**
   * Parts are sorted by trace id (sortSql starts with it): a flush splits
   * them by trace-id range, each of at most PART_FLUSH_ROWS rows, so it sorts
   * that many rows at a time (its memory) and a lookup opens a file of few row
   * groups, and their trace index has fences (docs/storage.md).
   */
  splitByTraceId?: boolean;
  /** rows per Parquet row group */
  rowGroupRows: number;
  /**
   * Rows equal in sortSql are ordered by source file path, then row in that
   * file, so the order is known in advance (logs: the token index is built
   * for the part's rows before DuckDB writes them).
   */
  tieBreakBySourceRow?: boolean;
  /**
   * Parts written by our own Parquet writer with these encodings (compressed
   * pages, delta-coded int64s), rows in the order the source gives
   * (PartSource.rowOrder), instead of by DuckDB's COPY; DuckDB still writes
   * them when the source lacks page layouts or an order. Log parts
   * (docs/storage.md, "Log parts") and, since session 6, trace parts (split
   * by trace id, runs in trace order: docs/storage.md, "Trace parts by our
   * own writer"); trace parts are still merged by DuckDB (mergeParts).
   */
  encoding?: ColumnFileOptions;
  /**
   * With encoding: a part whose times are all whole µs stores timeColumn as
   * this column in µs (log parts: src/parts/log-time-micros.ts); its
   * catalog entry lists this column instead of timeColumn.
   */
  wholeMicrosTimeColumn?: string;
  /**
   * Regrouped parts hold `events_compact` instead of `events`: each event's
   * time relative to its span's start (src/parts/events-compact.ts,
   * docs/format/events-compact.md); parts DuckDB sorts keep `events`.
   */
  compactEvents?: boolean;
  /**
   * With encoding: body text columns stored as template + numbers, doubles
   * as decimals, where that measures smaller (log parts:
   * src/parts/log-text-template.ts, log-decimal-double.ts); the catalog
   * entry lists the stored columns.
   */
  compactBodyFields?: boolean;
  /**
   * With compactBodyFields and the log rows: per-request fields written once
   * per unit of work where that pays (src/parts/log-unit-form.ts,
   * docs/format/log-unit-columns.md); the catalog entry lists the stored
   * `::unit` columns and `__unit_row`.
   */
  unitColumns?: boolean;
  /**
   * With encoding: the regrouping worker also writes each part's span cube
   * (`<id>.cube.parquet`, src/analysis/cube-builder.ts) and the part's
   * catalog entry names it; parts DuckDB writes get theirs from the cube
   * store (src/analysis/cube-store.ts).
   */
  spanCubes?: boolean;
  /**
   * With encoding: the regrouping worker also writes each part's trace
   * summary (`<id>.summary.parquet`, src/parts/trace-summary-builder.ts);
   * parts DuckDB writes get theirs from the summary store
   * (src/store/trace-summary-store.ts).
   */
  traceSummaries?: boolean;
  /**
   * With encoding: the regrouping worker also writes each part's rollups
   * (`<id>.rollup.parquet`, src/analysis/rollup-builder.ts); parts DuckDB
   * writes get theirs from the rollup store (src/analysis/rollup-store.ts).
   */
  rollups?: boolean;
}

/**
 * How our own writer encodes trace parts (docs/storage.md, "Trace parts by
 * our own writer"): zstd in pages of 1 MiB; int64s delta-coded or
 * dictionary-encoded where smaller, strings PLAIN where smaller than their
 * dictionary. zstd levels as the native library prices them (docs/storage.md,
 * "Session 13: zstd levels by the native library's costs"): 3 for most
 * columns (4 cost 25 % more CPU for 0.1 % fewer bytes: its larger tables,
 * set up afresh for every page); the events (compact, ~40 B a span before
 * compression) at 6, where each level above costs more CPU per byte saved
 * than anything else in a part.
 */
export const TRACE_PART_ENCODING: ColumnFileOptions = {
  codec: { codec: 'zstd', level: 3 },
  pageBytes: 1 << 20,
  tryDeltaInt64: true,
  tryPlainStrings: true,
  allOptional: true,
  columnCodecs: {
    events_compact: { codec: 'zstd', level: 6 },
  },
  // A lookup decompresses the trace id page holding its candidate rows (≤ 4096,
  // two fences of the trace index): 1 MiB pages held a whole row group's ids
  // (0.34 ms of zstd). Searches read every id of the row groups they scan with
  // DuckDB, which pays per page: 64 KiB pages cost it ~20 % more CPU for the
  // column than 256 KiB or 1 MiB ones. 256 KiB (16,384 ids, ~0.08 ms for a
  // lookup) are as small stored as 64 KiB (docs/storage.md, "Search").
  columnPageBytes: { trace_id: 256 * 1024 },
};

export const TRACE_PART_LAYOUT: PartLayout = {
  stream: 'traces',
  timeColumn: 'start_time_unix_nano',
  sortSql: 'trace_id, start_time_unix_nano',
  splitByTraceId: true,
  rowGroupRows: PART_ROW_GROUP_ROWS,
  compactEvents: true,
  encoding: TRACE_PART_ENCODING,
  spanCubes: true,
  traceSummaries: true,
  rollups: true,
};

export interface PartSource {
  /** absolute paths of the Parquet files to merge */
  paths: string[];
  /** trace ids (16 bytes each) and row times of every row in the sources, in any order */
  traceIds: Uint8Array;
  startNs: BigInt64Array;
  columns: ReadonlySet<string>;
  services: ReadonlySet<string>;
  /**
   * Page layouts of the files in `paths` (staging files written by our own
   * writer; rows in path order match traceIds/startNs). With them a flush
   * sorts rows itself (src/parts/sorted-run.ts) and DuckDB only compresses.
   */
  layouts?: readonly (FileLayout | undefined)[];
  /**
   * Log parts, with PartLayout.encoding: per file of `paths`, its rows'
   * times, services, correlation keys and word hashes. The regrouping worker
   * orders a part's rows by them (logPartRows) and writes its token index.
   */
  logRows?: readonly LogRowsOfFile[];
}

const NS_PER_DAY = 86_400_000_000_000n;

export function dayOf(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 10);
}

/** Collision-free across processes and machines: time, then 64 random bits. */
export function newPartId(): string {
  return `${Date.now().toString(36).padStart(9, '0')}-${randomBytes(8).toString('hex')}`;
}

const ID_BYTES = 16;

/** Distinct trace ids of the rows in a day, ascending, with their row counts and time ranges. */
interface DayTraces {
  /** 16 bytes per trace, ascending as DuckDB sorts BLOBs */
  ids: Uint8Array;
  counts: Uint32Array;
  minNs: BigInt64Array;
  maxNs: BigInt64Array;
  /** per row of the source: the index of its trace in `ids`, -1 for rows of other days */
  rowTrace: Int32Array;
}

function tracesIn(source: PartSource, from: bigint, to: bigint): DayTraces {
  // Trace ids in an open-addressing table keyed by their first 32 bits (ids
  // are random), compared by their four words: no string per row.
  const ids = source.traceIds.byteOffset % 4 === 0 ? source.traceIds : source.traceIds.slice();
  const words = new Int32Array(ids.buffer, ids.byteOffset, ids.byteLength >>> 2);
  const rows = source.startNs.length;
  let capacity = 16;
  while (capacity < rows * 2) capacity *= 2;
  const mask = capacity - 1;
  /** per slot: a row holding the trace, + 1 (0: empty) */
  const slotRow = new Int32Array(capacity);
  const slotTrace = new Int32Array(capacity);
  const firstRow: number[] = [];
  const counts: number[] = [];
  const minNs: bigint[] = [];
  const maxNs: bigint[] = [];
  const rowTrace = new Int32Array(rows).fill(-1);
  for (let i = 0; i < rows; i++) {
    const t = source.startNs[i]!;
    if (t < from || t >= to) continue;
    const w = i * 4;
    let slot = Math.imul(words[w]! ^ words[w + 3]!, 0x9e3779b1) & mask;
    let k = -1;
    for (;;) {
      const r = slotRow[slot]! - 1;
      if (r < 0) break;
      const v = r * 4;
      if (words[v] === words[w] && words[v + 1] === words[w + 1] && words[v + 2] === words[w + 2] && words[v + 3] === words[w + 3]) {
        k = slotTrace[slot]!;
        break;
      }
      slot = (slot + 1) & mask;
    }
    if (k < 0) {
      k = counts.length;
      slotRow[slot] = i + 1;
      slotTrace[slot] = k;
      firstRow.push(i);
      counts.push(1);
      minNs.push(t);
      maxNs.push(t);
    } else {
      counts[k]!++;
      if (t < minNs[k]!) minNs[k] = t;
      if (t > maxNs[k]!) maxNs[k] = t;
    }
    rowTrace[i] = k;
  }
  // latin1 strings compare by code unit, i.e. byte by byte: the order DuckDB sorts BLOBs in
  const buf = Buffer.from(source.traceIds.buffer, source.traceIds.byteOffset, source.traceIds.byteLength);
  const keys = firstRow.map((row, k) => ({ key: buf.toString('latin1', row * ID_BYTES, (row + 1) * ID_BYTES), k }));
  keys.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const out: DayTraces = { ids: new Uint8Array(keys.length * ID_BYTES), counts: new Uint32Array(keys.length), minNs: new BigInt64Array(keys.length), maxNs: new BigInt64Array(keys.length), rowTrace };
  const rankOf = new Int32Array(keys.length);
  keys.forEach(({ k }, i) => {
    rankOf[k] = i;
    out.ids.set(source.traceIds.subarray(firstRow[k]! * ID_BYTES, (firstRow[k]! + 1) * ID_BYTES), i * ID_BYTES);
    out.counts[i] = counts[k]!;
    out.minNs[i] = minNs[k]!;
    out.maxNs[i] = maxNs[k]!;
  });
  for (let i = 0; i < rowTrace.length; i++) if (rowTrace[i]! >= 0) rowTrace[i] = rankOf[rowTrace[i]!]!;
  return out;
}

/**
 * Rows of the day in part order: by trace (ids ascending), within a trace by
 * start time, ties in arrival order — what ORDER BY trace_id,
 * start_time_unix_nano gives. Returns the rows and, per trace, where its rows
 * start (one more entry: the end).
 */
function rowsInTraceOrder(traces: DayTraces, startNs: BigInt64Array): { order: Uint32Array; traceStarts: Uint32Array } {
  const n = traces.counts.length;
  const traceStarts = new Uint32Array(n + 1);
  for (let t = 0; t < n; t++) traceStarts[t + 1] = traceStarts[t]! + traces.counts[t]!;
  const next = traceStarts.slice(0, n);
  const order = new Uint32Array(traceStarts[n]!);
  const rowTrace = traces.rowTrace;
  for (let i = 0; i < rowTrace.length; i++) {
    const t = rowTrace[i]!;
    if (t >= 0) order[next[t]!++] = i;
  }
  const byStart = (x: number, y: number): number => (startNs[x]! < startNs[y]! ? -1 : startNs[x]! > startNs[y]! ? 1 : x - y);
  for (let t = 0; t < n; t++) {
    const a = traceStarts[t]!;
    const b = traceStarts[t + 1]!;
    let sorted = true;
    for (let i = a + 1; i < b && sorted; i++) sorted = startNs[order[i - 1]!]! <= startNs[order[i]!]!;
    if (!sorted) order.subarray(a, b).sort(byStart);
  }
  return { order, traceStarts };
}

/** Consecutive trace ranges [first, end) of at most `maxRows` rows each (a bigger trace alone). */
function chunksOf(traces: DayTraces, maxRows: number): { first: number; end: number; rows: number }[] {
  const out: { first: number; end: number; rows: number }[] = [];
  let first = 0;
  let rows = 0;
  for (let i = 0; i < traces.counts.length; i++) {
    const n = traces.counts[i]!;
    if (i > first && rows + n > maxRows) {
      out.push({ first, end: i, rows });
      first = i;
      rows = 0;
    }
    rows += n;
  }
  if (traces.counts.length > first) out.push({ first, end: traces.counts.length, rows });
  return out;
}

function idSql(ids: Uint8Array, i: number): string {
  return `from_hex('${Buffer.from(ids.subarray(i * ID_BYTES, (i + 1) * ID_BYTES)).toString('hex')}')`;
}

/**
 * Writes one part per UTC day present in `source`; returns their catalog
 * entries (not yet committed). `level` is the compaction level of the result.
 */
export async function writeParts(
  engine: Engine,
  dataDir: string,
  layout: PartLayout,
  source: PartSource,
  level: number,
  /** most rows per part when split by trace id (tests make it small) */
  maxPartRows = PART_FLUSH_ROWS,
): Promise<PartInfo[]> {
  if (source.startNs.length === 0) return [];
  const days = new Set<bigint>();
  for (let i = 0; i < source.startNs.length; i++) days.add(source.startNs[i]! / NS_PER_DAY - (source.startNs[i]! < 0n ? 1n : 0n));
  // our writer needs the part order: the worker's (logs) or by trace id (traces)
  const ownWriter = layout.encoding !== undefined && (source.logRows !== undefined || layout.splitByTraceId === true);
  const layouts = layout.splitByTraceId || ownWriter ? usableLayouts(source) : undefined;
  const parts: PartInfo[] = [];
  for (const d of [...days].sort()) {
    const from = d * NS_PER_DAY;
    const to = from + NS_PER_DAY;
    const day = dayOf(from);
    const traces = tracesIn(source, from, to);
    const chunks = layout.splitByTraceId ? chunksOf(traces, maxPartRows) : [{ first: 0, end: traces.counts.length, rows: -1 }];
    const runs = layouts
      ? await regroupRows(dataDir, layout, source, layouts, traces, chunks, ownWriter, source.logRows && { fromNs: from, toNs: to }).catch((err) => {
          // a flush must not fail for good over this: DuckDB can still sort
          console.error(`${layout.stream} flush: regrouping rows failed, DuckDB sorts them instead: ${String(err)}`);
          return undefined;
        })
      : undefined;
    try {
      for (const [c, chunk] of chunks.entries()) {
        const id = newPartId();
        const path = partFilePath(dataDir, layout, day, id);
        const indexPath = join(dirname(path), `${id}${TRACE_INDEX_SUFFIX}`);
        await mkdir(dirname(path), { recursive: true });
        let companions: Pick<PartInfo, 'cubePath' | 'cubeHighCardinality' | 'summaryPath' | 'rollupPath' | 'tokenIndexPath'> = {};
        let form: MergedForm = 'as-inputs';
        if (runs && ownWriter) {
          // the run is the part; the worker's companions of it go beside it
          await rename(runs.paths[c]!, path);
          const besidePart = async (suffix: string): Promise<string> => {
            const companion = path.replace(/\.parquet$/, suffix);
            await rename(runCompanionPath(runs.paths[c]!, suffix), companion);
            await fsyncFile(companion);
            return relative(dataDir, companion);
          };
          const cubeColumns = runs.cubes?.[c];
          if (cubeColumns) companions = { cubePath: await besidePart(CUBE_FILE_SUFFIX), cubeHighCardinality: cubeColumns.highCardinality };
          if (runs.summaries?.[c]) companions.summaryPath = await besidePart(SUMMARY_FILE_SUFFIX);
          if (runs.rollups?.[c]) companions.rollupPath = await besidePart(ROLLUP_FILE_SUFFIX);
          if (runs.tokenIndexes?.[c]) companions.tokenIndexPath = await besidePart(TOKEN_INDEX_SUFFIX);
        } else if (runs) {
          // rows already in part order: DuckDB only encodes and compresses (a units-form run in line form)
          form = await copyConcatenated(engine, [runs.paths[c]!], path, layout);
        } else {
          const where: string[] = [];
          if (days.size > 1) where.push(`${layout.timeColumn} >= ${from} AND ${layout.timeColumn} < ${to}`);
          if (c > 0) where.push(`trace_id >= ${idSql(traces.ids, chunk.first)}`);
          if (c < chunks.length - 1) where.push(`trace_id < ${idSql(traces.ids, chunk.end)}`);
          await copySorted(engine, source.paths, path, layout, where.length ? `WHERE ${where.join(' AND ')}` : '');
        }
        await fsyncFile(path); // the catalog will point at it and the WAL will be cut: it must be on disk
        const stored = partColumns(source, runs?.storedAs[c] ?? {});
        const ids = traces.ids.subarray(chunk.first * ID_BYTES, chunk.end * ID_BYTES);
        const counts = traces.counts.subarray(chunk.first, chunk.end);
        const rows = counts.reduce((n, x) => n + x, 0);
        // Fences only where rows are in trace-id order; elsewhere (logs) the bloom alone says which parts.
        const index = layout.splitByTraceId ? TraceIndex.ofSortedTraces(ids, counts) : TraceIndex.ofUnsortedRun(ids, counts.length, rows);
        await index.write(indexPath);
        let minNs = traces.minNs[chunk.first]!;
        let maxNs = traces.maxNs[chunk.first]!;
        for (let i = chunk.first + 1; i < chunk.end; i++) {
          if (traces.minNs[i]! < minNs) minNs = traces.minNs[i]!;
          if (traces.maxNs[i]! > maxNs) maxNs = traces.maxNs[i]!;
        }
        parts.push({
          id,
          path: relative(dataDir, path),
          traceIndexPath: relative(dataDir, indexPath),
          rows,
          bytes: (await stat(path)).size,
          minStartNs: String(minNs),
          maxStartNs: String(maxNs),
          day,
          level,
          createdAtMs: Date.now(),
          columns: form === 'line-form' ? columnsOfForm(stored, form) : stored,
          // A flush spanning days or split by trace id lists, per part, only the services stored in it.
          services: runs ? runs.services[c]! : days.size > 1 || chunks.length > 1 ? await servicesIn(engine, path) : [...source.services].sort(),
          ...companions,
        });
      }
    } finally {
      if (runs) for (const p of runs.paths) await Promise.all([p, ...WORKER_COMPANION_SUFFIXES.map((suffix) => runCompanionPath(p, suffix))].map((f) => rm(f, { force: true })));
    }
  }
  return parts;
}

/** Folder of the regrouped rows a flush hands DuckDB, under the data folder; emptied when the store opens. */
export function sortedRunDir(dataDir: string, layout: PartLayout): string {
  return join(dataDir, 'tmp', 'sorted-runs', layout.stream);
}

/** The source's page layouts when every file has one and they hold its rows; else undefined (DuckDB sorts). */
function usableLayouts(source: PartSource): FileLayout[] | undefined {
  const layouts = source.layouts;
  if (!layouts || layouts.length !== source.paths.length || layouts.some((l) => l === undefined)) return undefined;
  let rows = 0;
  for (const l of layouts) rows += l!.rows;
  return rows === source.startNs.length ? (layouts as FileLayout[]) : undefined;
}

/**
 * Writes each chunk's rows, in part order, into a file of its own (in a
 * worker thread): the paths, and per chunk its services and the companions
 * written beside it.
 */
async function regroupRows(
  dataDir: string,
  layout: PartLayout,
  source: PartSource,
  layouts: readonly FileLayout[],
  traces: DayTraces,
  chunks: readonly { first: number; end: number }[],
  /** the runs are the parts, written with layout.encoding (else uncompressed, for DuckDB to encode) */
  asParts: boolean,
  /** log parts: the only run is this UTC day of source.logRows, ordered by the worker; else by trace, per chunk */
  logDay?: { fromNs: bigint; toNs: bigint },
): Promise<{ paths: string[]; services: string[][]; storedAs: Record<string, string[]>[]; cubes?: (CubeColumns | null)[]; summaries?: boolean[]; rollups?: boolean[]; tokenIndexes?: boolean[] }> {
  const dir = sortedRunDir(dataDir, layout);
  await mkdir(dir, { recursive: true });
  let runs: (SortedRun | LogDayRun)[];
  if (logDay) {
    runs = [{ outPath: join(dir, `${newPartId()}.parquet`), ...logDay }];
  } else {
    const { order, traceStarts } = rowsInTraceOrder(traces, source.startNs);
    runs = chunks.map((chunk) => ({
      outPath: join(dir, `${newPartId()}.parquet`),
      rows: order.slice(traceStarts[chunk.first]!, traceStarts[chunk.end]!),
    }));
  }
  const sources = source.paths.map((path, f) => ({ path, layout: layouts[f]! }));
  const write = asParts ? { ...layout.encoding, rowGroupRows: layout.rowGroupRows } : undefined;
  const codec = write?.codec ? { codec: write.codec } : {};
  const wholeMicros = write && layout.wholeMicrosTimeColumn !== undefined ? { column: layout.timeColumn, as: layout.wholeMicrosTimeColumn } : undefined;
  const result = await writeSortedRunsInWorker({
    sources,
    runs,
    distinctColumn: 'service_name',
    ...(write ? { write } : {}),
    ...(wholeMicros ? { wholeMicros } : {}),
    ...(layout.compactEvents ? { compactEvents: true } : {}),
    ...(write && layout.compactBodyFields ? { compactBodyFields: true } : {}),
    ...(write && logDay && layout.compactBodyFields && layout.unitColumns ? { unitColumns: true } : {}),
    ...(write && layout.spanCubes ? { spanCubes: { ...cubeCandidateColumns(source.columns), paths: runs.map((r) => runCompanionPath(r.outPath, CUBE_FILE_SUFFIX)), ...codec } } : {}),
    ...(write && layout.traceSummaries ? { traceSummaries: { paths: runs.map((r) => runCompanionPath(r.outPath, SUMMARY_FILE_SUFFIX)), ...codec } } : {}),
    ...(write && layout.rollups ? { rollups: { paths: runs.map((r) => runCompanionPath(r.outPath, ROLLUP_FILE_SUFFIX)), ...codec } } : {}),
    ...(write && logDay ? { logRows: source.logRows! } : {}),
  });
  return {
    paths: runs.map((r) => r.outPath),
    services: result.distinct,
    storedAs: result.storedAs,
    ...(result.cubes ? { cubes: result.cubes } : {}),
    ...(result.summaries ? { summaries: result.summaries } : {}),
    ...(result.rollups ? { rollups: result.rollups } : {}),
    ...(result.tokenIndexes ? { tokenIndexes: result.tokenIndexes } : {}),
  };
}

/** Files the regrouping worker writes beside a run: its span cube, trace summary, rollups and token index. */
const WORKER_COMPANION_SUFFIXES = [CUBE_FILE_SUFFIX, SUMMARY_FILE_SUFFIX, ROLLUP_FILE_SUFFIX, TOKEN_INDEX_SUFFIX];

/** The columns of a flushed part: the source's, those stored as others (time in µs, compact events, templates…) replaced by those. */
function partColumns(source: PartSource, storedAs: Readonly<Record<string, string[]>>): string[] {
  const columns = [...source.columns].filter((c) => storedAs[c] === undefined);
  for (const stored of Object.values(storedAs)) columns.push(...stored);
  return columns.sort();
}

/** parts/<stream>/date=<day>/<id>.parquet under the data folder */
export function partFilePath(dataDir: string, layout: PartLayout, day: string, id: string): string {
  return join(dataDir, 'parts', layout.stream, `date=${day}`, `${id}.parquet`);
}

async function servicesIn(engine: Engine, path: string): Promise<string[]> {
  const rows = await engine.all(`SELECT DISTINCT service_name FROM ${readParquetSql([path])} ORDER BY service_name`);
  return rows.map((r) => String(r['service_name']));
}

/**
 * COPYs the rows of `paths` (optionally filtered) into one sorted zstd part file.
 * No Parquet bloom filters: DuckDB 1.5.6 answers `blob = x` with no rows when
 * one exists for the column (docs/storage.md); parts are skipped by our own
 * trace-id bloom instead, and row groups by min/max.
 */
export async function copySorted(engine: Engine, paths: readonly string[], path: string, layout: PartLayout, whereSql = ''): Promise<void> {
  const select = layout.tieBreakBySourceRow
    ? `SELECT * EXCLUDE (filename, file_row_number) FROM ${readParquetSql(paths, { filename: true, fileRowNumber: true })} ${whereSql} ORDER BY ${layout.sortSql}, filename, file_row_number`
    : `SELECT * FROM ${readParquetSql(paths)} ${whereSql} ORDER BY ${layout.sortSql}`;
  await engine.run(`COPY (${select}) TO ${sqlString(path)} ${partCopyOptions(layout)}`);
}

function partCopyOptions(layout: PartLayout): string {
  return `(FORMAT parquet, COMPRESSION ${PART_COMPRESSION}, COMPRESSION_LEVEL ${PART_COMPRESSION_LEVEL}, ROW_GROUP_SIZE ${layout.rowGroupRows}, WRITE_BLOOM_FILTER false)`;
}

/**
 * Merges parts that are each sorted by concatenating them: every input stays
 * a sorted run, located by the merged part's trace index (the inputs' indexes
 * one after another), and there is no sort — a sort of millions of wide rows
 * spills gigabytes on this machine (bench: 545 s for 8.6 M rows). One thread
 * and insertion order kept: the rows come out file by file, in order. Log
 * parts in the units form are written in line form (log-unit-rewrite.ts: the
 * join needs an ORDER BY, so a sort after all; a rare path, see mergeParts).
 * Returns the form the rows were written in.
 */
export async function copyConcatenated(engine: Engine, paths: readonly string[], path: string, layout: PartLayout): Promise<MergedForm> {
  // trace parts never hold unit columns: no look at the inputs' columns
  const lineForm = layout.splitByTraceId ? undefined : lineFormRowsSql(await fileColumnsOf(engine, paths));
  await engine.run(`COPY (${lineForm ?? `SELECT * FROM ${readParquetSql(paths)}`}) TO ${sqlString(path)} ${partCopyOptions(layout)}`);
  return lineForm === undefined ? 'as-inputs' : 'line-form';
}

/**
 * How a merge stored the rows: as the inputs did (a units-form input's
 * `__unit_row` moved to the merged file's rows), or all in line form, the
 * unit columns joined back onto their lines (the catalog then lists
 * lineFormColumns of the inputs' columns).
 */
export type MergedForm = 'as-inputs' | 'line-form';

/** The stored columns of a part written in `form` from inputs holding `columns`: by their line-form names where DuckDB wrote the rows in line form. */
export function columnsOfForm(columns: readonly string[], form: MergedForm): string[] {
  return (form === 'line-form' ? lineFormColumns(columns) : [...columns]).sort();
}

/**
 * Merges sorted parts into one, each staying a sorted run: with
 * layout.encoding, parts our writer wrote are concatenated chunk by chunk
 * (their encodings kept, nothing decoded but `__unit_row`, moved by the rows
 * before); otherwise, and for parts DuckDB wrote (before log parts were our
 * own, or a flush DuckDB sorted), DuckDB's copyConcatenated.
 */
export async function mergeParts(engine: Engine, paths: readonly string[], path: string, layout: PartLayout): Promise<MergedForm> {
  // Not trace parts: concatenating keeps each input's row groups, small ones
  // of small flushes included, and a trace lookup pays per row group; DuckDB
  // writes 64 Ki-row groups again.
  if (layout.encoding && !layout.splitByTraceId) {
    // a column an input lacks is written as an all-null chunk in the layout's codec
    await loadPageCodec(layout.encoding.codec);
    if (concatenateParquet(paths, path, layout.encoding.codec, { rowNumberColumns: [UNIT_ROW_COLUMN] })) return 'as-inputs';
  }
  return copyConcatenated(engine, paths, path, layout);
}

// Regroups the rows of staging files into files in a given row order —
// the flush's sort, done on bytes: every column of every staging file is
// decoded from its recorded page layout (no footer parsing, no JS value per
// row) into its non-null values and their rows, the values are scattered to
// their rows in the order the caller computed (trace id, then start), and
// each output file is written column by column (trace parts by our own
// writer: docs/storage.md). DuckDB's sort of ~130 wide columns cost half the
// flush's CPU and most of its memory. Runs in a worker thread, so ingest
// keeps the main one.

import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { ChunkArrays, decodeChunk, type ChunkLayout, type DecodedChunk, type FileLayout, type StoredKind } from './parquet/layout.js';
import { wholeMicros } from './log-time-micros.js';
import { ParquetColumnFileWriter, type ColumnFileOptions, type ParquetColumn } from './parquet/writer.js';
import { firstEqualEntries } from './parquet/strings.js';
import { Scratch } from './parquet/scratch.js';
import { SEVERITY_NUMBER_COLUMN, SEVERITY_TEXT_COLUMN, derivedSeverityNumberMarker, isSeverityCandidate, severityMarkerColumn } from './log-severity-text.js';
import { EntrySplits, isTemplateCandidate, templateTextColumn, type TemplatedText } from './log-text-template.js';
import { decimalDoubleColumn, isDecimalCandidate } from './log-decimal-double.js';
import { DashPrefixFields } from './log-dash-prefix.js';
import { isOmittedEmptyColumn } from './log-empty-columns.js';
import { EVENTS_COMPACT_COLUMN, EVENTS_JSON_COLUMN, EVENTS_START_COLUMN, compactEventsEntry, startWordsOf } from './events-compact.js';
import { SpanCubeBuilder, type CubeColumns, type SpanCubeJob } from '../analysis/cube-builder.js';
import { TraceSummaryBuilder, type TraceSummaryJob } from './trace-summary-builder.js';
import { RollupBuilder, type RollupJob } from '../analysis/rollup-builder.js';
import { logPartRowsAndUnits, partTokenChunks, type LogRowsOfFile } from './log-token-chunks.js';
import { LogUnitColumns, paysAsUnits, runUnits, type RunUnits } from './log-unit-form.js';
import { TOKEN_INDEX_SUFFIX, encodeTokenIndex } from './token-index.js';

export interface SortedRunSource {
  path: string;
  layout: FileLayout;
}

export interface SortedRun {
  outPath: string;
  /** output row k is row rows[k] of the sources, numbered across them in order */
  rows: Uint32Array;
  /** log parts: where each unit of work starts among the rows (ascending, the first 0) */
  unitStarts?: Uint32Array;
}

/** A run of a log part: its rows are those of a UTC day of SortedRunJob.logRows, ordered by the worker (logPartRows). */
export interface LogDayRun {
  outPath: string;
  fromNs: bigint;
  toNs: bigint;
}

export interface SortedRunJob {
  sources: SortedRunSource[];
  /** LogDayRun with logRows */
  runs: (SortedRun | LogDayRun)[];
  /**
   * Log parts: per source, its rows' times, services, correlation keys and
   * word hashes (shared, not copied: LogTokens). The worker orders each
   * LogDayRun's rows by them and writes each run's token index beside it
   * (TOKEN_INDEX_SUFFIX): ~0.7 µs a record that the main thread, which
   * serves ingest, no longer spends (docs/storage.md, session 10).
   */
  logRows?: readonly LogRowsOfFile[];
  /** a string column whose distinct values each run reports (service_name) */
  distinctColumn?: string;
  /** how the runs are encoded; default one uncompressed row group (DuckDB compresses it into a part) */
  write?: ColumnFileOptions;
  /**
   * An int64 ns column written as `as` in µs in each run whose values are all
   * whole µs (log parts' time: src/parts/log-time-micros.ts).
   */
  wholeMicros?: { column: string; as: string };
  /** Trace parts: `events` written as `events_compact`, times relative to each span's start (events-compact.ts). */
  compactEvents?: boolean;
  /**
   * Log parts: body text columns written as template + numbers, doubles as
   * decimals, in each run where that measures smaller on its first row group
   * (log-text-template.ts, log-decimal-double.ts); fields another gives as
   * markers (log-severity-text.ts, log-dash-prefix.ts); empty nullable hot
   * columns left out (log-empty-columns.ts).
   */
  compactBodyFields?: boolean;
  /**
   * Log parts, with logRows and compactBodyFields: per-request fields (the
   * same on every line of each unit of work) written once per unit, in each
   * run where its units average LEAST_LINES_PER_UNIT lines or more
   * (log-unit-form.ts, docs/format/log-unit-columns.md).
   */
  unitColumns?: boolean;
  /** Trace parts: each run's span cube, from the columns as they are written (src/analysis/cube-builder.ts). */
  spanCubes?: SpanCubeJob;
  /** Trace parts: each run's trace summary, from the columns as they are written (trace-summary-builder.ts). */
  traceSummaries?: TraceSummaryJob;
  /** Trace parts: each run's service-health rollups, from the columns as they are written (src/analysis/rollup-builder.ts). */
  rollups?: RollupJob;
}

export interface SortedRunResult {
  /** per run: the distinct values of job.distinctColumn */
  distinct: string[][];
  /** per run: the columns written as other columns (µs time, compact events, templates…), and those columns */
  storedAs: Record<string, string[]>[];
  /** per run, with job.spanCubes: the columns its cube groups by and leaves out (null: no cube written) */
  cubes?: (CubeColumns | null)[];
  /** per run, with job.traceSummaries: whether its summary file was written */
  summaries?: boolean[];
  /** per run, with job.rollups: whether its rollup file was written */
  rollups?: boolean[];
  /** per run, with job.logRows: whether its token index was written */
  tokenIndexes?: boolean[];
}

/** The runs of `job` with their rows: log days ordered here (logPartRowsAndUnits). */
function runsWithRows(job: SortedRunJob): SortedRun[] {
  return job.runs.map((run) => {
    if ('rows' in run) return run;
    if (!job.logRows) throw new Error('sorted run: a run of a log day without the log rows');
    const { rows, unitStarts } = logPartRowsAndUnits(job.logRows, run.fromNs, run.toNs);
    return { outPath: run.outPath, rows, unitStarts };
  });
}

/** With job.unitColumns: the unit columns of each run that pays for them (log-unit-form.ts). */
function logUnitColumns(job: SortedRunJob, runs: readonly SortedRun[], writers: readonly ParquetColumnFileWriter[]): LogUnitColumns | undefined {
  if (!job.unitColumns || !job.compactBodyFields) return undefined;
  const units = runs.map((run, r): RunUnits | undefined => {
    if (run.unitStarts === undefined) return undefined;
    const units = runUnits(run.unitStarts, run.rows.length, writers[r]!.rowGroupRows);
    return paysAsUnits(run.rows.length, units.rows.length) ? units : undefined;
  });
  return new LogUnitColumns(units);
}

/**
 * Writes each run's token index beside it from the staged rows' word hashes,
 * once the runs are written (their columns are garbage by then: the worker's
 * memory holds one or the other).
 */
function writeTokenIndexes(logRows: readonly LogRowsOfFile[], runs: readonly SortedRun[]): boolean[] {
  return runs.map((run) => {
    writeFileSync(runCompanionPath(run.outPath, TOKEN_INDEX_SUFFIX), encodeTokenIndex(partTokenChunks(logRows, run.rows)));
    return true;
  });
}

/** Where the worker writes a companion (`suffix`) of the run at `runPath`: its span cube, summary, rollups, token index. */
export function runCompanionPath(runPath: string, suffix: string): string {
  return runPath.replace(/\.parquet$/, suffix);
}

/** Writes every run of `job`; synchronous (the worker's body, and tests). */
export function writeSortedRuns(job: SortedRunJob): SortedRunResult {
  const { sources } = job;
  const runs = runsWithRows(job);
  // columns in order of first appearance, as DuckDB's union_by_name lists them
  const order: string[] = [];
  const chunkOf = sources.map((s) => new Map(s.layout.chunks.map((c) => [c.name, c])));
  const seen = new Set<string>();
  for (const s of sources) {
    for (const c of s.layout.chunks) {
      if (!seen.has(c.name)) {
        seen.add(c.name);
        order.push(c.name);
      }
    }
  }
  let totalRows = 0;
  const firstRow = sources.map((s) => {
    const first = totalRows;
    totalRows += s.layout.rows;
    return first;
  });
  const distinct: string[][] = runs.map(() => []);
  const storedAs: Record<string, string[]>[] = runs.map(() => ({}));
  const placement = rowPlacement(firstRow, runs, totalRows);
  const fds: number[] = [];
  const writers: ParquetColumnFileWriter[] = [];
  try {
    for (const s of sources) fds.push(openSync(s.path, 'r'));
    for (const r of runs) writers.push(new ParquetColumnFileWriter(r.outPath, r.rows.length, job.write));
    const { steps, keeps: stepsKeep, eventStarts, finish } = columnSteps(job, order, runs);
    const units = logUnitColumns(job, runs, writers);
    const cubes = job.spanCubes && new SpanCubeBuilder(runs.map((r) => r.rows.length), job.spanCubes);
    const summaries = job.traceSummaries && new TraceSummaryBuilder(runs.length, job.traceSummaries);
    const rollups = job.rollups && new RollupBuilder(runs.length, job.rollups);
    // writers with several uncompressed row groups keep views of every column's arrays
    const writersKeep = writers.some((w) => w.keepsColumnArrays);
    /** whether a column's arrays are still read after the next column is scattered (else they are reused for it) */
    const keptPastItsTurn = (name: string): boolean =>
      writersKeep || stepsKeep.has(name) || cubes?.keeps(name) === true || summaries?.keeps(name) === true || rollups?.keeps(name) === true;
    const write = (r: number, c: ParquetColumn): void => {
      cubes?.add(r, c);
      summaries?.add(r, c);
      rollups?.add(r, c);
      writers[r]!.add(c);
    };
    // the decoded chunks of a column, valid until the next column is decoded
    const chunkArrays = new ChunkArrays();
    for (const name of order) {
      chunkArrays.nextColumn();
      const decoded: (DecodedChunk | undefined)[] = [];
      let kind: StoredKind | undefined;
      for (let f = 0; f < sources.length; f++) {
        const chunk = chunkOf[f]!.get(name);
        if (!chunk) {
          decoded.push(undefined);
          continue;
        }
        if (kind !== undefined && chunk.kind !== kind) throw new Error(`sorted run: column "${name}" is ${kind} in one staging file, ${chunk.kind} in another`);
        kind = chunk.kind;
        decoded.push(decodeChunk(chunk, sources[f]!.layout.rows, readChunk(fds[f]!, chunk), chunkArrays));
      }
      const arrays = keptPastItsTurn(name) ? FRESH_RUN_ARRAYS : REUSED_RUN_ARRAYS;
      // events are rewritten (compact) from the decoded chunks, and their equal entries merged by the writer then
      const columns =
        eventStarts !== undefined && name === EVENTS_JSON_COLUMN && kind === 'string'
          ? compactEventsOfRuns(decoded, placement, eventStarts, arrays)
          : scatterColumn(name, kind!, decoded, placement, !(job.compactEvents && name === EVENTS_JSON_COLUMN), arrays);
      runs.forEach((_run, r) => {
        const column = columns[r]!;
        if (name === job.distinctColumn && column.kind === 'string-entries') distinct[r] = distinctStrings(column);
        let stored = [column];
        for (const step of steps) stored = stored.flatMap((c) => step(r, c, writers[r]!) ?? [c]);
        if (units !== undefined) stored = units.pieces(r, name, stored);
        if (stored.length !== 1 || stored[0]!.name !== name) storedAs[r]![name] = stored.map((c) => c.name);
        for (const c of stored) write(r, c);
      });
    }
    // columns a step held back until the run's last column (each under its own name)
    runs.forEach((_run, r) => {
      for (const held of finish?.(r) ?? []) {
        // a held field is an ingested column of its own
        const [c] = units === undefined ? [held] : units.pieces(r, held.name, [held]);
        storedAs[r]![held.name] = [c!.name];
        write(r, c!);
      }
      for (const c of units?.finish(r) ?? []) {
        storedAs[r]![c.name] = [c.name];
        write(r, c);
      }
    });
    for (const w of writers) w.finish();
    const cubeColumns = cubes?.finish();
    const summaryWritten = summaries?.finish();
    const rollupWritten = rollups?.finish();
    const tokenIndexes = job.logRows && writeTokenIndexes(job.logRows, runs);
    return {
      distinct,
      storedAs,
      ...(cubeColumns ? { cubes: cubeColumns } : {}),
      ...(summaryWritten ? { summaries: summaryWritten } : {}),
      ...(rollupWritten ? { rollups: rollupWritten } : {}),
      ...(tokenIndexes ? { tokenIndexes } : {}),
    };
  } catch (err) {
    for (const w of writers) w.abort();
    throw err;
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}

type StringEntriesColumn = Extract<ParquetColumn, { kind: 'string-entries' }>;

/**
 * A rewrite of a run's columns before they are written, seeing each column
 * of run `r` in column order: the columns to write instead, or undefined to
 * keep it. The signal-specific forms of a part, so the loop above stays generic.
 */
type ColumnStep = (r: number, column: ParquetColumn, writer: ParquetColumnFileWriter) => ParquetColumn[] | undefined;

/**
 * The steps `job` asks for, in the order they apply; the columns they keep to
 * read with a later one; with compactEvents, each run's start times, filled
 * in when their column passes (for compactEventsOfRuns).
 */
function columnSteps(
  job: SortedRunJob,
  order: readonly string[],
  runs: readonly SortedRun[],
): { steps: ColumnStep[]; keeps: Set<string>; eventStarts?: (BigInt64Array | undefined)[]; finish?: (r: number) => ParquetColumn[] } {
  const steps: ColumnStep[] = [];
  const keeps = new Set<string>();
  const micros = job.wholeMicros;
  if (micros) {
    steps.push((_r, column) => {
      if (column.name !== micros.column || column.kind !== 'int64') return undefined;
      const us = wholeMicros(column.values, column.values.length, column.nulls);
      return us === undefined ? undefined : [{ ...column, name: micros.as, values: us }];
    });
  }
  /** per run: its rows' start times, seen before the events (column order) */
  const eventStarts: (BigInt64Array | undefined)[] | undefined = job.compactEvents ? new Array(runs.length) : undefined;
  if (eventStarts !== undefined) {
    keeps.add(EVENTS_START_COLUMN);
    steps.push((r, column) => {
      if (column.name === EVENTS_START_COLUMN && column.kind === 'int64') eventStarts[r] = column.values;
      return undefined;
    });
  }
  if (job.compactBodyFields) {
    /** per run: its rows' severity text, seen before the body fields (column order) */
    const severityTexts: (StringEntriesColumn | undefined)[] = new Array(job.runs.length);
    // a hot column with no value in the run is left out (log-empty-columns.ts)
    steps.push((_r, column) => (isOmittedEmptyColumn(column) ? [] : undefined));
    keeps.add(SEVERITY_TEXT_COLUMN).add(SEVERITY_NUMBER_COLUMN);
    steps.push(derivedSeverityNumberStep(severityTexts, order));
    steps.push((r, column) => {
      const severity = severityTexts[r];
      if (severity === undefined || column.kind !== 'string-entries' || !isSeverityCandidate(column.name)) return undefined;
      const marker = severityMarkerColumn(column, severity);
      return marker && [marker];
    });
    steps.push((_r, column, writer) => compactBodyField(writer, column));
    // last: it sees the fields that stayed text (log-dash-prefix.ts)
    const dashPrefixes = new DashPrefixFields(runs.length);
    steps.push((r, column) => dashPrefixes.step(r, column));
    return { steps, keeps, ...(eventStarts !== undefined ? { eventStarts } : {}), finish: (r) => dashPrefixes.finish(r) };
  }
  return { steps, keeps, ...(eventStarts !== undefined ? { eventStarts } : {}) };
}

/**
 * The step that leaves `severity_number` out of a run where its text gives
 * it (derivedSeverityNumberMarker): the number comes before the text in
 * column order, so it waits for the text, and goes after it where needed.
 * Keeps each run's severity text in `texts` for the steps after it.
 */
function derivedSeverityNumberStep(texts: (StringEntriesColumn | undefined)[], order: readonly string[]): ColumnStep {
  const textComes = order.indexOf(SEVERITY_TEXT_COLUMN) > order.indexOf(SEVERITY_NUMBER_COLUMN);
  const waiting: (ParquetColumn | undefined)[] = new Array(texts.length);
  const decide = (numbers: ParquetColumn, text: StringEntriesColumn | undefined): ParquetColumn[] => {
    const marker = text && numbers.kind === 'int32' ? derivedSeverityNumberMarker(numbers, text) : undefined;
    return [marker ?? numbers];
  };
  return (r, column) => {
    if (column.name === SEVERITY_NUMBER_COLUMN) {
      if (texts[r] !== undefined) return decide(column, texts[r]);
      if (!textComes) return undefined;
      waiting[r] = column;
      return [];
    }
    if (column.name !== SEVERITY_TEXT_COLUMN) return undefined;
    if (column.kind === 'string-entries') texts[r] = column;
    const numbers = waiting[r];
    if (numbers === undefined) return undefined;
    waiting[r] = undefined;
    return [column, ...decide(numbers, texts[r])];
  };
}

/** A body field column in the forms that measured smaller (text as template + numbers, doubles as decimals); undefined: as it is. */
function compactBodyField(writer: ParquetColumnFileWriter, column: ParquetColumn): ParquetColumn[] | undefined {
  if (column.kind === 'string-entries' && isTemplateCandidate(column.name)) return smallerAsTemplates(writer, column);
  if (column.kind === 'double' && isDecimalCandidate(column.name)) {
    const decimal = decimalDoubleColumn(column);
    if (decimal === undefined) return undefined;
    const rows = Math.min(column.values.length, writer.rowGroupRows);
    const nulls = column.nulls?.subarray(0, rows);
    const asDecimals = writer.groupBytes([{ ...decimal, values: decimal.values.subarray(0, rows), ...(nulls ? { nulls } : {}) }], rows);
    return asDecimals < writer.groupBytes([{ ...column, values: column.values.subarray(0, rows), ...(nulls ? { nulls } : {}) }], rows) ? [decimal] : undefined;
  }
  return undefined;
}

/** Whether at least half of a column's values had a variable taken out: else no trial (words). */
function mostlyTemplated(templated: TemplatedText): boolean {
  // a template naming any number names number column 0, one naming an id id column 0
  const numbers = templated.numbers[0]?.nulls;
  const ids = templated.ids[0]?.nulls;
  let values = 0;
  let split = 0;
  for (let r = 0; r < templated.template.indices.length; r++) {
    if (templated.template.nulls![r] !== 0) continue;
    values++;
    if ((numbers !== undefined && numbers[r] === 0) || (ids !== undefined && ids[r] === 0)) split++;
  }
  return split * 2 >= values;
}

/**
 * Templates must be this much smaller than the text to be kept: a query's
 * field condition on the column rebuilds the text of every row it reads.
 */
const TEMPLATES_MOST_BYTES_OF_TEXT = 0.9;

/**
 * `column` as template + numbers when those measure smaller than the text
 * (by TEMPLATES_MOST_BYTES_OF_TEXT) on the file's first row group; else
 * undefined. Only the sample is split for a column that stays text, and
 * the sample's entries are not split again for the whole column.
 */
function smallerAsTemplates(writer: ParquetColumnFileWriter, column: StringEntriesColumn): ParquetColumn[] | undefined {
  const rows = column.indices.length;
  const sampleRows = Math.min(rows, writer.rowGroupRows);
  const sample = { ...column, indices: column.indices.subarray(0, sampleRows), ...(column.nulls ? { nulls: column.nulls.subarray(0, sampleRows) } : {}) };
  const splits = new EntrySplits(column);
  const sampled = templateTextColumn(sample, splits);
  if (sampled === undefined || !mostlyTemplated(sampled)) return undefined;
  if (writer.groupBytes(templatePieces(sampled), sampleRows) > TEMPLATES_MOST_BYTES_OF_TEXT * writer.groupBytes([sample], sampleRows)) return undefined;
  const templated = sampleRows === rows ? sampled : templateTextColumn(column, splits);
  return templated && templatePieces(templated);
}

function templatePieces(templated: TemplatedText): ParquetColumn[] {
  return [templated.template, ...templated.numbers, ...templated.ids];
}

/**
 * Reused across chunks: decodeChunk copies what it keeps out of the bytes, so
 * a chunk's bytes are garbage once decoded — a fresh buffer per chunk (the
 * staging files' size per flush) only fed the collector.
 */
const chunkBytes = new Scratch((n) => new Uint8Array(n));

/** The bytes of `chunk`, valid until the next call. */
function readChunk(fd: number, chunk: ChunkLayout): Uint8Array {
  const bytes = chunkBytes.take(chunk.bytes);
  for (let at = 0; at < chunk.bytes; ) {
    const n = readSync(fd, bytes, at, chunk.bytes - at, chunk.at + at);
    if (n === 0) throw new Error(`sorted run: staging file ends inside column "${chunk.name}"`);
    at += n;
  }
  return bytes;
}

/**
 * Where the sources' rows go: the runs' rows one after another, so a column
 * of every run is one array (each run's column a view of it) and a value's
 * place is one look-up.
 */
interface RowPlacement {
  /** per source, the number of its first row (rows are numbered across the sources in order) */
  firstRow: readonly number[];
  /** per row of the sources: its place among the runs' rows, -1 for none */
  placeOfRow: Int32Array;
  /** per run, its first place; one more element: the places in all */
  runStart: Uint32Array;
}

function rowPlacement(firstRow: readonly number[], runs: readonly SortedRun[], totalRows: number): RowPlacement {
  const placeOfRow = new Int32Array(totalRows).fill(-1);
  const runStart = new Uint32Array(runs.length + 1);
  let place = 0;
  runs.forEach((run, r) => {
    runStart[r] = place;
    for (let k = 0; k < run.rows.length; k++) placeOfRow[run.rows[k]!] = place++;
  });
  runStart[runs.length] = place;
  return { firstRow, placeOfRow, runStart };
}

/** Reused across sources: the places of a source's values when some of its rows have none. */
const valuePlaceScratch = new Scratch((n) => new Int32Array(n));

/** Per value of `d` (source f): its place among the runs' rows, -1 for none. Valid until the next call. */
function valuePlaces(d: DecodedChunk, f: number, { firstRow, placeOfRow }: RowPlacement, count: number): Int32Array {
  const row0 = firstRow[f]!;
  const valueRows = d.valueRows;
  if (valueRows === undefined) return placeOfRow.subarray(row0, row0 + count);
  const places = valuePlaceScratch.take(count);
  for (let v = 0; v < count; v++) places[v] = placeOfRow[row0 + valueRows[v]!]!;
  return places;
}

function valueCount(d: DecodedChunk): number {
  if (d.kind === 'strings') return d.indices.length;
  if (d.kind === 'boolean') return d.values.length;
  return d.values.length / d.width;
}

/** The runs' views of `all` (`width` elements per row). */
function perRun<A extends Uint8Array | Uint32Array | Int32Array>(all: A, width: number, runStart: Uint32Array): A[] {
  const out: A[] = [];
  for (let r = 0; r + 1 < runStart.length; r++) out.push(all.subarray(runStart[r]! * width, runStart[r + 1]! * width) as A);
  return out;
}

/**
 * Where a column of every run gets its arrays (all runs' rows one after
 * another): fresh ones, or arrays reused column after column — for a column
 * nothing reads once the next column is scattered (the builders and steps
 * keep a few by name: durations, start times, the summary's and rollups'
 * columns). ~0.75 GB of the flush's 2.5 GB of fresh arrays per million spans
 * (docs/storage.md, session 12). The strings' entries are always fresh: the
 * span cube keeps those of every column it groups by.
 */
interface RunArrays {
  /** every byte 1 (null) */
  nullMask(places: number): Uint8Array;
  /** zeroed where `cleared`: a column with nulls (every place gets a value otherwise) */
  bytes(length: number, cleared: boolean): Uint8Array;
  words(length: number, cleared: boolean): Int32Array;
  indices(length: number, cleared: boolean): Uint32Array;
}

const FRESH_RUN_ARRAYS: RunArrays = {
  nullMask: (places) => new Uint8Array(places).fill(1),
  bytes: (length) => new Uint8Array(length),
  words: (length) => new Int32Array(length),
  indices: (length) => new Uint32Array(length),
};

const runNullMasks = new Scratch((n) => new Uint8Array(n));
const runBytes = new Scratch((n) => new Uint8Array(n));
const runWords = new Scratch((n) => new Int32Array(n));
const runIndices = new Scratch((n) => new Uint32Array(n));

/** Valid until the next column: the arrays of a column nothing keeps. */
const REUSED_RUN_ARRAYS: RunArrays = {
  nullMask: (places) => runNullMasks.take(places).fill(1),
  bytes: (length, cleared) => cleared ? runBytes.take(length).fill(0) : runBytes.take(length),
  words: (length, cleared) => cleared ? runWords.take(length).fill(0) : runWords.take(length),
  indices: (length, cleared) => cleared ? runIndices.take(length).fill(0) : runIndices.take(length),
};

/**
 * One column of every run, its values scattered straight from the decoded
 * staging chunks to their places in the runs: one pass over the values, none
 * over the rows, so a column few spans have (most attribute columns) costs
 * what its values cost. A run's rows without a value are null; a column
 * every row has comes without a null mask.
 */
function scatterColumn(
  name: string,
  kind: StoredKind,
  decoded: readonly (DecodedChunk | undefined)[],
  placement: RowPlacement,
  /** strings: merge entries of equal bytes (not worth it for a column that is rewritten, events) */
  mergeEqualEntries: boolean,
  arrays: RunArrays,
): ParquetColumn[] {
  const { placeOfRow, runStart } = placement;
  const places = runStart[runStart.length - 1]!;
  let present = 0;
  for (const d of decoded) if (d !== undefined) present += valueCount(d);
  // 1: null; cleared as values land
  const nullMask = present === placeOfRow.length ? undefined : arrays.nullMask(places);
  // a place without a value reads 0, as a fresh array's (the span cube looks at every row's number)
  const hasNulls = nullMask !== undefined;
  const nulls = nullMask === undefined ? [] : perRun(nullMask, 1, runStart);
  // the loops are functions of their own, over typed arrays only, each
  // either always clearing a mask or never (a column without nulls: one
  // random byte write less per value, ~85 ms a 1 M-span flush): V8 keeps a
  // loop's on-stack-replaced code after it deoptimises (docs/storage.md, sessions 11 and 15)
  if (kind === 'string') return scatterStrings(name, decoded, placement, mergeEqualEntries, nullMask, nulls, arrays.indices(places, hasNulls));
  if (kind === 'boolean') {
    const all = arrays.bytes(places, hasNulls);
    for (let f = 0; f < decoded.length; f++) {
      const d = decoded[f];
      if (d === undefined || d.kind !== 'boolean') continue;
      const at = valuePlaces(d, f, placement, d.values.length);
      if (nullMask === undefined) scatterBytesOfEveryRow(d.values, at, all);
      else scatterBytes(d.values, at, all, nullMask);
    }
    return perRun(all, 1, runStart).map((values, r) => withNulls({ name, kind, values }, nulls[r]));
  }
  const words = fixedWidth(kind) >>> 2;
  const all = arrays.words(places * words, hasNulls);
  for (let f = 0; f < decoded.length; f++) {
    const d = decoded[f];
    if (d === undefined || d.kind !== 'fixed') continue;
    // decodeChunk's values start an array (offset 0): 32-bit lanes line up
    const src = new Int32Array(d.values.buffer, d.values.byteOffset, d.values.length >>> 2);
    const count = src.length / words;
    const at = valuePlaces(d, f, placement, count);
    if (nullMask === undefined) {
      if (words === 2) scatterWordPairsOfEveryRow(src, count, at, all);
      else scatterWordsOfEveryRow(src, words, count, at, all);
    } else if (words === 2) scatterWordPairs(src, count, at, all, nullMask);
    else scatterWords(src, words, count, at, all, nullMask);
  }
  return perRun(all, words, runStart).map((out, r) => withNulls(fixedColumn(name, kind, out), nulls[r]));
}

function scatterStrings(
  name: string,
  decoded: readonly (DecodedChunk | undefined)[],
  placement: RowPlacement,
  mergeEqualEntries: boolean,
  /** cleared where a value lands; undefined: every row has a value */
  nullMask: Uint8Array | undefined,
  nulls: readonly Uint8Array[],
  /** the runs' entry numbers, one after another */
  all: Uint32Array,
): ParquetColumn[] {
  const { runStart } = placement;
  // every source's entries one after another
  let entryBytes = 0;
  let entryCount = 0;
  for (const d of decoded) {
    if (d?.kind !== 'strings') continue;
    entryBytes += d.entries.length;
    entryCount += d.entryStarts.length - 1;
  }
  const entries = new Uint8Array(entryBytes);
  const entryStarts = new Uint32Array(entryCount + 1);
  const entryBase = new Uint32Array(decoded.length);
  let byteBase = 0;
  let base = 0;
  decoded.forEach((d, f) => {
    if (d?.kind !== 'strings') return;
    entries.set(d.entries, byteBase);
    const n = d.entryStarts.length - 1;
    for (let k = 0; k < n; k++) entryStarts[base + k] = byteBase + d.entryStarts[k]!;
    entryBase[f] = base;
    byteBase += d.entries.length;
    base += n;
  });
  entryStarts[base] = byteBase;
  // one entry per distinct value, so the writer need not compare bytes per row group
  const canonical = mergeEqualEntries && base > 1 ? firstEqualEntries(entries, entryStarts, base) : undefined;
  for (let f = 0; f < decoded.length; f++) {
    const d = decoded[f];
    if (d === undefined || d.kind !== 'strings') continue;
    const at = valuePlaces(d, f, placement, d.indices.length);
    if (nullMask === undefined) {
      if (canonical === undefined) scatterIndicesOfEveryRow(d.indices, entryBase[f]!, at, all);
      else scatterCanonicalIndicesOfEveryRow(d.indices, entryBase[f]!, canonical, at, all);
    } else if (canonical === undefined) scatterIndices(d.indices, entryBase[f]!, at, all, nullMask);
    else scatterCanonicalIndices(d.indices, entryBase[f]!, canonical, at, all, nullMask);
  }
  const distinctEntries = canonical !== undefined || base < 2;
  return perRun(all, 1, runStart).map((indices, r) => withNulls({ name, kind: 'string-entries', entries, entryStarts, indices, distinctEntries }, nulls[r]));
}

/**
 * Each run's `events_compact` column, straight from the staging files'
 * decoded `events` chunks: the column's JSON (~60 MB a million spans) is not
 * first gathered into one array as scatterColumn would, only read once
 * (docs/storage.md, session 13). A run's entries are its own, in the order of
 * the sources' values: the writer numbers them by first use.
 */
function compactEventsOfRuns(decoded: readonly (DecodedChunk | undefined)[], placement: RowPlacement, starts: readonly (BigInt64Array | undefined)[], arrays: RunArrays): ParquetColumn[] {
  const { runStart } = placement;
  const places = runStart[runStart.length - 1]!;
  // 1: null, cleared as values land; a place without events reads entry 0
  const nullMask = arrays.nullMask(places);
  const all = arrays.indices(places, true);
  const columns: ParquetColumn[] = [];
  for (let r = 0; r + 1 < runStart.length; r++) {
    const startNs = starts[r];
    if (startNs === undefined) throw new Error(`sorted run: "${EVENTS_JSON_COLUMN}" comes before "${EVENTS_START_COLUMN}"`);
    const from = runStart[r]!;
    const to = runStart[r + 1]!;
    let bytes = 0;
    let present = 0;
    /** per source, its values placed in the run */
    const placed = new Int32Array(decoded.length);
    forEachStrings(decoded, (d, f) => {
      const at = valuePlaces(d, f, placement, d.indices.length);
      bytes += runEntryBytes(d.entryStarts, d.indices, at, from, to);
      placed[f] = runValueCount(at, d.indices.length, from, to);
      present += placed[f]!;
    });
    // the compact form is shorter than the JSON
    const out = new Uint8Array(bytes);
    const outStarts = new Uint32Array(present + 1);
    let entries = 0;
    let end = 0;
    const startWords = startWordsOf(startNs);
    forEachStrings(decoded, (d, f) => {
      const at = valuePlaces(d, f, placement, d.indices.length);
      end = compactRunValues(d.entries, d.entryStarts, d.indices, at, from, to, startWords, out, outStarts, all, nullMask, entries, end);
      entries += placed[f]!;
    });
    outStarts[entries] = end;
    columns.push({
      name: EVENTS_COMPACT_COLUMN,
      kind: 'string-entries',
      entries: out.subarray(0, end),
      entryStarts: outStarts,
      indices: all.subarray(from, to),
      nulls: nullMask.subarray(from, to),
    });
  }
  return columns;
}

function forEachStrings(decoded: readonly (DecodedChunk | undefined)[], fn: (d: DecodedChunk, f: number) => void): void {
  for (let f = 0; f < decoded.length; f++) {
    const d = decoded[f];
    if (d !== undefined && d.kind === 'strings') fn(d, f);
  }
}

/** The bytes of the entries of the values placed in [from, to). */
function runEntryBytes(entryStarts: Uint32Array, indices: Uint32Array, at: Int32Array, from: number, to: number): number {
  let bytes = 0;
  for (let v = 0; v < indices.length; v++) {
    const k = at[v]!;
    if (k >= from && k < to) bytes += entryStarts[indices[v]! + 1]! - entryStarts[indices[v]!]!;
  }
  return bytes;
}

/** How many of `count` values are placed in [from, to). */
function runValueCount(at: Int32Array, count: number, from: number, to: number): number {
  let n = 0;
  for (let v = 0; v < count; v++) if (at[v]! >= from && at[v]! < to) n++;
  return n;
}

/**
 * The values placed in [from, to) compacted into `out` from byte `end`, an
 * entry each from `firstEntry`; their places' entry numbers set, nulls
 * cleared. Returns the byte after them. Nothing after the loop: writing its
 * counts into an object there deoptimised it on every chunk (V8 keeps a
 * loop's on-stack-replaced code: docs/storage.md, sessions 11 and 15).
 */
function compactRunValues(
  entries: Uint8Array,
  entryStarts: Uint32Array,
  indices: Uint32Array,
  at: Int32Array,
  from: number,
  to: number,
  startWords: Int32Array,
  out: Uint8Array,
  outStarts: Uint32Array,
  all: Uint32Array,
  nullMask: Uint8Array,
  firstEntry: number,
  end: number,
): number {
  for (let v = 0, e = firstEntry; v < indices.length; v++) {
    const k = at[v]!;
    if (k < from || k >= to) continue;
    const entry = indices[v]!;
    outStarts[e] = end;
    all[k] = e++;
    nullMask[k] = 0;
    end = compactEventsEntry(entries, entryStarts[entry]!, entryStarts[entry + 1]!, startWords, k - from, out, end);
  }
  return end;
}

/** all[at[v]] = values[v] for the values with a place (≥ 0), their nulls cleared. */
function scatterBytes(values: Uint8Array, at: Int32Array, all: Uint8Array, nullMask: Uint8Array): void {
  for (let v = 0; v < values.length; v++) {
    const k = at[v]!;
    if (k < 0) continue;
    all[k] = values[v]!;
    nullMask[k] = 0;
  }
}

/** scatterWords() of 2 words a value (int64, double, fixed8). */
function scatterWordPairs(src: Int32Array, count: number, at: Int32Array, all: Int32Array, nullMask: Uint8Array): void {
  for (let v = 0; v < count; v++) {
    const k = at[v]!;
    if (k < 0) continue;
    all[2 * k] = src[2 * v]!;
    all[2 * k + 1] = src[2 * v + 1]!;
    nullMask[k] = 0;
  }
}

/** The `words` 32-bit words of value v of `src` to place at[v] of `all` for the values with a place, their nulls cleared. */
function scatterWords(src: Int32Array, words: number, count: number, at: Int32Array, all: Int32Array, nullMask: Uint8Array): void {
  for (let v = 0; v < count; v++) {
    const k = at[v]!;
    if (k < 0) continue;
    for (let w = 0, from = v * words, to = k * words; w < words; w++) all[to + w] = src[from + w]!;
    nullMask[k] = 0;
  }
}

/** all[at[v]] = e0 + indices[v] (entry numbers across the sources) for the values with a place, their nulls cleared. */
function scatterIndices(indices: Uint32Array, e0: number, at: Int32Array, all: Uint32Array, nullMask: Uint8Array): void {
  for (let v = 0; v < indices.length; v++) {
    const k = at[v]!;
    if (k < 0) continue;
    all[k] = e0 + indices[v]!;
    nullMask[k] = 0;
  }
}

/** scatterIndices() with each entry replaced by the first of equal bytes (canonical). */
function scatterCanonicalIndices(indices: Uint32Array, e0: number, canonical: Int32Array, at: Int32Array, all: Uint32Array, nullMask: Uint8Array): void {
  for (let v = 0; v < indices.length; v++) {
    const k = at[v]!;
    if (k < 0) continue;
    all[k] = canonical[e0 + indices[v]!]!;
    nullMask[k] = 0;
  }
}

// The same loops for a column every row has a value in: no mask to clear.

function scatterBytesOfEveryRow(values: Uint8Array, at: Int32Array, all: Uint8Array): void {
  for (let v = 0; v < values.length; v++) {
    const k = at[v]!;
    if (k >= 0) all[k] = values[v]!;
  }
}

function scatterWordPairsOfEveryRow(src: Int32Array, count: number, at: Int32Array, all: Int32Array): void {
  for (let v = 0; v < count; v++) {
    const k = at[v]!;
    if (k < 0) continue;
    all[2 * k] = src[2 * v]!;
    all[2 * k + 1] = src[2 * v + 1]!;
  }
}

function scatterWordsOfEveryRow(src: Int32Array, words: number, count: number, at: Int32Array, all: Int32Array): void {
  for (let v = 0; v < count; v++) {
    const k = at[v]!;
    if (k < 0) continue;
    for (let w = 0, from = v * words, to = k * words; w < words; w++) all[to + w] = src[from + w]!;
  }
}

function scatterIndicesOfEveryRow(indices: Uint32Array, e0: number, at: Int32Array, all: Uint32Array): void {
  for (let v = 0; v < indices.length; v++) {
    const k = at[v]!;
    if (k >= 0) all[k] = e0 + indices[v]!;
  }
}

function scatterCanonicalIndicesOfEveryRow(indices: Uint32Array, e0: number, canonical: Int32Array, at: Int32Array, all: Uint32Array): void {
  for (let v = 0; v < indices.length; v++) {
    const k = at[v]!;
    if (k >= 0) all[k] = canonical[e0 + indices[v]!]!;
  }
}

function withNulls<C extends ParquetColumn>(column: C, nulls: Uint8Array | undefined): C {
  if (nulls !== undefined) (column as { nulls?: Uint8Array }).nulls = nulls;
  return column;
}

function fixedColumn(name: string, kind: StoredKind, out: Int32Array): ParquetColumn {
  switch (kind) {
    case 'int64':
      return { name, kind, values: new BigInt64Array(out.buffer, out.byteOffset, out.length >>> 1) };
    case 'int32':
      return { name, kind, values: out };
    case 'double':
      return { name, kind, values: new Float64Array(out.buffer, out.byteOffset, out.length >>> 1) };
    case 'fixed16':
    case 'fixed8':
      return { name, kind, values: new Uint8Array(out.buffer, out.byteOffset, out.byteLength) };
    default:
      throw new Error(`sorted run: column "${name}" has kind ${kind}`);
  }
}

function fixedWidth(kind: StoredKind): number {
  switch (kind) {
    case 'int64':
    case 'double':
    case 'fixed8':
      return 8;
    case 'int32':
      return 4;
    case 'fixed16':
      return 16;
    default:
      return 0;
  }
}

function distinctStrings(column: StringEntriesColumn): string[] {
  const used = new Set<number>();
  for (let k = 0; k < column.indices.length; k++) if (column.nulls === undefined || column.nulls[k] === 0) used.add(column.indices[k]!);
  const decoder = new TextDecoder();
  const out = new Set<string>();
  for (const e of used) {
    const at = column.entryStarts[e]!;
    out.add(decoder.decode(column.entries.subarray(at + 4, column.entryStarts[e + 1]!)));
  }
  return [...out].sort();
}

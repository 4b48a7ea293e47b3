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
import { decodeChunk, type ChunkLayout, type DecodedChunk, type FileLayout, type StoredKind } from './parquet/layout.js';
import { wholeMicros } from './log-time-micros.js';
import { ParquetColumnFileWriter, type ColumnFileOptions, type ParquetColumn } from './parquet/writer.js';
import { firstEqualEntries } from './parquet/strings.js';
import { SEVERITY_NUMBER_COLUMN, SEVERITY_TEXT_COLUMN, derivedSeverityNumberMarker, isSeverityCandidate, severityMarkerColumn } from './log-severity-text.js';
import { isTemplateCandidate, templateTextColumn, type TemplatedText } from './log-text-template.js';
import { decimalDoubleColumn, isDecimalCandidate } from './log-decimal-double.js';
import { EVENTS_COMPACT_COLUMN, EVENTS_JSON_COLUMN, EVENTS_START_COLUMN, compactEventsColumn } from './events-compact.js';
import { SpanCubeBuilder, type CubeColumns, type SpanCubeJob } from '../analysis/cube-builder.js';
import { TraceSummaryBuilder, type TraceSummaryJob } from './trace-summary-builder.js';
import { RollupBuilder, type RollupJob } from '../analysis/rollup-builder.js';
import { logPartRows, partTokenChunks, type LogRowsOfFile } from './log-token-chunks.js';
import { TOKEN_INDEX_SUFFIX, encodeTokenIndex } from './token-index.js';

export interface SortedRunSource {
  path: string;
  layout: FileLayout;
}

export interface SortedRun {
  outPath: string;
  /** output row k is row rows[k] of the sources, numbered across them in order */
  rows: Uint32Array;
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
   * (log-text-template.ts, log-decimal-double.ts).
   */
  compactBodyFields?: boolean;
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

/** The runs of `job` with their rows: log days ordered here (logPartRows). */
function runsWithRows(job: SortedRunJob): SortedRun[] {
  return job.runs.map((run) => {
    if ('rows' in run) return run;
    if (!job.logRows) throw new Error('sorted run: a run of a log day without the log rows');
    return { outPath: run.outPath, rows: logPartRows(job.logRows, run.fromNs, run.toNs) };
  });
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
  // where each source row goes: which run, which row of it (-1: none)
  const runOfRow = new Int32Array(totalRows).fill(-1);
  const posInRun = new Int32Array(totalRows);
  runs.forEach((run, r) => {
    for (let k = 0; k < run.rows.length; k++) {
      runOfRow[run.rows[k]!] = r;
      posInRun[run.rows[k]!] = k;
    }
  });
  const fds: number[] = [];
  const writers: ParquetColumnFileWriter[] = [];
  try {
    for (const s of sources) fds.push(openSync(s.path, 'r'));
    for (const r of runs) writers.push(new ParquetColumnFileWriter(r.outPath, r.rows.length, job.write));
    const steps = columnSteps(job, order, runs);
    const cubes = job.spanCubes && new SpanCubeBuilder(runs.map((r) => r.rows.length), job.spanCubes);
    const summaries = job.traceSummaries && new TraceSummaryBuilder(runs.length, job.traceSummaries);
    const rollups = job.rollups && new RollupBuilder(runs.length, job.rollups);
    for (const name of order) {
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
        decoded.push(decodeChunk(chunk, sources[f]!.layout.rows, readChunk(fds[f]!, chunk)));
      }
      // events are rewritten (compact), and their equal entries merged by the writer then
      const columns = scatterColumn(name, kind!, decoded, { firstRow, runs, runOfRow, posInRun }, !(job.compactEvents && name === EVENTS_JSON_COLUMN));
      runs.forEach((_run, r) => {
        const column = columns[r]!;
        if (name === job.distinctColumn && column.kind === 'string-entries') distinct[r] = distinctStrings(column);
        let stored = [column];
        for (const step of steps) stored = stored.flatMap((c) => step(r, c, writers[r]!) ?? [c]);
        if (stored.length !== 1 || stored[0]!.name !== name) storedAs[r]![name] = stored.map((c) => c.name);
        for (const c of stored) {
          cubes?.add(r, c);
          summaries?.add(r, c);
          rollups?.add(r, c);
          writers[r]!.add(c);
        }
      });
    }
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

/** The steps `job` asks for, in the order they apply. */
function columnSteps(job: SortedRunJob, order: readonly string[], runs: readonly SortedRun[]): ColumnStep[] {
  const steps: ColumnStep[] = [];
  const micros = job.wholeMicros;
  if (micros) {
    steps.push((_r, column) => {
      if (column.name !== micros.column || column.kind !== 'int64') return undefined;
      const us = wholeMicros(column.values, column.values.length, column.nulls);
      return us === undefined ? undefined : [{ ...column, name: micros.as, values: us }];
    });
  }
  if (job.compactEvents) {
    /** per run: its rows' start times, seen before the events (column order) */
    const starts: (BigInt64Array | undefined)[] = new Array(job.runs.length);
    steps.push((r, column) => {
      if (column.name === EVENTS_START_COLUMN && column.kind === 'int64') starts[r] = column.values;
      if (column.name !== EVENTS_JSON_COLUMN || column.kind !== 'string-entries') return undefined;
      const startNs = starts[r];
      if (startNs === undefined) throw new Error(`sorted run: "${EVENTS_JSON_COLUMN}" comes before "${EVENTS_START_COLUMN}"`);
      return [{ name: EVENTS_COMPACT_COLUMN, kind: 'string-entries', ...compactEventsColumn({ ...column, nulls: column.nulls ?? new Uint8Array(runs[r]!.rows.length) }, startNs) }];
    });
  }
  if (job.compactBodyFields) {
    /** per run: its rows' severity text, seen before the body fields (column order) */
    const severityTexts: (StringEntriesColumn | undefined)[] = new Array(job.runs.length);
    steps.push(derivedSeverityNumberStep(severityTexts, order));
    steps.push((r, column) => {
      const severity = severityTexts[r];
      if (severity === undefined || column.kind !== 'string-entries' || !isSeverityCandidate(column.name)) return undefined;
      const marker = severityMarkerColumn(column, severity);
      return marker && [marker];
    });
    steps.push((_r, column, writer) => compactBodyField(writer, column));
  }
  return steps;
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
 * undefined. Only the sample is split for a column that stays text.
 */
function smallerAsTemplates(writer: ParquetColumnFileWriter, column: StringEntriesColumn): ParquetColumn[] | undefined {
  const rows = column.indices.length;
  const sampleRows = Math.min(rows, writer.rowGroupRows);
  const sample = { ...column, indices: column.indices.subarray(0, sampleRows), ...(column.nulls ? { nulls: column.nulls.subarray(0, sampleRows) } : {}) };
  const sampled = templateTextColumn(sample);
  if (sampled === undefined || !mostlyTemplated(sampled)) return undefined;
  if (writer.groupBytes(templatePieces(sampled), sampleRows) > TEMPLATES_MOST_BYTES_OF_TEXT * writer.groupBytes([sample], sampleRows)) return undefined;
  const templated = sampleRows === rows ? sampled : templateTextColumn(column);
  return templated && templatePieces(templated);
}

function templatePieces(templated: TemplatedText): ParquetColumn[] {
  return [templated.template, ...templated.numbers, ...templated.ids];
}

function readChunk(fd: number, chunk: ChunkLayout): Uint8Array {
  const bytes = new Uint8Array(chunk.bytes);
  for (let at = 0; at < chunk.bytes; ) {
    const n = readSync(fd, bytes, at, chunk.bytes - at, chunk.at + at);
    if (n === 0) throw new Error(`sorted run: staging file ends inside column "${chunk.name}"`);
    at += n;
  }
  return bytes;
}

/** Where the sources' rows go. */
interface RowPlacement {
  /** per source, the number of its first row (rows are numbered across the sources in order) */
  firstRow: readonly number[];
  runs: readonly SortedRun[];
  /** per row: its run, -1 for none */
  runOfRow: Int32Array;
  /** per row: its row in that run */
  posInRun: Int32Array;
}

/**
 * One column of every run, its values scattered straight from the decoded
 * staging chunks to their rows in the runs: one pass over the values, none
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
): ParquetColumn[] {
  const { firstRow, runs, runOfRow, posInRun } = placement;
  let present = 0;
  for (const d of decoded) if (d !== undefined) present += d.valueRows.length;
  const nulls = runs.map(({ rows }) => (present === runOfRow.length ? undefined : new Uint8Array(rows.length).fill(1)));
  if (nulls[0] !== undefined) {
    for (let f = 0; f < decoded.length; f++) {
      const valueRows = decoded[f]?.valueRows;
      if (valueRows === undefined) continue;
      const row0 = firstRow[f]!;
      for (let v = 0; v < valueRows.length; v++) {
        const g = row0 + valueRows[v]!;
        const r = runOfRow[g]!;
        if (r >= 0) nulls[r]![posInRun[g]!] = 0;
      }
    }
  }
  if (kind === 'string') return scatterStrings(name, decoded, placement, mergeEqualEntries, nulls);
  if (kind === 'boolean') {
    const outs = runs.map(({ rows }) => new Uint8Array(rows.length));
    decoded.forEach((d, f) => {
      if (d?.kind !== 'boolean') return;
      const { valueRows, values } = d;
      const row0 = firstRow[f]!;
      for (let v = 0; v < valueRows.length; v++) {
        const g = row0 + valueRows[v]!;
        const r = runOfRow[g]!;
        if (r >= 0) outs[r]![posInRun[g]!] = values[v]!;
      }
    });
    return outs.map((values, r) => withNulls({ name, kind, values }, nulls[r]));
  }
  const words = fixedWidth(kind) >>> 2;
  const outs = runs.map(({ rows }) => new Int32Array(rows.length * words));
  decoded.forEach((d, f) => {
    if (d?.kind !== 'fixed') return;
    const valueRows = d.valueRows;
    // decodeChunk's values are a fresh array (offset 0): 32-bit lanes line up
    const src = new Int32Array(d.values.buffer, 0, d.values.length >>> 2);
    const row0 = firstRow[f]!;
    if (words === 2) {
      for (let v = 0; v < valueRows.length; v++) {
        const g = row0 + valueRows[v]!;
        const r = runOfRow[g]!;
        if (r < 0) continue;
        const out = outs[r]!;
        const k = posInRun[g]!;
        out[2 * k] = src[2 * v]!;
        out[2 * k + 1] = src[2 * v + 1]!;
      }
    } else {
      for (let v = 0; v < valueRows.length; v++) {
        const g = row0 + valueRows[v]!;
        const r = runOfRow[g]!;
        if (r < 0) continue;
        const out = outs[r]!;
        for (let w = 0, from = v * words, to = posInRun[g]! * words; w < words; w++) out[to + w] = src[from + w]!;
      }
    }
  });
  return outs.map((out, r) => withNulls(fixedColumn(name, kind, out), nulls[r]));
}

function scatterStrings(
  name: string,
  decoded: readonly (DecodedChunk | undefined)[],
  { firstRow, runs, runOfRow, posInRun }: RowPlacement,
  mergeEqualEntries: boolean,
  nulls: readonly (Uint8Array | undefined)[],
): ParquetColumn[] {
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
  const outs = runs.map(({ rows }) => new Uint32Array(rows.length));
  decoded.forEach((d, f) => {
    if (d?.kind !== 'strings') return;
    const { valueRows, indices } = d;
    const row0 = firstRow[f]!;
    const e0 = entryBase[f]!;
    for (let v = 0; v < valueRows.length; v++) {
      const g = row0 + valueRows[v]!;
      const r = runOfRow[g]!;
      if (r < 0) continue;
      const e = e0 + indices[v]!;
      outs[r]![posInRun[g]!] = canonical === undefined ? e : canonical[e]!;
    }
  });
  const distinctEntries = canonical !== undefined || base < 2;
  return outs.map((indices, r) => withNulls({ name, kind: 'string-entries', entries, entryStarts, indices, distinctEntries }, nulls[r]));
}

function withNulls<C extends ParquetColumn>(column: C, nulls: Uint8Array | undefined): C {
  if (nulls !== undefined) (column as { nulls?: Uint8Array }).nulls = nulls;
  return column;
}

function fixedColumn(name: string, kind: StoredKind, out: Int32Array): ParquetColumn {
  switch (kind) {
    case 'int64':
      return { name, kind, values: new BigInt64Array(out.buffer) };
    case 'int32':
      return { name, kind, values: out };
    case 'double':
      return { name, kind, values: new Float64Array(out.buffer) };
    case 'fixed16':
    case 'fixed8':
      return { name, kind, values: new Uint8Array(out.buffer) };
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

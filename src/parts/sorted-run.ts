// Regroups the rows of staging files into files in a given row order —
// the flush's sort, done on bytes: every column of every staging file is
// decoded from its recorded page layout (no footer parsing, no JS value per
// row), the rows are gathered in the order the caller computed (trace id,
// then start), and each output file is written column by column. DuckDB then
// only compresses the result into a part (no ORDER BY): its sort of ~130
// wide columns cost half the flush's CPU and most of its memory
// (docs/storage.md). Runs in a worker thread, so ingest keeps the main one.

import { closeSync, openSync, readSync } from 'node:fs';
import { startModuleWorker } from './module-worker.js';
import { decodeChunk, type ChunkLayout, type DecodedChunk, type FileLayout, type StoredKind } from './parquet/layout.js';
import { wholeMicros } from './log-time-micros.js';
import { ParquetColumnFileWriter, type ColumnFileOptions, type ParquetColumn } from './parquet/writer.js';
import { firstEqualEntries } from './parquet/strings.js';
import { EVENTS_COMPACT_COLUMN, EVENTS_JSON_COLUMN, EVENTS_START_COLUMN, compactEventsColumn } from './events-compact.js';

export interface SortedRunSource {
  path: string;
  layout: FileLayout;
}

export interface SortedRun {
  outPath: string;
  /** output row k is row rows[k] of the sources, numbered across them in order */
  rows: Uint32Array;
}

export interface SortedRunJob {
  sources: SortedRunSource[];
  runs: SortedRun[];
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
}

export interface SortedRunResult {
  /** per run: the distinct values of job.distinctColumn */
  distinct: string[][];
  /** per run: whether job.wholeMicros's column was written in µs */
  micros: boolean[];
  /** per run: whether its events were written as events_compact */
  compactEvents: boolean[];
}

/** Writes every run of `job`; synchronous (the worker's body, and tests). */
export function writeSortedRuns(job: SortedRunJob): SortedRunResult {
  const { sources, runs } = job;
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
  const micros: boolean[] = runs.map(() => false);
  const compactEvents: boolean[] = runs.map(() => false);
  /** per run, with job.compactEvents: its rows' start times, gathered before the events (column order) */
  const starts: (BigInt64Array | undefined)[] = runs.map(() => undefined);
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
      const all = joinChunks(decoded, firstRow, totalRows);
      const positions = valuePositions(all, runs, runOfRow, posInRun);
      runs.forEach((_, r) => {
        let column = gather(name, kind!, all, positions[r]!);
        if (name === job.wholeMicros?.column && column.kind === 'int64') {
          const us = wholeMicros(column.values, column.values.length, column.nulls);
          if (us !== undefined) {
            column = { ...column, name: job.wholeMicros.as, values: us };
            micros[r] = true;
          }
        }
        if (job.compactEvents && name === EVENTS_START_COLUMN && column.kind === 'int64') starts[r] = column.values;
        if (job.compactEvents && name === EVENTS_JSON_COLUMN && column.kind === 'string-entries') {
          const startNs = starts[r];
          if (startNs === undefined) throw new Error(`sorted run: "${EVENTS_JSON_COLUMN}" comes before "${EVENTS_START_COLUMN}"`);
          column = { name: EVENTS_COMPACT_COLUMN, kind: 'string-entries', ...compactEventsColumn({ ...column, nulls: column.nulls! }, startNs) };
          compactEvents[r] = true;
        }
        writers[r]!.add(column);
        if (name === job.distinctColumn && column.kind === 'string-entries') distinct[r] = distinctStrings(column);
      });
    }
    for (const w of writers) w.finish();
  } catch (err) {
    for (const w of writers) w.abort();
    throw err;
  } finally {
    for (const fd of fds) closeSync(fd);
  }
  return { distinct, micros, compactEvents };
}

/** Runs writeSortedRuns in a worker thread. */
export function writeSortedRunsInWorker(job: SortedRunJob): Promise<SortedRunResult> {
  return new Promise((resolve, reject) => {
    const worker = startModuleWorker(import.meta.url, './sorted-run-worker', { workerData: job });
    let settled = false;
    worker.once('message', (result: SortedRunResult) => {
      settled = true;
      resolve(result);
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`sorted run: worker exited with code ${code} before answering`));
    });
  });
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

/**
 * One column over all sources: `at[row]` (rows numbered across the sources)
 * is the row's value — its index in `values` (fixed width, booleans) or its
 * entry (strings) — or -1 for null (also where a source lacks the column).
 */
interface JoinedColumn {
  at: Int32Array;
  /** rows with a value */
  present: number;
  /** fixed-width values, width bytes each; booleans one byte each */
  values: Uint8Array;
  /** strings: every source's entries one after another */
  entries: Uint8Array;
  entryStarts: Uint32Array;
}

function joinChunks(decoded: readonly (DecodedChunk | undefined)[], firstRow: readonly number[], totalRows: number): JoinedColumn {
  const at = new Int32Array(totalRows).fill(-1);
  let present = 0;
  let valueBytes = 0;
  let entryBytes = 0;
  let entryCount = 0;
  for (const d of decoded) {
    if (d === undefined) continue;
    present += d.kind === 'strings' ? d.indices.length : d.kind === 'fixed' ? d.values.length / d.width : d.values.length;
    if (d.kind === 'strings') {
      entryBytes += d.entries.length;
      entryCount += d.entryStarts.length - 1;
    } else {
      valueBytes += d.values.length;
    }
  }
  const values = new Uint8Array(valueBytes);
  const entries = new Uint8Array(entryBytes);
  const entryStarts = new Uint32Array(entryCount + 1);
  let valueBase = 0;
  let byteBase = 0;
  let entryBase = 0;
  decoded.forEach((d, f) => {
    if (d === undefined) return;
    const present = d.present;
    const row0 = firstRow[f]!;
    if (d.kind === 'strings') {
      entries.set(d.entries, byteBase);
      const n = d.entryStarts.length - 1;
      for (let k = 0; k < n; k++) entryStarts[entryBase + k] = byteBase + d.entryStarts[k]!;
      const indices = d.indices;
      for (let r = 0; r < present.length; r++) {
        const p = present[r]!;
        if (p >= 0) at[row0 + r] = entryBase + indices[p]!;
      }
      byteBase += d.entries.length;
      entryBase += n;
    } else {
      values.set(d.values, byteBase);
      const valueWidth = d.kind === 'fixed' ? d.width : 1;
      for (let r = 0; r < present.length; r++) {
        const p = present[r]!;
        if (p >= 0) at[row0 + r] = valueBase + p;
      }
      byteBase += d.values.length;
      valueBase += d.values.length / valueWidth;
    }
  });
  entryStarts[entryBase] = byteBase;
  if (entryBase > 1) {
    // one entry per distinct value, so the writer need not compare bytes per row group
    const canonical = firstEqualEntries(entries, entryStarts, entryBase);
    for (let g = 0; g < totalRows; g++) if (at[g]! >= 0) at[g] = canonical[at[g]!]!;
  }
  return { at, present, values, entries, entryStarts };
}

/**
 * Per run, per output row: the position of its value in `all` (its entry,
 * for strings), or -1 for null. A dense column is gathered run row by run
 * row; a sparse one (most columns of span attributes) is scattered from its
 * few values, in source order, so the cost follows the values, not the rows.
 */
function valuePositions(all: JoinedColumn, runs: readonly SortedRun[], runOfRow: Int32Array, posInRun: Int32Array): Int32Array[] {
  const at = all.at;
  if (all.present * 4 >= at.length) {
    return runs.map(({ rows }) => {
      const out = new Int32Array(rows.length);
      for (let k = 0; k < rows.length; k++) out[k] = at[rows[k]!]!;
      return out;
    });
  }
  const outs = runs.map(({ rows }) => new Int32Array(rows.length).fill(-1));
  for (let g = 0; g < at.length; g++) {
    const v = at[g]!;
    if (v < 0) continue;
    const r = runOfRow[g]!;
    if (r >= 0) outs[r]![posInRun[g]!] = v;
  }
  return outs;
}

function gather(name: string, kind: StoredKind, all: JoinedColumn, positions: Int32Array): ParquetColumn {
  const n = positions.length;
  const nulls = new Uint8Array(n);
  if (kind === 'string') {
    const indices = new Uint32Array(positions.buffer, positions.byteOffset, n);
    for (let k = 0; k < n; k++) {
      if (positions[k]! < 0) {
        nulls[k] = 1;
        indices[k] = 0;
      }
    }
    return { name, kind: 'string-entries', entries: all.entries, entryStarts: all.entryStarts, indices, nulls, distinctEntries: true };
  }
  if (kind === 'boolean') {
    const values = new Uint8Array(n);
    for (let k = 0; k < n; k++) {
      const p = positions[k]!;
      if (p < 0) nulls[k] = 1;
      else values[k] = all.values[p]!;
    }
    return { name, kind, values, nulls };
  }
  const words = fixedWidth(kind) >>> 2;
  const out = new Int32Array(n * words);
  // a fresh array (offset 0), so 32-bit lanes line up
  const src = new Int32Array(all.values.buffer, 0, all.values.length >>> 2);
  if (words === 2) {
    for (let k = 0; k < n; k++) {
      const p = positions[k]!;
      if (p < 0) {
        nulls[k] = 1;
        continue;
      }
      out[2 * k] = src[2 * p]!;
      out[2 * k + 1] = src[2 * p + 1]!;
    }
  } else {
    for (let k = 0; k < n; k++) {
      const p = positions[k]!;
      if (p < 0) {
        nulls[k] = 1;
        continue;
      }
      for (let w = 0, from = p * words, to = k * words; w < words; w++) out[to + w] = src[from + w]!;
    }
  }
  switch (kind) {
    case 'int64':
      return { name, kind, values: new BigInt64Array(out.buffer), nulls };
    case 'int32':
      return { name, kind, values: out, nulls };
    case 'double':
      return { name, kind, values: new Float64Array(out.buffer), nulls };
    case 'fixed16':
    case 'fixed8':
      return { name, kind, values: new Uint8Array(out.buffer), nulls };
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

function distinctStrings(column: Extract<ParquetColumn, { kind: 'string-entries' }>): string[] {
  const used = new Set<number>();
  for (let k = 0; k < column.indices.length; k++) if (column.nulls?.[k] === 0) used.add(column.indices[k]!);
  const decoder = new TextDecoder();
  const out = new Set<string>();
  for (const e of used) {
    const at = column.entryStarts[e]!;
    out.add(decoder.decode(column.entries.subarray(at + 4, column.entryStarts[e + 1]!)));
  }
  return [...out].sort();
}

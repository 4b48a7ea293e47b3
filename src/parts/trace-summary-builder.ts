// Trace summaries (docs/format/trace-summary.md) built by the flush's
// regrouping worker (src/parts/sorted-run.ts) from the part's columns as it
// writes them, instead of by DuckDB re-reading seven columns of the part:
// the rows come sorted by trace id, then start time, so a trace is a run of
// rows and its summary one pass over them — no hash table, no per-row key.
// The rows are DuckDB's summaryFromSpansSql's (trace-summary.ts), in the
// same columns, types, order and metadata.

import { writeParquetFileSync, type ParquetColumn } from './parquet/writer.js';
import type { PageCodec } from './parquet/compression.js';
import { HeldColumns } from './held-columns.js';
import { int64Halves, int64HalvesAt, int64Offset } from '../model/int64-halves.js';

export const SUMMARY_FILE_SUFFIX = '.summary.parquet';
export const SUMMARY_FORMAT_VERSION = 1;
/** Rows per row group: a search reads the row groups holding its ~20 traces. */
export const SUMMARY_ROW_GROUP_ROWS = 8192;

/** OTLP's STATUS_CODE_ERROR. */
export const STATUS_ERROR = 2;

/** What the worker needs to write the summaries of its runs. */
export interface TraceSummaryJob {
  /** per run, where its summary file goes */
  paths: string[];
  codec?: PageCodec;
}

type Column<K extends ParquetColumn['kind']> = Extract<ParquetColumn, { kind: K }>;
type FixedColumn = Column<'fixed16' | 'fixed8'>;

/** The span columns a summary reads, as the worker holds them. */
interface SummaryColumns {
  trace_id: FixedColumn;
  start_time_unix_nano: Column<'int64'>;
  duration_nano: Column<'int64'>;
  status_code: Column<'int32'>;
  service_name: Column<'string-entries'>;
  name: Column<'string-entries'>;
  /** absent: no span of the run has a parent (all are roots) */
  parent_span_id?: FixedColumn;
}

const KINDS: Record<keyof SummaryColumns, ParquetColumn['kind']> = {
  trace_id: 'fixed16',
  start_time_unix_nano: 'int64',
  duration_nano: 'int64',
  status_code: 'int32',
  service_name: 'string-entries',
  name: 'string-entries',
  parent_span_id: 'fixed8',
};

/**
 * Keeps the columns a summary needs as the worker writes each run's columns
 * (add), then writes each run's summary file (finish).
 */
export class TraceSummaryBuilder {
  private readonly held: HeldColumns<keyof SummaryColumns>;

  constructor(
    runCount: number,
    private readonly job: TraceSummaryJob,
  ) {
    this.held = new HeldColumns<keyof SummaryColumns>(runCount, KINDS, ['parent_span_id']);
  }

  /** One column of run `r` (every column may come; only the summary's are kept). */
  add(r: number, column: ParquetColumn): void {
    this.held.add(r, column);
  }

  /** Whether the columns of this name are kept until finish(). */
  keeps(name: string): boolean {
    return this.held.keeps(name);
  }

  /**
   * Writes each run's summary file (not fsynced); per run whether it did. A
   * run lacking a column (or with it in another type) gets none: the
   * summary store builds it with DuckDB, as for parts DuckDB writes.
   */
  finish(): boolean[] {
    return Array.from({ length: this.held.runCount }, (_, r) => {
      const held = this.held.take(r);
      if (held === undefined) return false;
      const columns = held as SummaryColumns;
      const summary = summaryColumns(columns, columns.trace_id.values.length / 16);
      writeParquetFileSync(this.job.paths[r]!, summary.traces, summary.columns, {
        rowGroupRows: SUMMARY_ROW_GROUP_ROWS,
        keyValueMetadata: { marquetry_trace_summary: String(SUMMARY_FORMAT_VERSION) },
        tryDeltaInt64: true,
        tryPlainStrings: true,
        ...(this.job.codec ? { codec: this.job.codec } : {}),
      });
      return true;
    });
  }
}

/** Distinct texts of a string column (null read as ''), numbered, with their rank in byte order and their JSON. */
class TextKeys {
  /** per entry, its key; nulls take key nullKey */
  readonly keyOfEntry: Int32Array;
  readonly nullKey: number;
  readonly text: string[] = [];
  readonly json: string[] = [];
  readonly rank: Int32Array;

  constructor(column: Column<'string-entries'>, coalesceNull: boolean) {
    const { entries, entryStarts } = column;
    const count = entryStarts.length - 1;
    const all = Buffer.from(entries.buffer, entries.byteOffset, entries.byteLength);
    this.keyOfEntry = new Int32Array(count);
    const byText = new Map<string, number>();
    const keyOf = (text: string): number => {
      let k = byText.get(text);
      if (k === undefined) {
        k = this.text.push(text) - 1;
        byText.set(text, k);
        this.json.push(JSON.stringify(text));
      }
      return k;
    };
    // only entries the rows use need a text: marked first
    const used = new Uint8Array(count);
    const nulls = column.nulls;
    let anyNull = false;
    for (let i = 0; i < column.indices.length; i++) {
      if (nulls !== undefined && nulls[i] !== 0) anyNull = true;
      else used[column.indices[i]!] = 1;
    }
    for (let e = 0; e < count; e++) this.keyOfEntry[e] = used[e] ? keyOf(all.toString('utf8', entryStarts[e]! + 4, entryStarts[e + 1]!)) : -1;
    this.nullKey = coalesceNull && anyNull ? keyOf('') : -1;
    // byte order of UTF-8 text, as DuckDB sorts VARCHAR
    const bytes = this.text.map((t) => Buffer.from(t, 'utf8'));
    const order = this.text.map((_, k) => k).sort((a, b) => Buffer.compare(bytes[a]!, bytes[b]!));
    this.rank = new Int32Array(this.text.length);
    order.forEach((k, r) => (this.rank[k] = r));
  }

  keyOfRow(column: Column<'string-entries'>, i: number): number {
    return column.nulls !== undefined && column.nulls[i] !== 0 ? this.nullKey : this.keyOfEntry[column.indices[i]!]!;
  }
}

/** Per-key counts of one trace, touched keys listed: reset by the keys touched, not by all. */
class KeyCounts {
  private readonly count: Int32Array;
  private readonly touched: number[] = [];

  constructor(
    keys: number,
    private readonly names: TextKeys,
  ) {
    this.count = new Int32Array(keys);
  }

  add(key: number): void {
    if (this.count[key]++ === 0) this.touched.push(key);
  }

  /** `{"a":1,"b":2}` with keys in byte order (DuckDB's histogram map), or undefined when none; resets. */
  takeJson(): string | undefined {
    const touched = this.touched;
    if (touched.length === 0) return undefined;
    const rank = this.names.rank;
    if (touched.length > 1) touched.sort((a, b) => rank[a]! - rank[b]!);
    let out = '{';
    for (let k = 0; k < touched.length; k++) {
      const key = touched[k]!;
      out += `${k === 0 ? '' : ','}${this.names.json[key]}:${this.count[key]}`;
      this.count[key] = 0;
    }
    touched.length = 0;
    return `${out}}`;
  }
}

/** One summary row per trace of the run's rows (sorted by trace id): the columns of the summary file. */
export function summaryColumns(c: SummaryColumns, rows: number): { traces: number; columns: ParquetColumn[] } {
  // trace boundaries: rows whose id differs from the row before's
  const ids = c.trace_id.values;
  const idWords = ids.byteOffset % 4 === 0 ? new Int32Array(ids.buffer, ids.byteOffset, rows * 4) : new Int32Array(ids.slice().buffer);
  const starts: number[] = [];
  for (let i = 0; i < rows; i++) {
    const w = 4 * i;
    if (i === 0 || idWords[w] !== idWords[w - 4] || idWords[w + 1] !== idWords[w - 3] || idWords[w + 2] !== idWords[w - 2] || idWords[w + 3] !== idWords[w - 1]) starts.push(i);
  }
  const traces = starts.length;
  starts.push(rows);
  const services = new TextKeys(c.service_name, true);
  const names = new TextKeys(c.name, false);
  const spansByService = new KeyCounts(services.text.length, services);
  const errorsByService = new KeyCounts(services.text.length, services);
  const startWords = int64Halves(c.start_time_unix_nano.values);
  const durationWords = int64Halves(c.duration_nano.values);
  const startNulls = c.start_time_unix_nano.nulls;
  const durationNulls = c.duration_nano.nulls;
  const status = c.status_code.values;
  const statusNulls = c.status_code.nulls;
  /** a root span: no parent (no parent column: every span) */
  const parentNulls = c.parent_span_id ? c.parent_span_id.nulls : undefined;
  const isRoot = (i: number): boolean => c.parent_span_id === undefined || (parentNulls !== undefined && parentNulls[i] !== 0);
  // DuckDB's arg_min skips rows whose argument is null: the root's name is that of the earliest root with a name
  const nameNulls = c.name.nulls;
  const hasName = (i: number): boolean => nameNulls === undefined || nameNulls[i] === 0;

  const out = {
    traceId: new Uint8Array(traces * 16),
    start: new BigInt64Array(traces),
    duration: new BigInt64Array(traces),
    durationNull: new Uint8Array(traces),
    lastStart: new BigInt64Array(traces),
    rootOffset: new BigInt64Array(traces),
    rootNull: new Uint8Array(traces),
    rootService: new Array<string | undefined>(traces),
    rootName: new Array<string | undefined>(traces),
    spanCount: new Int32Array(traces),
    errorCount: new Int32Array(traces),
    spansByService: new Array<string | undefined>(traces),
    errorsByService: new Array<string | undefined>(traces),
  };
  const outIdWords = new Int32Array(out.traceId.buffer);
  const serviceNulls = c.service_name.nulls;
  const serviceEntry = c.service_name.indices;
  const serviceKey = services.keyOfEntry;
  for (let t = 0; t < traces; t++) {
    const a = starts[t]!;
    const b = starts[t + 1]!;
    for (let w = 0; w < 4; w++) outIdWords[4 * t + w] = idWords[4 * a + w]!;
    let errors = 0;
    for (let i = a; i < b; i++) {
      const error = status[i] === STATUS_ERROR && (statusNulls === undefined || statusNulls[i] === 0);
      const service = serviceNulls !== undefined && serviceNulls[i] !== 0 ? services.nullKey : serviceKey[serviceEntry[i]!]!;
      spansByService.add(service);
      if (error) {
        errors++;
        errorsByService.add(service);
      }
    }
    out.spanCount[t] = b - a;
    out.errorCount[t] = errors;
    out.spansByService[t] = spansByService.takeJson();
    out.errorsByService[t] = errorsByService.takeJson();
    if (!traceTimes(t, a, b) && !traceTimesAsBigInts(t, a, b)) throw new Error('trace summary: a trace without a start time');
  }
  /**
   * The trace's times from the row offsets to its first row, in doubles:
   * false when a start is null or an offset is not exact (then bigints).
   */
  function traceTimes(t: number, a: number, b: number): boolean {
    let minStart = Infinity;
    let maxStart = -Infinity;
    let maxEnd = -Infinity;
    let rootStart = Infinity;
    let rootRow = -1;
    let namedRootStart = Infinity;
    let namedRootRow = -1;
    const [baseHigh, baseLow] = int64HalvesAt(startWords, a);
    for (let i = a; i < b; i++) {
      if (startNulls?.[i] === 1) return false;
      const start = int64Offset(startWords, i, baseHigh, baseLow);
      if (Number.isNaN(start)) return false;
      if (start < minStart) minStart = start;
      if (start > maxStart) maxStart = start;
      if (durationNulls?.[i] !== 1) {
        const duration = int64Offset(durationWords, i, 0, 0);
        const end = start + duration;
        if (!Number.isSafeInteger(end)) return false;
        if (end > maxEnd) maxEnd = end;
      }
      if (start < namedRootStart && isRoot(i)) {
        if (start < rootStart) {
          rootStart = start;
          rootRow = i;
        }
        if (hasName(i)) {
          namedRootStart = start;
          namedRootRow = i;
        }
      }
    }
    const base = c.start_time_unix_nano.values[a]!;
    setTimes(t, base + BigInt(minStart), maxEnd === -Infinity ? undefined : BigInt(maxEnd - minStart), BigInt(maxStart - minStart), rootRow, namedRootRow, rootRow < 0 ? 0n : BigInt(rootStart - minStart));
    return true;
  }
  /** The same in bigints: durations or spans of time beyond 2^53 ns. */
  function traceTimesAsBigInts(t: number, a: number, b: number): boolean {
    const startNs = c.start_time_unix_nano.values;
    const durationNs = c.duration_nano.values;
    let minStart: bigint | undefined;
    let maxStart: bigint | undefined;
    let maxEnd: bigint | undefined;
    let rootStart: bigint | undefined;
    let rootRow = -1;
    let namedRootStart: bigint | undefined;
    let namedRootRow = -1;
    for (let i = a; i < b; i++) {
      if (startNulls?.[i] === 1) continue;
      const start = startNs[i]!;
      if (minStart === undefined || start < minStart) minStart = start;
      if (maxStart === undefined || start > maxStart) maxStart = start;
      if (durationNulls?.[i] !== 1) {
        const end = BigInt.asIntN(64, start + durationNs[i]!);
        if (maxEnd === undefined || end > maxEnd) maxEnd = end;
      }
      if (isRoot(i) && (rootStart === undefined || start < rootStart)) {
        rootStart = start;
        rootRow = i;
      }
      if (isRoot(i) && hasName(i) && (namedRootStart === undefined || start < namedRootStart)) {
        namedRootStart = start;
        namedRootRow = i;
      }
    }
    if (minStart === undefined || maxStart === undefined) return false;
    setTimes(t, minStart, maxEnd === undefined ? undefined : maxEnd - minStart, maxStart - minStart, rootRow, namedRootRow, rootStart === undefined ? 0n : rootStart - minStart);
    return true;
  }
  function setTimes(t: number, start: bigint, duration: bigint | undefined, lastStart: bigint, rootRow: number, namedRootRow: number, rootOffset: bigint): void {
    out.start[t] = start;
    if (duration === undefined) out.durationNull[t] = 1;
    else out.duration[t] = duration;
    out.lastStart[t] = lastStart;
    if (rootRow < 0) {
      out.rootNull[t] = 1;
      return;
    }
    out.rootOffset[t] = rootOffset;
    const service = services.keyOfRow(c.service_name, rootRow);
    out.rootService[t] = services.text[service];
    out.rootName[t] = namedRootRow < 0 ? undefined : names.text[names.keyOfRow(c.name, namedRootRow)];
  }

  return {
    traces,
    columns: [
      { name: 'trace_id', kind: 'fixed16', values: out.traceId },
      { name: 'start_time_unix_nano', kind: 'int64', values: out.start },
      { name: 'duration_nano', kind: 'int64', values: out.duration, nulls: out.durationNull },
      { name: 'last_start_offset_nano', kind: 'int64', values: out.lastStart },
      { name: 'root_offset_nano', kind: 'int64', values: out.rootOffset, nulls: out.rootNull },
      { name: 'root_service_name', kind: 'string', values: out.rootService },
      { name: 'root_span_name', kind: 'string', values: out.rootName },
      { name: 'span_count', kind: 'int32', values: out.spanCount },
      { name: 'error_count', kind: 'int32', values: out.errorCount },
      { name: 'spans_by_service', kind: 'string', values: out.spansByService },
      { name: 'errors_by_service', kind: 'string', values: out.errorsByService },
    ],
  };
}

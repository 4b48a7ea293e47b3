// Rollup files (docs/format/rollups.md) built by the flush's regrouping
// worker (src/parts/sorted-run.ts) from the part's columns as it writes them,
// instead of by DuckDB re-reading the staging files (rollup-compute.ts): one
// pass over the rows, each row's operation (service, span name, kind, status)
// and minute found through typed hash tables, its duration added to the
// cell's sketch. The file holds the rows, types, order and metadata
// writeRollupFile (rollup-file.ts) writes from DuckDB's GROUP BY.

import { writeParquetFileSync, type ParquetColumn } from '../parts/parquet/writer.js';
import type { PageCodec } from '../parts/parquet/compression.js';
import { HeldColumns } from '../parts/held-columns.js';
import { int64Halves, int64Offset } from '../model/int64-halves.js';
import { grow } from '../model/span-batch-builder.js';
import { WordPairIds } from './cube-builder.js';
import { ByteWriter, DDSketch, SKETCH_ENCODING_VERSION, SKETCH_RELATIVE_ACCURACY } from './sketch.js';

export const ROLLUP_FILE_SUFFIX = '.rollup.parquet';
export const ROLLUP_FORMAT_VERSION = 1;
export const NS_PER_MINUTE = 60_000_000_000;
/** OTLP STATUS_CODE_ERROR */
export const STATUS_ERROR = 2;

/** The rollup file's key-value metadata. */
export function rollupMetadata(): Record<string, string> {
  return {
    marquetry_rollup: String(ROLLUP_FORMAT_VERSION),
    sketch: 'ddsketch',
    sketch_relative_accuracy: String(SKETCH_RELATIVE_ACCURACY),
    sketch_encoding: String(SKETCH_ENCODING_VERSION),
  };
}

/** What the worker needs to write the rollups of its runs. */
export interface RollupJob {
  /** per run, where its rollup file goes */
  paths: string[];
  codec?: PageCodec;
}

type Column<K extends ParquetColumn['kind']> = Extract<ParquetColumn, { kind: K }>;

interface RollupColumns {
  service_name: Column<'string-entries'>;
  name: Column<'string-entries'>;
  kind: Column<'int32'>;
  status_code: Column<'int32'>;
  start_time_unix_nano: Column<'int64'>;
  duration_nano: Column<'int64'>;
}

const KINDS: Record<keyof RollupColumns, ParquetColumn['kind']> = {
  service_name: 'string-entries',
  name: 'string-entries',
  kind: 'int32',
  status_code: 'int32',
  start_time_unix_nano: 'int64',
  duration_nano: 'int64',
};

/**
 * Keeps the columns rollups need as the worker writes each run's columns
 * (add), then writes each run's rollup file (finish).
 */
export class RollupBuilder {
  private readonly held: HeldColumns<keyof RollupColumns>;

  constructor(
    runCount: number,
    private readonly job: RollupJob,
  ) {
    this.held = new HeldColumns(runCount, KINDS);
  }

  add(r: number, column: ParquetColumn): void {
    this.held.add(r, column);
  }

  /** Whether the columns of this name are kept until finish(). */
  keeps(name: string): boolean {
    return this.held.keeps(name);
  }

  /**
   * Writes each run's rollup file (not fsynced); per run whether it did. A
   * run lacking a column, with a null where rollups need a value, an
   * unexpected kind or status, or times beyond 2^53 ns apart gets none: the
   * rollup store computes it with DuckDB, as for parts DuckDB writes.
   */
  finish(): boolean[] {
    return Array.from({ length: this.held.runCount }, (_, r) => {
      const held = this.held.take(r);
      const columns = held && rollupColumns(held as RollupColumns);
      if (columns === undefined) return false;
      writeParquetFileSync(this.job.paths[r]!, columns.rows, columns.columns, { keyValueMetadata: rollupMetadata(), ...(this.job.codec ? { codec: this.job.codec } : {}) });
      return true;
    });
  }
}

/** Growable per-cell aggregates. */
class Cells {
  minute: Int32Array = new Int32Array(256);
  op: Int32Array = new Int32Array(256);
  count: Float64Array = new Float64Array(256);
  errors: Float64Array = new Float64Array(256);
  sumNs: Float64Array = new Float64Array(256);
  maxNs: Float64Array = new Float64Array(256);
  readonly sketches: DDSketch[] = [];
  length = 0;

  /** A new cell (index = its id − 1). */
  push(minute: number, op: number): void {
    const c = this.length++;
    if (c === this.minute.length) {
      this.minute = grow(this.minute, c + 1);
      this.op = grow(this.op, c + 1);
      this.count = grow(this.count, c + 1);
      this.errors = grow(this.errors, c + 1);
      this.sumNs = grow(this.sumNs, c + 1);
      this.maxNs = grow(this.maxNs, c + 1);
    }
    this.minute[c] = minute;
    this.op[c] = op;
    this.maxNs[c] = -Infinity;
    this.sketches.push(new DDSketch());
  }
}

/** The rollup rows of a run, as the file's columns; undefined where the worker leaves it to DuckDB. */
export function rollupColumns(c: RollupColumns): { rows: number; columns: ParquetColumn[] } | undefined {
  const rows = c.kind.values.length;
  if (rows === 0 || c.kind.nulls !== undefined || c.status_code.nulls !== undefined || c.start_time_unix_nano.nulls !== undefined || c.duration_nano.nulls !== undefined) return undefined;
  const startWords = int64Halves(c.start_time_unix_nano.values);
  const durationWords = int64Halves(c.duration_nano.values);
  // minutes counted from the run's first minute, so a row's is an exact double
  let minStart = c.start_time_unix_nano.values[0]!;
  for (let i = 1; i < rows; i++) if (c.start_time_unix_nano.values[i]! < minStart) minStart = c.start_time_unix_nano.values[i]!;
  if (minStart < 0n) return undefined;
  const baseMinute = minStart / BigInt(NS_PER_MINUTE);
  const baseNs = baseMinute * BigInt(NS_PER_MINUTE);
  const baseHi = Number(baseNs >> 32n);
  const baseLo = Number(baseNs & 0xffffffffn);
  const firstMinute = Number(baseMinute);

  const services = c.service_name;
  const names = c.name;
  const kinds = c.kind.values;
  const statuses = c.status_code.values;
  const ops = new WordPairIds();
  /** per operation (id − 1): its service and name entry (−1: null), kind, status */
  const opService: number[] = [];
  const opName: number[] = [];
  const opKind: number[] = [];
  const opStatus: number[] = [];
  const cellIds = new WordPairIds();
  const cells = new Cells();
  let lastOpLow = -1;
  let lastOpHigh = -1;
  let lastOp = 0;
  let lastMinute = -1;
  let lastCellOp = -1;
  let lastCell = 0;
  for (let i = 0; i < rows; i++) {
    const kind = kinds[i]!;
    const status = statuses[i]!;
    if (kind < 0 || kind > 15 || status < 0 || status > 3) return undefined;
    const service = services.nulls !== undefined && services.nulls[i] !== 0 ? -1 : services.indices[i]!;
    const name = names.nulls !== undefined && names.nulls[i] !== 0 ? -1 : names.indices[i]!;
    const opLow = service + 1;
    const opHigh = ((name + 1) * 16 + kind) * 4 + status;
    // the row before's operation again (a trace's spans repeat it): no look-up
    if (opLow !== lastOpLow || opHigh !== lastOpHigh) {
      lastOp = ops.idOf(opLow, opHigh);
      lastOpLow = opLow;
      lastOpHigh = opHigh;
      if (lastOp > opService.length) {
        opService.push(service);
        opName.push(name);
        opKind.push(kind);
        opStatus.push(status);
      }
    }
    const op = lastOp;
    const offset = int64Offset(startWords, i, baseHi, baseLo);
    if (Number.isNaN(offset)) return undefined;
    let m = Math.floor(offset / NS_PER_MINUTE);
    if (m * NS_PER_MINUTE > offset) m--;
    else if ((m + 1) * NS_PER_MINUTE <= offset) m++;
    const duration = int64Offset(durationWords, i, 0, 0);
    if (Number.isNaN(duration)) return undefined;
    if (m !== lastMinute || op !== lastCellOp) {
      lastCell = cellIds.idOf(m, op) - 1;
      lastMinute = m;
      lastCellOp = op;
      if (lastCell === cells.length) cells.push(firstMinute + m, op - 1);
    }
    const cell = lastCell;
    cells.count[cell]++;
    if (status === STATUS_ERROR) cells.errors[cell]++;
    cells.sumNs[cell] += duration;
    if (duration > cells.maxNs[cell]!) cells.maxNs[cell] = duration;
    cells.sketches[cell]!.add(duration);
  }

  // operation texts as computeRollups reads DuckDB's values (a null as String(null))
  const text = (column: Column<'string-entries'>, entry: number): string => {
    if (entry < 0) return 'null';
    const at = column.entryStarts[entry]!;
    return Buffer.from(column.entries.buffer, column.entries.byteOffset + at + 4, column.entryStarts[entry + 1]! - at - 4).toString('utf8');
  };
  const opCount = opService.length;
  const serviceText = Array.from({ length: opCount }, (_, o) => text(services, opService[o]!));
  const nameText = Array.from({ length: opCount }, (_, o) => text(names, opName[o]!));
  // ORDER BY minute, service_name, name, kind, status_code (text as UTF-8 bytes)
  const serviceBytes = serviceText.map((t) => Buffer.from(t, 'utf8'));
  const nameBytes = nameText.map((t) => Buffer.from(t, 'utf8'));
  const opOrder = Array.from({ length: opCount }, (_, o) => o).sort(
    (a, b) => Buffer.compare(serviceBytes[a]!, serviceBytes[b]!) || Buffer.compare(nameBytes[a]!, nameBytes[b]!) || opKind[a]! - opKind[b]! || opStatus[a]! - opStatus[b]!,
  );
  const opRank = new Int32Array(opCount);
  opOrder.forEach((o, rank) => (opRank[o] = rank));
  const n = cells.length;
  const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => cells.minute[a]! - cells.minute[b]! || opRank[cells.op[a]!]! - opRank[cells.op[b]!]!);

  const sketches = new ByteWriter(64 * n);
  const entryStarts = new Uint32Array(n + 1);
  const out = {
    minuteStart: new BigInt64Array(n),
    service: new Array<string>(n),
    name: new Array<string>(n),
    kind: new Int32Array(n),
    status: new Int32Array(n),
    count: new BigInt64Array(n),
    errors: new BigInt64Array(n),
    sumNs: new BigInt64Array(n),
    maxNs: new BigInt64Array(n),
  };
  order.forEach((cell, k) => {
    const op = cells.op[cell]!;
    out.minuteStart[k] = BigInt(cells.minute[cell]!) * BigInt(NS_PER_MINUTE);
    out.service[k] = serviceText[op]!;
    out.name[k] = nameText[op]!;
    out.kind[k] = opKind[op]!;
    out.status[k] = opStatus[op]!;
    out.count[k] = BigInt(cells.count[cell]!);
    out.errors[k] = BigInt(cells.errors[cell]!);
    out.sumNs[k] = BigInt(Math.round(cells.sumNs[cell]!));
    out.maxNs[k] = BigInt(cells.maxNs[cell]!);
    // a PLAIN byte array: u32 length, then the encoded sketch
    const at = sketches.pos;
    sketches.ensure(4);
    sketches.pos += 4;
    cells.sketches[cell]!.encodeInto(sketches);
    new DataView(sketches.buf.buffer).setUint32(at, sketches.pos - at - 4, true);
    entryStarts[k + 1] = sketches.pos;
  });
  return {
    rows: n,
    columns: [
      { name: 'minute_start_unix_nano', kind: 'int64', values: out.minuteStart },
      { name: 'service_name', kind: 'string', values: out.service },
      { name: 'name', kind: 'string', values: out.name },
      { name: 'kind', kind: 'int32', values: out.kind },
      { name: 'status_code', kind: 'int32', values: out.status },
      { name: 'span_count', kind: 'int64', values: out.count },
      { name: 'error_count', kind: 'int64', values: out.errors },
      { name: 'duration_sum_nano', kind: 'int64', values: out.sumNs },
      { name: 'duration_max_nano', kind: 'int64', values: out.maxNs },
      { name: 'duration_sketch', kind: 'string-entries', entries: sketches.bytes(), entryStarts, indices: Uint32Array.from({ length: n }, (_, k) => k), binary: true },
    ],
  };
}

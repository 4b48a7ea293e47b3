// Span cubes (docs/format/span-cube.md) built by the flush's regrouping
// worker (src/parts/sorted-run.ts) from the columns it already holds, instead
// of by DuckDB re-reading the staging files: DuckDB's GROUP BY over the ~110
// dimension columns and its COPY of the cube cost ~4.5 CPU µs per span, the
// largest part of the libuv pool's work during ingest (docs/storage.md).
//
// Grouping without a per-row key: each row's group id is refined column by
// column — (group so far, value of this column) → a group id — in one pass
// over the column's rows with a value. A row with the first value its group
// showed in the column keeps its id (an array indexed by group id, no
// hashing: most columns split no group); only a row with another value
// moves, to its (group, value) pair's new id from an open-addressing table.
// A row without a value keeps its group id, so a column few spans have
// (most attribute columns) costs only a scan of its nulls, four at a time (present-rows.ts),
// and its rows with a value; ids only grow,
// and each refinement step keeps the groups that kept their id with their
// value and, per id it made, its parent id and value, so the key of a final
// group is read back step by step at the end; the columns themselves
// need not be kept. The result is the same cube as cube-file.ts's
// writeCubeFromSpans writes: one row per distinct (dimension values…,
// duration bucket, duration range) with a span count and Σ ln(duration + 1),
// ordered by service and span name, the same key-value metadata.

import { writeParquetFileSync, type ParquetColumn } from '../parts/parquet/writer.js';
import type { PageCodec } from '../parts/parquet/compression.js';
import { collectPresentRows } from '../parts/parquet/present-rows.js';
import { isHighCardinality } from './compare-score.js';
import { grow } from '../model/span-batch-builder.js';

/** Cube column names and metadata (cube-file.ts re-exports them). */
export const CUBE_DURATION_BUCKET = 'duration_bucket';
export const CUBE_DURATION_RANGE = 'duration_range_ms';
export const CUBE_SPAN_COUNT = 'span_count';
export const CUBE_LOG_DURATION_SUM = 'log_duration_sum';
export const CUBE_FORMAT_VERSION = 1;
/** Duration buckets below it (durations up to e^256 ns) are looked up in an array. */
const MAX_ARRAY_BUCKET = 4096;
/** Rows sampled from the head of a part's spans to find its high-cardinality columns. */
export const CUBE_SAMPLE_ROWS = 20_000;

export interface CubeColumns {
  /** dimension columns grouped by in the cube */
  grouped: string[];
  /** dimension columns of the part too diverse for the cube */
  highCardinality: string[];
}

/** The cube's key-value metadata: its format version and the columns it leaves out. */
export function cubeMetadata(highCardinality: readonly string[]): Record<string, string> {
  return { marquetry_cube: String(CUBE_FORMAT_VERSION), high_cardinality: JSON.stringify(highCardinality) };
}

/** What the worker needs to build the cubes of its runs. */
export interface SpanCubeJob {
  /** dimension columns in cube order (cube-file.ts, cubeCandidateColumns) */
  candidates: string[];
  /** those always in the cube, whatever their cardinality (not sampled) */
  always: string[];
  /** per run, where its cube file goes */
  paths: string[];
  /** page codec of the cube files (loaded in the worker) */
  codec?: PageCodec;
}

/** The duration bucket of DURATION_BUCKET_SQL (compare-sql.ts): floor(ln(duration + 1) * 16). */
export function durationBucket(durationNs: number): number {
  return Math.floor(Math.log(durationNs + 1) * 16);
}

/** The exponents of the ranges of int64 ns durations: 1 ns = 10^-6 ms … 2^63 ns < 10^13 ms. */
const MIN_RANGE_EXPONENT = -6;
const MAX_RANGE_EXPONENT = 12;
/** 10^e as DuckDB's pow(10, e) gives it: the correctly rounded value, which `1eN` literals are. */
const POWERS_OF_TEN = Float64Array.from({ length: MAX_RANGE_EXPONENT - MIN_RANGE_EXPONENT + 1 }, (_, k) => Number(`1e${k + MIN_RANGE_EXPONENT}`));
function powerOfTen(e: number): number {
  return e >= MIN_RANGE_EXPONENT && e <= MAX_RANGE_EXPONENT ? POWERS_OF_TEN[e - MIN_RANGE_EXPONENT]! : Number(`1e${e}`);
}

/** The 1-2-5 duration range of DURATION_RANGE_SQL (compare-dimensions.ts), in ms. */
export function durationRangeMs(durationNs: number): number {
  const ms = durationNs / 1e6;
  if (ms === 0) return 0;
  const magnitude = Math.abs(ms);
  const p = powerOfTen(Math.floor(Math.log10(magnitude) + 1e-12));
  const ratio = magnitude / p;
  return Math.sign(ms) * p * (ratio < 2 ? 1 : ratio < 5 ? 2 : 5);
}

/**
 * Per row with a duration, the value id of its (duration bucket, duration
 * range) pair, and ln(duration + 1) into `logDuration`; the bucket and the
 * range of each value id. A bucket's durations (6.45% apart) mostly lie in
 * one 1-2-5 range: its range is computed once (bucketInOneRange), and
 * per row only in the few buckets a range boundary crosses (~8 % of the
 * rows), whose two ranges' value ids are kept beside the bucket's.
 */
function durationValueIds(durations: BigInt64Array, present: Int32Array | undefined, logDuration: Float64Array): RowValueIds & { buckets: number[]; ranges: number[] } {
  const rows = durations.length;
  const n = present === undefined ? rows : present.length;
  // the 64-bit words of each duration: Number(durations[i]) would make a BigInt per row
  const words = new Int32Array(durations.buffer, durations.byteOffset, rows * 2);
  const ids = new Int32Array(rows);
  const buckets: number[] = [0];
  const ranges: number[] = [0];
  /** per bucket ≥ 0 in one range: its pair's value id (0: not seen yet) */
  const vidOfBucket = new Int32Array(MAX_ARRAY_BUCKET);
  /** per bucket ≥ 0: 1 if a range boundary crosses it, 2 if not, 0: not asked yet */
  const inOneRange = new Uint8Array(MAX_ARRAY_BUCKET);
  /** per bucket ≥ 0 a boundary crosses, at 2b and 2b + 1: the value ids (0: none yet) of its pairs and their ranges */
  const crossedVid = new Int32Array(2 * MAX_ARRAY_BUCKET);
  const crossedRange = new Float64Array(2 * MAX_ARRAY_BUCKET);
  /** the other pairs (of NaN, −∞ for durations < 0, or beyond the array's buckets) by their text */
  const vidOfPair = new Map<string, number>();
  for (let k = 0; k < n; k++) {
    const i = present === undefined ? k : present[k]!;
    // hi · 2^32 is exact, so one rounding, as Number(bigint)'s (little-endian words)
    const d = words[2 * i + 1]! * 4294967296 + (words[2 * i]! >>> 0);
    const ln = (logDuration[i] = Math.log(d + 1));
    const b = Math.floor(ln * 16);
    const arrayBucket = b >= 0 && b < MAX_ARRAY_BUCKET;
    if (arrayBucket && inOneRange[b] === 0) inOneRange[b] = bucketInOneRange(b) ? 2 : 1;
    if (arrayBucket && inOneRange[b] === 2) {
      let v = vidOfBucket[b]!;
      if (v === 0) {
        v = vidOfBucket[b] = buckets.push(b) - 1;
        ranges.push(durationRangeMs(d));
      }
      ids[i] = v;
      continue;
    }
    const range = durationRangeMs(d);
    if (arrayBucket) {
      // one boundary at most within a bucket (6.45 % wide; boundaries ≥ 2× apart): two ranges
      let slot = 2 * b;
      if (crossedVid[slot] !== 0 && crossedRange[slot] !== range) slot++;
      if (crossedVid[slot] === 0) {
        crossedVid[slot] = buckets.push(b) - 1;
        crossedRange[slot] = range;
        ranges.push(range);
      }
      if (crossedRange[slot] === range) {
        ids[i] = crossedVid[slot]!;
        continue;
      }
    }
    const key = `${b} ${range}`;
    let v = vidOfPair.get(key);
    if (v === undefined) {
      vidOfPair.set(key, (v = buckets.push(b) - 1));
      ranges.push(range);
    }
    ids[i] = v;
  }
  return { ids, offset: 0, present, count: buckets.length, buckets, ranges };
}

/**
 * Whether every duration of bucket `b` has one 1-2-5 range: no range
 * boundary (1, 2, 5 × 10^e ms) within the bucket's durations, widened by
 * 1e-9 of them — far more than Math.log's and the range formula's rounding
 * (1e-12), so near a boundary the range is always computed per duration.
 */
function bucketInOneRange(b: number): boolean {
  const from = ((Math.exp(b / 16) - 1) / 1e6) * (1 - 1e-9);
  const to = ((Math.exp((b + 1) / 16) - 1) / 1e6) * (1 + 1e-9);
  if (!(from > 0)) return false;
  for (let e = Math.floor(Math.log10(from)) - 1; e <= Math.ceil(Math.log10(to)) + 1; e++) {
    for (const m of [1, 2, 5]) {
      const edge = m * 10 ** e;
      if (edge >= from && edge <= to) return false;
    }
  }
  return true;
}

/** Turns vid (a column's value id per row, 0 = null) back into a cube column: the value of each id (of 0: entry 0, or 0, written on null rows). */
type ValueTable =
  | { kind: 'string-entries'; entries: Uint8Array; entryStarts: Uint32Array; distinctEntries: boolean; entryOfVid: Int32Array }
  | { kind: 'int32' | 'boolean'; values: Int32Array }
  | { kind: 'int64'; values: BigInt64Array }
  | { kind: 'double'; values: Float64Array };

/**
 * A column's value id per row: ids[i] + offset (≥ 1) on the rows with a
 * value, `present` (ascending; undefined: every row has one), undefined on
 * the others; value ids below `count`.
 */
interface RowValueIds {
  ids: Int32Array;
  offset: number;
  present?: Int32Array | undefined;
  count: number;
}

interface Step {
  /** index of the column in the run's grouped columns */
  column: number;
  /** the first id this step made; ids below it were there before it */
  first: number;
  /** per id this step made (from `first`): the group it split off from */
  parent: Int32Array;
  /** per id this step made: its value id in the column */
  vid: Int32Array;
  /** groups that kept their id with a value: every row of them with the same one, or the rows of the first value seen */
  kept: Int32Array;
  /** per kept group: its value id in the column */
  keptVid: Int32Array;
  /** the value id every group has in the column (a column of one value on every row: it split none), else 0 */
  everyGroup: number;
}

interface RunCube {
  rows: number;
  /** per row, its group id so far */
  group: Int32Array;
  /** ids made so far */
  ids: number;
  /** per id: the rows that have it now */
  size: Int32Array;
  steps: Step[];
  /** the grouped columns; `sameVidsAs`: one step gave this column's value ids and those of that column */
  grouped: { name: string; table: ValueTable; sameVidsAs?: number }[];
  high: string[];
  durations?: { values: BigInt64Array; nulls: Uint8Array | undefined };
}

/** A group id not seen yet in this step (ids[i] ≥ 0). */
const UNSEEN = -1;
const NO_IDS: Int32Array = new Int32Array(0);

/** Whether the first `rows` ids are all one (rows ≥ 1); most columns that are not show it within a few rows. */
function oneValue(ids: Int32Array, rows: number): boolean {
  const v = ids[0]!;
  for (let i = 1; i < rows; i++) if (ids[i] !== v) return false;
  return true;
}

/**
 * Refines a run's groups by one more column, in one pass over its rows
 * with a value. Most columns split no group (resource attributes follow the
 * service instance, most span attributes the operation): of the ~25 M cells
 * with a value in a 500 k-span part, ~3 M are in groups a column splits. So
 * a row whose value is the first its group showed in this column keeps its
 * id — a look-up in an array indexed by group id, no hashing, nothing
 * written — and only a row with another value moves to the id of its
 * (group, value) pair, through the pair table. A group keeps its id with
 * the first value; if it also has rows without a value (they keep its id,
 * as no value), its rows of the first value move too, in a second pass over
 * those groups only. A column with nulls is read from its rows with a value
 * only (most are sparse: ~2 % of the rows); a column of one value on every
 * row (~a third of those without nulls) splits no group: no pass at all.
 */
class GroupRefiner {
  /** per group id seen in this step: the first value seen (ids[i], no offset); UNSEEN otherwise */
  private firstValue = new Int32Array(0);
  /** per group id seen in this step (columns with nulls): its rows with the first value */
  private firstRows = new Int32Array(0);
  /** per group id seen in this step: 1 if its rows of the first value move too */
  private movesAll = new Uint8Array(0);
  /** the group ids seen in this step, in order */
  private seen = new Int32Array(0);
  private readonly pairs: PairTable;

  constructor(maxRows: number) {
    this.pairs = new PairTable(maxRows);
  }

  refine(run: RunCube, column: number, rowIds: RowValueIds): void {
    const first = run.ids;
    if (rowIds.present === undefined && run.rows > 0 && oneValue(rowIds.ids, run.rows)) {
      run.steps.push({ column, first, parent: NO_IDS, vid: NO_IDS, kept: NO_IDS, keptVid: NO_IDS, everyGroup: rowIds.ids[0]! + rowIds.offset });
      return;
    }
    if (this.firstValue.length < first) {
      const had = this.firstValue.length;
      this.firstValue = grow(this.firstValue, first);
      this.firstValue.fill(UNSEEN, had);
      this.firstRows = grow(this.firstRows, first);
      this.movesAll = grow(this.movesAll, first);
      this.seen = grow(this.seen, first);
    }
    // ids this step makes: at most one per row
    run.size = grow(run.size, first + run.rows);
    this.pairs.begin(first, rowIds);
    const { seen, firstValue, firstRows, movesAll } = this;
    const { size } = run;
    let seenCount: number;
    let mixed = 0;
    if (rowIds.present === undefined) seenCount = this.passEveryRow(run, rowIds.ids);
    else {
      seenCount = this.passPresentRows(run, rowIds.ids, rowIds.present);
      for (let k = 0; k < seenCount; k++) {
        const g = seen[k]!;
        // rows left beside those of the first value: rows without one
        if (size[g] !== firstRows[g]) {
          movesAll[g] = 1;
          mixed++;
        }
      }
      if (mixed > 0) this.moveFirstValueRows(run, rowIds.ids, rowIds.present);
    }
    const keptIds = new Int32Array(seenCount - mixed);
    const keptVid = new Int32Array(seenCount - mixed);
    for (let k = 0, n = 0; k < seenCount; k++) {
      const g = seen[k]!;
      if (movesAll[g] === 0) {
        keptIds[n] = g;
        keptVid[n++] = firstValue[g]! + rowIds.offset;
      }
      firstValue[g] = UNSEEN;
      movesAll[g] = 0;
    }
    run.steps.push({ column, first, ...this.pairs.end(run), kept: keptIds, keptVid, everyGroup: 0 });
  }

  /** A column without nulls: each row's value against its group's first; returns the group ids seen. */
  private passEveryRow(run: RunCube, ids: Int32Array): number {
    const { group, rows } = run;
    const { firstValue, seen } = this;
    let seenCount = 0;
    for (let i = 0; i < rows; i++) {
      const g = group[i]!;
      const v = ids[i]!;
      const f = firstValue[g]!;
      if (f === v) continue;
      if (f === UNSEEN) {
        firstValue[g] = v;
        seen[seenCount++] = g;
        continue;
      }
      this.move(run, i, g, v);
    }
    return seenCount;
  }

  /** A column with nulls: the same for its rows with a value, counting per group its rows of the first value. */
  private passPresentRows(run: RunCube, ids: Int32Array, present: Int32Array): number {
    const { group } = run;
    const { firstValue, firstRows, seen } = this;
    let seenCount = 0;
    for (let k = 0; k < present.length; k++) {
      const i = present[k]!;
      const g = group[i]!;
      const v = ids[i]!;
      const f = firstValue[g]!;
      if (f === v) {
        firstRows[g]!++;
        continue;
      }
      if (f === UNSEEN) {
        firstValue[g] = v;
        firstRows[g] = 1;
        seen[seenCount++] = g;
        continue;
      }
      this.move(run, i, g, v);
    }
    return seenCount;
  }

  /** Row i, of group g, moves to the id of (g, its value v). */
  private move(run: RunCube, i: number, g: number, v: number): void {
    const id = (run.group[i] = this.pairs.idOf(g, v));
    run.size[g]!--;
    run.size[id]!++;
  }

  /** Second pass, for groups with rows without a value: their rows of the first value move to that pair's id too. */
  private moveFirstValueRows(run: RunCube, ids: Int32Array, present: Int32Array): void {
    const { group, ids: first } = run;
    const { firstValue, movesAll } = this;
    for (let k = 0; k < present.length; k++) {
      const i = present[k]!;
      const g = group[i]!;
      // ids made by this step (rows that moved already) are not in the arrays below
      if (g >= first || movesAll[g] === 0 || ids[i] !== firstValue[g]) continue;
      this.move(run, i, g, ids[i]!);
    }
  }
}

/**
 * (id, value) → the id a step makes for it: open addressing, cleared by
 * the slots it used. Sized by the pairs a step makes (at most the cube's
 * rows, far fewer than spans), grown when they outnumber half its slots: a
 * small table stays in cache. A step whose pairs are few (ids before it ×
 * the column's value ids ≤ DIRECT_PAIRS: most of those that move many rows,
 * as the service and span name) looks them up in an array indexed by pair
 * instead, cleared the same way: ~2 M of the ~4 M rows moved a 1 M-span flush.
 */
class PairTable {
  /** per pair g · count + v of a step with direct pairs: its id + 1 (0: none yet) */
  private direct = new Int32Array(0);
  private directPairs = false;
  private keys = new Float64Array(1 << 16).fill(-1);
  private values = new Int32Array(1 << 16);
  private mask = (1 << 16) - 1;
  private used: Int32Array;
  private usedCount = 0;
  /** per id the step makes: its parent and value id, until copied into the step */
  private readonly parent: Int32Array;
  private readonly vidOf: Int32Array;
  /** the step's first id, the next, and its column's ids: `count` (pair = g · count + v) and `offset` */
  private first = 0;
  private next = 0;
  private count = 1;
  private offset = 0;
  /** the pair looked up last and its id: rows of a trace often repeat it */
  private lastPair = -1;
  private lastId = 0;

  constructor(maxPairs: number) {
    this.used = new Int32Array(maxPairs);
    this.parent = new Int32Array(maxPairs);
    this.vidOf = new Int32Array(maxPairs);
  }

  begin(first: number, { count, offset }: RowValueIds): void {
    this.first = this.next = first;
    this.count = count;
    this.offset = offset;
    this.lastPair = -1;
    this.directPairs = first * count <= DIRECT_PAIRS;
    if (this.directPairs) this.direct = grow(this.direct, first * count);
  }

  /** The id of (g, v): a new one when first seen. */
  idOf(g: number, v: number): number {
    const pair = g * this.count + v;
    if (this.directPairs) {
      const id = this.direct[pair]! - 1;
      return id >= 0 ? id : this.addDirect(pair, g, v);
    }
    if (pair === this.lastPair) return this.lastId;
    const keys = this.keys;
    let slot = pairSlot(g, v) & this.mask;
    for (;;) {
      const k = keys[slot]!;
      if (k === pair) break;
      if (k === -1) {
        this.lastPair = pair;
        return (this.lastId = this.add(slot, pair, g, v));
      }
      slot = (slot + 1) & this.mask;
    }
    this.lastPair = pair;
    return (this.lastId = this.values[slot]!);
  }

  /** Ends the step: the ids it made (their parents and value ids); the run's ids grow by them. */
  end(run: RunCube): { parent: Int32Array; vid: Int32Array } {
    if (this.directPairs) for (let k = 0; k < this.usedCount; k++) this.direct[this.used[k]!] = 0;
    else for (let k = 0; k < this.usedCount; k++) this.keys[this.used[k]!] = -1;
    this.usedCount = 0;
    run.ids = this.next;
    const made = this.next - this.first;
    return { parent: this.parent.slice(0, made), vid: this.vidOf.slice(0, made) };
  }

  private add(slot: number, pair: number, g: number, v: number): number {
    const id = this.made(g, v);
    this.keys[slot] = pair;
    this.values[slot] = id;
    this.used[this.usedCount++] = slot;
    if (this.usedCount * 2 > this.mask) this.grow();
    return id;
  }

  private addDirect(pair: number, g: number, v: number): number {
    const id = this.made(g, v);
    this.direct[pair] = id + 1;
    this.used[this.usedCount++] = pair;
    return id;
  }

  /** A new id, for (g, v). */
  private made(g: number, v: number): number {
    const id = this.next++;
    this.parent[id - this.first] = g;
    this.vidOf[id - this.first] = v + this.offset;
    return id;
  }

  /** Twice the slots, the pairs placed anew. */
  private grow(): void {
    const capacity = (this.mask + 1) * 2;
    const keys = new Float64Array(capacity).fill(-1);
    const values = new Int32Array(capacity);
    const mask = capacity - 1;
    for (let k = 0; k < this.usedCount; k++) {
      const old = this.used[k]!;
      const key = this.keys[old]!;
      const g = Math.floor(key / this.count);
      let slot = pairSlot(g, key - g * this.count) & mask;
      while (keys[slot] !== -1) slot = (slot + 1) & mask;
      keys[slot] = key;
      values[slot] = this.values[old]!;
      this.used[k] = slot;
    }
    this.keys = keys;
    this.values = values;
    this.mask = mask;
  }
}

/** The most pairs looked up in an array (4 MiB, kept by the worker's builder while it builds the cubes of a flush). */
const DIRECT_PAIRS = 1 << 20;

function pairSlot(g: number, v: number): number {
  const h = Math.imul(g, 0x9e3779b1) ^ Math.imul(v, 0x85ebca6b);
  return h ^ (h >>> 15);
}

/**
 * Builds the span cube of each run from the run's columns as the worker
 * writes them (add), then writes the cube files (finish).
 */
export class SpanCubeBuilder {
  private readonly runs: RunCube[];
  private readonly candidates: Set<string>;
  private readonly always: Set<string>;
  private readonly refiner: GroupRefiner;
  /** value ids of the column being added (reused) */
  private readonly vid: Int32Array;
  /** the rows with a value of the column being added (reused) */
  private readonly present: Int32Array;

  constructor(
    runRows: readonly number[],
    private readonly job: SpanCubeJob,
  ) {
    this.candidates = new Set(job.candidates);
    this.always = new Set(job.always);
    // every row starts in group 0
    this.runs = runRows.map((rows) => ({ rows, group: new Int32Array(rows), ids: 1, size: Int32Array.of(rows), steps: [], grouped: [], high: [] }));
    this.refiner = new GroupRefiner(Math.max(0, ...runRows));
    this.vid = new Int32Array(Math.max(0, ...runRows));
    this.present = new Int32Array(Math.max(0, ...runRows));
  }

  /** The rows of a column of `rows` with a value; undefined when every row has one. */
  private presentRows(nulls: Uint8Array | undefined, rows: number): Int32Array | undefined {
    if (nulls === undefined) return undefined;
    const n = collectPresentRows(nulls, 0, rows, rows, this.present);
    return n === rows ? undefined : this.present.subarray(0, n);
  }

  /** One column of run `r` (every column may come; only dimensions and the duration are used). */
  add(r: number, column: ParquetColumn): void {
    const run = this.runs[r]!;
    if (column.name === 'duration_nano' && column.kind === 'int64') {
      run.durations = { values: column.values, nulls: column.nulls };
      return;
    }
    if (!this.candidates.has(column.name)) return;
    const present = this.presentRows('nulls' in column ? column.nulls : undefined, run.rows);
    const ids = valueIds(column, run.rows, this.vid.subarray(0, run.rows), present, !this.always.has(column.name));
    // too diverse, or ids rather than values to compare: left out, answered from spans
    if (ids === undefined || ids === 'high') {
      run.high.push(column.name);
      return;
    }
    run.grouped.push({ name: column.name, table: ids.table });
    this.refiner.refine(run, run.grouped.length - 1, ids);
  }

  /**
   * Whether the arrays of the columns of this name are read in finish(): the
   * durations (of the columns grouped by, only their entries are kept).
   */
  keeps(name: string): boolean {
    return name === 'duration_nano';
  }

  /**
   * Writes each run's cube file (not fsynced); returns its grouped and
   * left-out columns, or null for a run without durations (no cube file: the
   * cube store builds one, or fails, as for parts DuckDB writes).
   */
  finish(): (CubeColumns | null)[] {
    return this.runs.map((run, r) => this.finishRun(run, this.job.paths[r]!));
  }

  private finishRun(run: RunCube, path: string): CubeColumns | null {
    if (!run.durations) return null;
    const present = new Set([...run.grouped.map((g) => g.name), ...run.high]);
    // a candidate no column came for: left out (answered from spans), never guessed
    for (const c of this.job.candidates) if (!present.has(c)) run.high.push(c);
    const { values: durations, nulls: durationNulls } = run.durations;
    // the (bucket, range) pair as one more step: one value id gives both columns
    const logDuration = new Float64Array(run.rows);
    const durationIds = durationValueIds(durations, this.presentRows(durationNulls, run.rows), logDuration);
    const bucketColumn = run.grouped.length;
    run.grouped.push({ name: CUBE_DURATION_BUCKET, table: { kind: 'int32', values: Int32Array.from(durationIds.buckets) } });
    run.grouped.push({ name: CUBE_DURATION_RANGE, table: { kind: 'double', values: Float64Array.from(durationIds.ranges) }, sameVidsAs: bucketColumn });
    this.refiner.refine(run, bucketColumn, durationIds);

    // the ids rows ended with, numbered densely: the cube's groups
    const groupOfId = new Int32Array(run.ids).fill(-1);
    const idOfGroup = new Int32Array(run.ids);
    let groups = 0;
    for (let i = 0; i < run.rows; i++) {
      const id = run.group[i]!;
      if (groupOfId[id]! < 0) {
        groupOfId[id] = groups;
        idOfGroup[groups++] = id;
      }
    }
    const counts = new Float64Array(groups);
    const sums = new Float64Array(groups);
    const summed = new Uint8Array(groups);
    for (let i = 0; i < run.rows; i++) {
      const g = groupOfId[run.group[i]!]!;
      counts[g]++;
      if (durationNulls !== undefined && durationNulls[i] !== 0) continue;
      sums[g] += logDuration[i]!;
      summed[g] = 1;
    }
    const { vids, nodeOf } = readBackValueIds(run, idOfGroup.subarray(0, groups));
    const order = groupOrder(run, vids, nodeOf, bucketColumn);
    // the columns before the duration's have a value id per node, the duration's per group
    const nodeOfRow = new Int32Array(groups);
    for (let k = 0; k < groups; k++) nodeOfRow[k] = nodeOf[order[k]!]!;
    const columns: ParquetColumn[] = run.grouped.map((g, c) => {
      const column = g.sameVidsAs ?? c;
      return cubeColumn(g.name, g.table, vids[column]!, column < bucketColumn ? nodeOfRow : order);
    });
    const spanCounts = new BigInt64Array(groups);
    for (let k = 0; k < groups; k++) spanCounts[k] = BigInt(counts[order[k]!]!);
    columns.push({ name: CUBE_SPAN_COUNT, kind: 'int64', values: spanCounts });
    const sumNulls = new Uint8Array(groups);
    for (let k = 0; k < groups; k++) sumNulls[k] = summed[order[k]!] ? 0 : 1;
    columns.push({ name: CUBE_LOG_DURATION_SUM, kind: 'double', values: permuted(sums, order), nulls: sumNulls });
    // the dimension columns in candidate order, then the cube's own (as cube-file.ts's COPY lists them)
    const rank = new Map(this.job.candidates.map((c, i) => [c, i]));
    const dims = columns.slice(0, bucketColumn).sort((a, b) => rank.get(a.name)! - rank.get(b.name)!);
    const high = [...run.high].sort();
    writeParquetFileSync(path, groups, [...dims, ...columns.slice(bucketColumn)], { keyValueMetadata: cubeMetadata(high), ...(this.job.codec ? { codec: this.job.codec } : {}) });
    return { grouped: dims.map((d) => d.name), highCardinality: high };
  }
}

/**
 * Numbers as 64-bit words (lo, hi) → ids 1, 2, … by first appearance: open
 * addressing over typed arrays, no Map entry or boxed key per value.
 */
export class WordPairIds {
  private lo = new Int32Array(1024);
  private hi = new Int32Array(1024);
  /** per slot: its id, 0 = empty */
  private ids = new Int32Array(1024);
  private mask = 1023;
  /** ids made so far */
  size = 0;

  /** The id of (lo, hi), a new one (size + 1) when first seen. */
  idOf(lo: number, hi: number): number {
    let slot = pairSlot(lo, hi) & this.mask;
    for (;;) {
      const id = this.ids[slot]!;
      if (id === 0) break;
      if (this.lo[slot] === lo && this.hi[slot] === hi) return id;
      slot = (slot + 1) & this.mask;
    }
    const id = ++this.size;
    this.lo[slot] = lo;
    this.hi[slot] = hi;
    this.ids[slot] = id;
    if (this.size * 2 > this.mask) this.grow();
    return id;
  }

  private grow(): void {
    const { lo, hi, ids } = this;
    const capacity = (this.mask + 1) * 2;
    this.lo = new Int32Array(capacity);
    this.hi = new Int32Array(capacity);
    this.ids = new Int32Array(capacity);
    this.mask = capacity - 1;
    for (let s = 0; s < ids.length; s++) {
      if (ids[s] === 0) continue;
      let slot = pairSlot(lo[s]!, hi[s]!) & this.mask;
      while (this.ids[slot] !== 0) slot = (slot + 1) & this.mask;
      this.lo[slot] = lo[s]!;
      this.hi[slot] = hi[s]!;
      this.ids[slot] = ids[s]!;
    }
  }
}

/** Scratch words of one double, for its bits. */
const DOUBLE_WORDS = new Float64Array(1);
const DOUBLE_BITS = new Int32Array(DOUBLE_WORDS.buffer);

type NumberColumn = Extract<ParquetColumn, { kind: 'int32' | 'boolean' | 'double' | 'int64' }>;

/** Integer columns with values below 2^12 (kinds, status codes, counts, flags) need no look-up for their value ids. */
const SMALL_VALUE_BITS = 12;

/**
 * An integer column whose values are all in [0, 2^SMALL_VALUE_BITS), on every row
 * (null rows' too: they are not looked at to tell): value id = value + 1,
 * no look-up — one branch-free pass, none at all for an Int32Array. Most
 * number columns are such (kinds, status codes, counts, flags, booleans).
 * Undefined for any other column (numberValueIds then).
 */
function smallIntegerIds(column: NumberColumn, rows: number, vid: Int32Array, present: Int32Array | undefined, sampleEnd: number, probe: boolean): (RowValueIds & { table: ValueTable }) | 'high' | undefined {
  if (column.kind === 'double') return undefined;
  /** bits of any value at or beyond 2^SMALL_VALUE_BITS (a negative one's sign too) */
  let outside = 0;
  let max = 0;
  let ids = vid;
  const n = present === undefined ? rows : present.length;
  if (column.kind === 'int64') {
    const words = new Int32Array(column.values.buffer, column.values.byteOffset, rows * 2);
    // a column of large numbers (ports, process ids) mostly shows one in its first rows: no pass over the rest
    for (let k = 0; k < Math.min(n, 64); k++) {
      const i = present === undefined ? k : present[k]!;
      if (((words[2 * i]! >>> SMALL_VALUE_BITS) | words[2 * i + 1]!) !== 0) return undefined;
    }
    for (let k = 0; k < n; k++) {
      const i = present === undefined ? k : present[k]!;
      const lo = words[2 * i]!;
      outside |= (lo >>> SMALL_VALUE_BITS) | words[2 * i + 1]!;
      vid[i] = lo;
      if (lo > max) max = lo;
    }
  } else if (column.kind === 'boolean') {
    for (let k = 0; k < n; k++) {
      const i = present === undefined ? k : present[k]!;
      vid[i] = column.values[i] === 0 ? 0 : 1;
    }
    max = 1;
  } else if (column.values instanceof Int32Array) {
    const values = column.values;
    for (let k = 0; k < n; k++) {
      const x = values[present === undefined ? k : present[k]!]!;
      outside |= x >>> SMALL_VALUE_BITS;
      if (x > max) max = x;
    }
    ids = values;
  } else {
    const values = column.values;
    for (let k = 0; k < n; k++) {
      const i = present === undefined ? k : present[k]!;
      const x = values[i]!;
      outside |= x >>> SMALL_VALUE_BITS;
      vid[i] = x;
      if (x > max) max = x;
    }
  }
  if (outside !== 0) return undefined;
  if (probe) {
    // distinct values among the sample's rows with a value (cube-file.ts's rule)
    const seen = new Uint8Array(max + 1);
    let distinct = 0;
    let withValue = 0;
    for (let k = 0; k < n; k++) {
      const i = present === undefined ? k : present[k]!;
      if (i >= sampleEnd) break;
      withValue++;
      if (seen[ids[i]!] === 0) {
        seen[ids[i]!] = 1;
        distinct++;
      }
    }
    if (isHighCardinality(distinct, withValue)) return 'high';
  }
  const table: ValueTable =
    column.kind === 'int64'
      ? { kind: 'int64', values: BigInt64Array.from({ length: max + 2 }, (_, v) => BigInt(Math.max(v - 1, 0))) }
      : { kind: column.kind, values: Int32Array.from({ length: max + 2 }, (_, v) => Math.max(v - 1, 0)) };
  return { ids, offset: 1, present, count: max + 2, table };
}

/**
 * A number column's value id per row into `vid` (0 = null), ids by first
 * appearance, equal numbers one id (±0 and every NaN as one, as
 * SameValueZero: 64-bit values compared as two words); 'high' as soon as the
 * sample shows the column high-cardinality (with `probe`). A row with the
 * value of the row before takes its id without a look-up.
 */
function numberValueIds(column: Exclude<NumberColumn, { kind: 'boolean' }>, rows: number, vid: Int32Array, present: Int32Array | undefined, sampleEnd: number, probe: boolean): { count: number; rowOfId: number[] } | 'high' {
  const { kind } = column;
  const ids = new WordPairIds();
  /** per id: its first row */
  const rowOfId: number[] = [-1];
  const words = kind === 'int64' || kind === 'double' ? new Int32Array(column.values.buffer, column.values.byteOffset, column.values.length * 2) : undefined;
  const doubles = kind === 'double' ? column.values : undefined;
  const int32s = kind === 'int32' ? column.values : undefined;
  let lastLo = 0;
  let lastHi = 0;
  let lastV = 0;
  const n = present === undefined ? rows : present.length;
  const sampled = rowsBefore(present, n, sampleEnd);
  for (let phase = 0, k = 0, end = sampled; phase < 2; phase++, end = n) {
    for (; k < end; k++) {
      // rows without a value are not read: their ids are not either
      const i = present === undefined ? k : present[k]!;
      let lo: number;
      let hi: number;
      if (int32s !== undefined) {
        lo = int32s[i]! | 0;
        hi = 0;
      } else if (doubles !== undefined && (doubles[i] === 0 || doubles[i] !== doubles[i])) {
        DOUBLE_WORDS[0] = doubles[i] === 0 ? 0 : NaN;
        lo = DOUBLE_BITS[0]!;
        hi = DOUBLE_BITS[1]!;
      } else {
        lo = words![2 * i]!;
        hi = words![2 * i + 1]!;
      }
      if (lastV === 0 || lo !== lastLo || hi !== lastHi) {
        lastV = ids.idOf(lo, hi);
        if (lastV === rowOfId.length) rowOfId.push(i);
        lastLo = lo;
        lastHi = hi;
      }
      vid[i] = lastV;
    }
    if (phase === 0 && probe && isHighCardinality(ids.size, sampled)) return 'high';
  }
  return { count: rowOfId.length, rowOfId };
}

function canonicalNaN(x: number): number {
  return x === x ? x : NaN;
}

/** Of the first `n` rows with a value (`present`; undefined: every row), how many are below row `end`. */
function rowsBefore(present: Int32Array | undefined, n: number, end: number): number {
  if (present === undefined) return Math.min(n, end);
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (present[mid]! < end) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Per row a value id (0 = null, then 1, 2, …) and the table turning ids back
 * into values; undefined for id-like kinds. With `probe`, 'high' as soon as
 * the first CUBE_SAMPLE_ROWS rows show the column high-cardinality
 * (cube-file.ts's rule, distinct values counted exactly): the rest is not
 * read. Strings whose entries are distinct need no pass of their own: a
 * row's entry is its value (id = entry + 1). Numbers: a row with the value of
 * the row before takes its id without a look-up (rows come by trace: a
 * trace's spans share most values).
 */
function valueIds(column: ParquetColumn, rows: number, vid: Int32Array, present: Int32Array | undefined, probe: boolean): (RowValueIds & { table: ValueTable }) | 'high' | undefined {
  const sampleEnd = Math.min(rows, CUBE_SAMPLE_ROWS);
  const n = present === undefined ? rows : present.length;
  /** the rows with a value in the sample: the first `sampled` of them */
  const sampled = rowsBefore(present, n, sampleEnd);
  /** after the sample (phase 0): is the column high-cardinality? */
  const high = (phase: number, distinct: number): boolean => phase === 0 && probe && isHighCardinality(distinct, sampled);
  switch (column.kind) {
    case 'string-entries': {
      const entries = column.entryStarts.length - 1;
      if (column.distinctEntries === true) {
        if (probe) {
          const seen = new Uint8Array(entries);
          let distinct = 0;
          for (let k = 0; k < sampled; k++) {
            const e = column.indices[present === undefined ? k : present[k]!]!;
            if (seen[e] === 0) {
              seen[e] = 1;
              distinct++;
            }
          }
          if (high(0, distinct)) return 'high';
        }
        const entryOfVid = new Int32Array(entries + 1);
        for (let v = 1; v <= entries; v++) entryOfVid[v] = v - 1;
        const table: ValueTable = { kind: 'string-entries', entries: column.entries, entryStarts: column.entryStarts, distinctEntries: true, entryOfVid };
        // entry indices are below 2^31: read as Int32Array, as every column's ids are (one kind of array in the refinement's loops)
        const ids = new Int32Array(column.indices.buffer, column.indices.byteOffset, column.indices.length);
        return { ids, offset: 1, present, count: entries + 1, table };
      }
      const vidOfEntry = new Int32Array(entries);
      const entryOfVid: number[] = [0];
      // entries of equal bytes must share an id: merged by their text, the caller did not
      const byText = new Map<string, number>();
      const text = Buffer.from(column.entries.buffer, column.entries.byteOffset, column.entries.byteLength);
      for (let phase = 0, k = 0, end = sampled; phase < 2; phase++, end = n) {
        for (; k < end; k++) {
          const i = present === undefined ? k : present[k]!;
          const e = column.indices[i]!;
          let v = vidOfEntry[e]!;
          if (v === 0) {
            const key = text.toString('latin1', column.entryStarts[e]! + 4, column.entryStarts[e + 1]!);
            v = byText.get(key) ?? 0;
            if (v === 0) byText.set(key, (v = entryOfVid.push(e) - 1));
            vidOfEntry[e] = v;
          }
          vid[i] = v;
        }
        if (high(phase, entryOfVid.length - 1)) return 'high';
      }
      return {
        ids: vid,
        offset: 0,
        present,
        count: entryOfVid.length,
        table: { kind: 'string-entries', entries: column.entries, entryStarts: column.entryStarts, distinctEntries: false, entryOfVid: Int32Array.from(entryOfVid) },
      };
    }
    case 'int32':
    case 'boolean':
    case 'double':
    case 'int64': {
      const small = smallIntegerIds(column, rows, vid, present, sampleEnd, probe);
      // booleans are always small integers
      if (small !== undefined || column.kind === 'boolean') return small;
      const counted = numberValueIds(column, rows, vid, present, sampleEnd, probe);
      if (counted === 'high') return 'high';
      const { count, rowOfId } = counted;
      const kind = column.kind;
      if (kind === 'int64') {
        const values = new BigInt64Array(count);
        for (let v = 1; v < count; v++) values[v] = column.values[rowOfId[v]!]!;
        return { ids: vid, offset: 0, present, count, table: { kind, values } };
      }
      const values = kind === 'double' ? new Float64Array(count) : new Int32Array(count);
      // NaN as a JS array of numbers held it (and wrote it): the one canonical NaN
      for (let v = 1; v < count; v++) values[v] = canonicalNaN(column.values[rowOfId[v]!]!);
      return { ids: vid, offset: 0, present, count, table: kind === 'double' ? { kind, values: values as Float64Array } : { kind, values: values as Int32Array } };
    }
    default:
      return undefined;
  }
}

/**
 * Each cube group's value id in every grouped column, read back through the
 * steps from the last. The last step (the duration's) splits the most: the
 * groups had ~a third as many ids before it (docs/storage.md, session 14), so
 * the steps before it are read back once per such id — a node — and a
 * group's value ids there are its node's. `vids[c]`: per node, or per group
 * for the last step's column.
 */
function readBackValueIds(run: RunCube, idOfGroup: Int32Array): { vids: Int32Array[]; nodeOf: Int32Array } {
  const groups = idOfGroup.length;
  const vids: Int32Array[] = run.grouped.map(() => NO_IDS);
  /** per id: its value id in the step being read back, if the step kept it (else 0: null) */
  const keptVidOf = new Int32Array(run.ids);
  const last = run.steps.length - 1;
  const at = Int32Array.from(idOfGroup);
  vids[run.steps[last]!.column] = readBackStep(run.steps[last]!, at, keptVidOf);
  // the nodes: the ids groups had before the last step, each once
  const nodeOfId = new Int32Array(run.ids).fill(-1);
  const nodeOf = new Int32Array(groups);
  const idOfNode = new Int32Array(groups);
  let nodes = 0;
  for (let g = 0; g < groups; g++) {
    const id = at[g]!;
    if (nodeOfId[id]! < 0) {
      nodeOfId[id] = nodes;
      idOfNode[nodes++] = id;
    }
    nodeOf[g] = nodeOfId[id]!;
  }
  const nodeAt = idOfNode.subarray(0, nodes);
  for (let s = last - 1; s >= 0; s--) vids[run.steps[s]!.column] = readBackStep(run.steps[s]!, nodeAt, keptVidOf);
  return { vids, nodeOf };
}

/** The value id of each of `at` (ids after the step) in the step's column; `at` moves to the ids before it. */
function readBackStep(step: Step, at: Int32Array, keptVidOf: Int32Array): Int32Array {
  const out = new Int32Array(at.length);
  const { first, parent, vid, kept, keptVid, everyGroup } = step;
  if (everyGroup !== 0) return out.fill(everyGroup);
  // the loops are functions of their own: with them inline, V8 replaced one on
  // the stack before what follows it had type feedback, and that code
  // deoptimised on every step (~70 times a flush: docs/storage.md, session 15)
  setKeptVids(keptVidOf, kept, keptVid);
  readBackIds(at, first, parent, vid, keptVidOf, out);
  setKeptVids(keptVidOf, kept, undefined);
  return out;
}

/** keptVidOf[kept[k]] = keptVid[k], or 0 without keptVid. */
function setKeptVids(keptVidOf: Int32Array, kept: Int32Array, keptVid: Int32Array | undefined): void {
  for (let k = 0; k < kept.length; k++) keptVidOf[kept[k]!] = keptVid === undefined ? 0 : keptVid[k]!;
}

/** Each of `at` (ids after a step): its value id in the step's column into `out`, and `at` moved to the id before the step. */
function readBackIds(at: Int32Array, first: number, parent: Int32Array, vid: Int32Array, keptVidOf: Int32Array, out: Int32Array): void {
  for (let g = 0; g < at.length; g++) {
    const k = at[g]! - first;
    if (k < 0) out[g] = keptVidOf[at[g]!]!;
    else {
      out[g] = vid[k]!;
      at[g] = parent[k]!;
    }
  }
}

/**
 * Groups by service name, then span name (the cube's ORDER BY), as their
 * UTF-8 bytes compare, then by group: two stable counting sorts by the
 * values' ranks. Value ids of columns before `lastColumn` are per node.
 */
function groupOrder(run: RunCube, vids: readonly Int32Array[], nodeOf: Int32Array, lastColumn: number): Uint32Array {
  const groups = nodeOf.length;
  let order: Uint32Array = Uint32Array.from({ length: groups }, (_, g) => g);
  // the last key first: each sort keeps the order of the one before among equal keys
  for (const name of ['name', 'service_name']) {
    const c = run.grouped.findIndex((g) => g.name === name);
    if (c < 0) continue;
    const table = run.grouped[c]!.table;
    if (table.kind !== 'string-entries') continue;
    const rankOfVid = valueRanks(table);
    const rank = new Int32Array(groups);
    const vid = vids[c]!;
    for (let g = 0; g < groups; g++) rank[g] = rankOfVid[vid[c < lastColumn ? nodeOf[g]! : g]!]!;
    order = sortedByRank(order, rank, rankOfVid.length);
  }
  return order;
}

/** Each value id's rank among a string column's values (few: services, span names) by their bytes; null (value id 0) last, as DuckDB's ORDER BY puts it. */
function valueRanks(table: Extract<ValueTable, { kind: 'string-entries' }>): Int32Array {
  const all = Buffer.from(table.entries.buffer, table.entries.byteOffset, table.entries.byteLength);
  const byText = Array.from(table.entryOfVid, (e, v) => ({ v, text: all.subarray(table.entryStarts[e]! + 4, table.entryStarts[e + 1]!) }));
  byText.sort((x, y) => (x.v === 0 ? 1 : y.v === 0 ? -1 : Buffer.compare(x.text, y.text)));
  const rankOfVid = new Int32Array(byText.length);
  byText.forEach(({ v }, rank) => (rankOfVid[v] = rank));
  return rankOfVid;
}

/** `order` stably sorted by rank[order[k]] (ranks below `ranks`). */
function sortedByRank(order: Uint32Array, rank: Int32Array, ranks: number): Uint32Array {
  const starts = new Int32Array(ranks + 1);
  for (let k = 0; k < order.length; k++) starts[rank[order[k]!]! + 1]++;
  for (let r = 0; r < ranks; r++) starts[r + 1] += starts[r]!;
  const out = new Uint32Array(order.length);
  for (let k = 0; k < order.length; k++) out[starts[rank[order[k]!]!]!++] = order[k]!;
  return out;
}

function permuted(values: Float64Array, order: Uint32Array): Float64Array {
  const out = new Float64Array(order.length);
  for (let k = 0; k < order.length; k++) out[k] = values[order[k]!]!;
  return out;
}

/**
 * A cube column: each cube row's value of `name`, null where its value id
 * is 0; cube row k's value id is vids[index[k]]. No loop here, only the
 * dispatch on the table's kind: V8 (Node 20) keeps on-stack-replaced code of
 * a loop after it deoptimises, so a loop followed by a branch the first
 * columns never took deoptimised on every column (141 times a flush:
 * docs/storage.md, session 11).
 */
function cubeColumn(name: string, table: ValueTable, vids: Int32Array, index: Int32Array | Uint32Array): ParquetColumn {
  const n = index.length;
  const nulls = new Uint8Array(n);
  /** with the nulls, if any */
  const withNulls = (anyNull: boolean): { nulls?: Uint8Array } => (anyNull ? { nulls } : {});
  switch (table.kind) {
    case 'string-entries': {
      const indices = new Uint32Array(n);
      // entries are below 2^31: written as Int32Array, as 32-bit values are
      const anyNull = int32sByValueId(new Int32Array(indices.buffer), nulls, table.entryOfVid, vids, index);
      return { name, kind: 'string-entries', entries: table.entries, entryStarts: table.entryStarts, indices, distinctEntries: table.distinctEntries, ...withNulls(anyNull) };
    }
    case 'int64': {
      const values = new BigInt64Array(n);
      const anyNull = wordPairsByValueId(asWords(values), nulls, asWords(table.values), vids, index);
      return { name, kind: 'int64', values, ...withNulls(anyNull) };
    }
    case 'double': {
      const values = new Float64Array(n);
      const anyNull = wordPairsByValueId(asWords(values), nulls, asWords(table.values), vids, index);
      return { name, kind: 'double', values, ...withNulls(anyNull) };
    }
    case 'int32': {
      const values = new Int32Array(n);
      const anyNull = int32sByValueId(values, nulls, table.values, vids, index);
      return { name, kind: 'int32', values, ...withNulls(anyNull) };
    }
    case 'boolean': {
      // 0 or 1: the same loop as int32's
      const values = new Int32Array(n);
      const anyNull = int32sByValueId(values, nulls, table.values, vids, index);
      return { name, kind: 'boolean', values: Uint8Array.from(values), ...withNulls(anyNull) };
    }
  }
}

function asWords(values: BigInt64Array | Float64Array): Int32Array {
  return new Int32Array(values.buffer, values.byteOffset, values.length * 2);
}

/**
 * out[k] = the value (or entry) of cube row k by its value id vids[index[k]],
 * and the null mask of the rows whose id is 0; whether any is null.
 */
function int32sByValueId(out: Int32Array, nulls: Uint8Array, values: Int32Array, vids: Int32Array, index: Int32Array | Uint32Array): boolean {
  let nullCount = 0;
  for (let k = 0; k < out.length; k++) {
    const v = vids[index[k]!]!;
    const isNull = v === 0 ? 1 : 0;
    nulls[k] = isNull;
    nullCount += isNull;
    out[k] = values[v]!;
  }
  return nullCount > 0;
}

/** int32sByValueId() for values of two 32-bit words (int64, double): copied as words, no BigInt made per value. */
function wordPairsByValueId(out: Int32Array, nulls: Uint8Array, words: Int32Array, vids: Int32Array, index: Int32Array | Uint32Array): boolean {
  let nullCount = 0;
  for (let k = 0; k < nulls.length; k++) {
    const v = vids[index[k]!]!;
    const isNull = v === 0 ? 1 : 0;
    nulls[k] = isNull;
    nullCount += isNull;
    out[2 * k] = words[2 * v]!;
    out[2 * k + 1] = words[2 * v + 1]!;
  }
  return nullCount > 0;
}

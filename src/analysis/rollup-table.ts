// Rollups in memory: one row per (time bucket, key) with span count, error
// count, sum and max of durations and an encoded DDSketch of durations, held
// column by column (typed arrays, sketches packed back to back in one byte
// arena) so a query over a day of rows touches no object per row.
//
// Keys come from one RollupKeys dictionary shared by every table of a store:
// an operation key is (service, span name, kind, status code), as stored in
// rollup files; coarser keys (without status, service only) are derived from
// it when rows are re-aggregated.

import { ByteWriter, DDSketch } from './sketch.js';

/** What a key identifies; coarser levels drop fields (name '' and kind/status −1 when dropped). */
export type KeyLevel = 'status' | 'operation' | 'service';

export class RollupKeys {
  readonly service: string[] = [];
  readonly name: string[] = [];
  readonly kind: number[] = [];
  readonly status: number[] = [];
  readonly level: KeyLevel[] = [];
  /** per key: the key of its (service, name, kind) */
  readonly operationKey: number[] = [];
  /** per key: the key of its service */
  readonly serviceKey: number[] = [];
  private readonly ids = new Map<string, number>();

  get size(): number {
    return this.service.length;
  }

  /** Key of rows of one (service, span name, kind, status code). */
  statusKey(service: string, name: string, kind: number, status: number): number {
    return this.intern('status', service, name, kind, status);
  }

  operation(service: string, name: string, kind: number): number {
    return this.intern('operation', service, name, kind, -1);
  }

  serviceOnly(service: string): number {
    return this.intern('service', service, '', -1, -1);
  }

  private intern(level: KeyLevel, service: string, name: string, kind: number, status: number): number {
    const text = `${level}\u0000${service}\u0000${name}\u0000${kind}\u0000${status}`;
    const found = this.ids.get(text);
    if (found !== undefined) return found;
    const id = this.service.length;
    this.ids.set(text, id);
    this.service.push(service);
    this.name.push(name);
    this.kind.push(kind);
    this.status.push(status);
    this.level.push(level);
    // coarser keys are interned after pushing this one, so ids stay dense
    this.operationKey.push(id);
    this.serviceKey.push(id);
    if (level === 'status') this.operationKey[id] = this.operation(service, name, kind);
    if (level !== 'service') this.serviceKey[id] = this.serviceOnly(service);
    return id;
  }
}

export interface RollupTable {
  length: number;
  /** width of a row's time bucket in minutes: 1, 60 or 1440 */
  grainMinutes: number;
  /** unix minute where each row's bucket starts; ascending */
  minute: Int32Array;
  key: Uint32Array;
  count: Float64Array;
  errors: Float64Array;
  sumNs: Float64Array;
  maxNs: Float64Array;
  /** row i's sketch is sketchBytes[sketchStart[i], sketchStart[i + 1]) */
  sketchStart: Uint32Array;
  sketchBytes: Uint8Array;
}

/** Rows in minute order (appended so, or sorted by finish()). */
export class RollupTableBuilder {
  private n = 0;
  private minute = new Int32Array(64);
  private key = new Uint32Array(64);
  private count = new Float64Array(64);
  private errors = new Float64Array(64);
  private sumNs = new Float64Array(64);
  private maxNs = new Float64Array(64);
  private sketchStart = new Uint32Array(65);
  private readonly arena = new ByteWriter(4096);
  private sorted = true;

  constructor(readonly grainMinutes: number) {}

  get length(): number {
    return this.n;
  }

  private grow(): void {
    const size = this.minute.length * 2;
    const widen = <T extends Int32Array | Uint32Array | Float64Array>(a: T, make: (n: number) => T, extra = 0): T => {
      const b = make(size + extra);
      b.set(a);
      return b;
    };
    this.minute = widen(this.minute, (k) => new Int32Array(k));
    this.key = widen(this.key, (k) => new Uint32Array(k));
    this.count = widen(this.count, (k) => new Float64Array(k));
    this.errors = widen(this.errors, (k) => new Float64Array(k));
    this.sumNs = widen(this.sumNs, (k) => new Float64Array(k));
    this.maxNs = widen(this.maxNs, (k) => new Float64Array(k));
    this.sketchStart = widen(this.sketchStart, (k) => new Uint32Array(k), 1);
  }

  private row(minute: number, key: number, count: number, errors: number, sumNs: number, maxNs: number): void {
    if (this.n === this.minute.length) this.grow();
    const i = this.n;
    if (i > 0 && minute < this.minute[i - 1]!) this.sorted = false;
    this.minute[i] = minute;
    this.key[i] = key;
    this.count[i] = count;
    this.errors[i] = errors;
    this.sumNs[i] = sumNs;
    this.maxNs[i] = maxNs;
  }

  private endRow(): void {
    this.n++;
    this.sketchStart[this.n] = this.arena.pos;
  }

  /** A row whose sketch is `sketch`. */
  add(minute: number, key: number, count: number, errors: number, sumNs: number, maxNs: number, sketch: DDSketch): void {
    this.row(minute, key, count, errors, sumNs, maxNs);
    sketch.encodeInto(this.arena);
    this.endRow();
  }

  /** A row whose sketch is already encoded in bytes[start, end). */
  addEncoded(minute: number, key: number, count: number, errors: number, sumNs: number, maxNs: number, bytes: Uint8Array, start: number, end: number): void {
    this.row(minute, key, count, errors, sumNs, maxNs);
    this.arena.ensure(end - start);
    this.arena.buf.set(bytes.subarray(start, end), this.arena.pos);
    this.arena.pos += end - start;
    this.endRow();
  }

  finish(): RollupTable {
    const n = this.n;
    const table: RollupTable = {
      length: n,
      grainMinutes: this.grainMinutes,
      minute: this.minute.slice(0, n),
      key: this.key.slice(0, n),
      count: this.count.slice(0, n),
      errors: this.errors.slice(0, n),
      sumNs: this.sumNs.slice(0, n),
      maxNs: this.maxNs.slice(0, n),
      sketchStart: this.sketchStart.slice(0, n + 1),
      sketchBytes: this.arena.bytes(),
    };
    return this.sorted ? table : sortByMinute(table);
  }
}

function sortByMinute(t: RollupTable): RollupTable {
  const order = Array.from({ length: t.length }, (_, i) => i).sort((a, b) => t.minute[a]! - t.minute[b]! || t.key[a]! - t.key[b]!);
  const b = new RollupTableBuilder(t.grainMinutes);
  for (const i of order) copyRow(b, t, i);
  return b.finish();
}

function copyRow(b: RollupTableBuilder, t: RollupTable, i: number): void {
  b.addEncoded(t.minute[i]!, t.key[i]!, t.count[i]!, t.errors[i]!, t.sumNs[i]!, t.maxNs[i]!, t.sketchBytes, t.sketchStart[i]!, t.sketchStart[i + 1]!);
}

/** First row with minute ≥ `minute` (binary search). */
export function lowerBound(t: RollupTable, minute: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t.minute[mid]! < minute) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface AggregateOptions {
  grainMinutes: number;
  /** new key of each old key; −1 drops the row. Default: the same key. */
  mapKey?: (key: number) => number;
  /** keep only rows with fromMinute ≤ minute < toMinute */
  fromMinute?: number;
  toMinute?: number;
}

const KEY_LIMIT = 2 ** 26;

/**
 * Re-aggregates rows of several tables into one: buckets widened to
 * `grainMinutes` (a multiple of every input's grain), keys mapped, rows of
 * the same (bucket, key) merged — counts and sums added, maxima kept,
 * sketches merged. A group of one row keeps its encoded sketch as it is.
 */
export function aggregateTables(tables: readonly RollupTable[], options: AggregateOptions): RollupTable {
  const grain = options.grainMinutes;
  const mapKey = options.mapKey ?? ((k: number) => k);
  const from = options.fromMinute ?? -(2 ** 31);
  const to = options.toMinute ?? 2 ** 31;
  for (const t of tables) {
    if (grain % t.grainMinutes !== 0) throw new Error(`rollup: cannot aggregate ${t.grainMinutes}-minute rows into ${grain}-minute rows`);
  }
  const cursors = tables.map((t) => lowerBound(t, from));
  const out = new RollupTableBuilder(grain);
  const scratch = new DDSketch();
  // rows of one bucket: (mapped key × 2^26 + local index) sorts them by key natively
  let order = new Float64Array(1024);
  let refTable = new Uint32Array(1024);
  let refRow = new Uint32Array(1024);
  for (;;) {
    let bucket = Infinity;
    tables.forEach((t, ti) => {
      const i = cursors[ti]!;
      if (i < t.length && t.minute[i]! < to) bucket = Math.min(bucket, floorTo(t.minute[i]!, grain));
    });
    if (bucket === Infinity) break;
    const bucketEnd = Math.min(bucket + grain, to);
    let n = 0;
    tables.forEach((t, ti) => {
      let i = cursors[ti]!;
      for (; i < t.length && t.minute[i]! < bucketEnd; i++) {
        const k = mapKey(t.key[i]!);
        if (k < 0) continue;
        if (k >= KEY_LIMIT) throw new Error(`rollup: key ${k} beyond ${KEY_LIMIT}`);
        if (n === order.length) {
          order = growF64(order);
          refTable = growU32(refTable);
          refRow = growU32(refRow);
        }
        order[n] = k * KEY_LIMIT + n;
        refTable[n] = ti;
        refRow[n] = i;
        n++;
      }
      cursors[ti] = i;
    });
    const sorted = order.subarray(0, n).sort();
    for (let a = 0; a < n; ) {
      const key = Math.floor(sorted[a]! / KEY_LIMIT);
      let b = a + 1;
      while (b < n && Math.floor(sorted[b]! / KEY_LIMIT) === key) b++;
      const first = sorted[a]! % KEY_LIMIT;
      if (b - a === 1) {
        const t = tables[refTable[first]!]!;
        const i = refRow[first]!;
        out.addEncoded(bucket, key, t.count[i]!, t.errors[i]!, t.sumNs[i]!, t.maxNs[i]!, t.sketchBytes, t.sketchStart[i]!, t.sketchStart[i + 1]!);
      } else {
        scratch.clear();
        let count = 0;
        let errors = 0;
        let sumNs = 0;
        let maxNs = -Infinity;
        for (let j = a; j < b; j++) {
          const local = sorted[j]! % KEY_LIMIT;
          const t = tables[refTable[local]!]!;
          const i = refRow[local]!;
          count += t.count[i]!;
          errors += t.errors[i]!;
          sumNs += t.sumNs[i]!;
          if (t.maxNs[i]! > maxNs) maxNs = t.maxNs[i]!;
          scratch.mergeEncoded(t.sketchBytes, t.sketchStart[i]!, t.sketchStart[i + 1]!);
        }
        out.add(bucket, key, count, errors, sumNs, maxNs, scratch);
      }
      a = b;
    }
  }
  return out.finish();
}

/** Start of the `grain`-minute bucket holding `minute` (buckets aligned to the epoch). */
export function floorTo(minute: number, grain: number): number {
  return Math.floor(minute / grain) * grain;
}

function growF64(a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}

function growU32(a: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(a.length * 2);
  b.set(a);
  return b;
}

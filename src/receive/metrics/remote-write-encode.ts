// remote_write request encoders, for tests and the load generator: 1.0
// WriteRequest and 2.0 Request (with its symbol table), uncompressed; pass the
// result to snappyCompress for the wire. Field tables are in
// remote-write-decode.ts and remote-write-v2-decode.ts. Labels are written in
// the order given (senders sort them; tests may not).

import { ProtoWriter } from '../protobuf-writer.js';

export interface RemoteWriteSample {
  value: number;
  timestampMs: number;
}

export interface RemoteWriteExemplar {
  labels: readonly (readonly [string, string])[];
  value: number;
  timestampMs: number;
}

/** A native histogram reduced to the fields tests need (integer count, sum, schema). */
export interface RemoteWriteHistogram {
  count: number;
  sum: number;
  schema: number;
  timestampMs: number;
}

export interface RemoteWriteSeries {
  labels: readonly (readonly [string, string])[];
  samples: readonly RemoteWriteSample[];
  exemplars?: readonly RemoteWriteExemplar[];
  histograms?: readonly RemoteWriteHistogram[];
  /** 2.0 only: per-series metadata. */
  metadata?: { type: string; help: string; unit: string };
  /** 2.0 only. */
  createdTimestampMs?: number;
}

export interface RemoteWriteMetadata {
  metric: string;
  type: string;
  help: string;
  unit: string;
}

const TYPE_NUMBERS: Record<string, number> = {
  unknown: 0,
  counter: 1,
  gauge: 2,
  histogram: 3,
  gaugehistogram: 4,
  summary: 5,
  info: 6,
  stateset: 7,
};

const scratch = new Float64Array(1);
const scratchHalves = new Uint32Array(scratch.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A double written through its halves, so a NaN payload is kept as given. */
function writeDouble(w: ProtoWriter, value: number): void {
  scratch[0] = value;
  const lo = scratchHalves[LITTLE_ENDIAN ? 0 : 1]!;
  const hi = scratchHalves[LITTLE_ENDIAN ? 1 : 0]!;
  w.fixed64(lo, hi);
}

/** A double from explicit IEEE-754 halves (e.g. the staleness marker). */
export function doubleFromBits(lo: number, hi: number): number {
  scratchHalves[LITTLE_ENDIAN ? 0 : 1] = lo;
  scratchHalves[LITTLE_ENDIAN ? 1 : 0] = hi;
  return scratch[0]!;
}

// Sample: 1 value (double), 2 timestamp (int64)
function writeSample(w: ProtoWriter, tag: number, s: RemoteWriteSample): void {
  w.tag(tag);
  const body = w.begin(1);
  w.tag(9);
  writeDouble(w, s.value);
  w.tag(16);
  w.int64Number(s.timestampMs);
  w.finish(body, 1);
}

/** Encodes a remote_write 1.0 WriteRequest. */
export function encodeWriteRequestV1(series: readonly RemoteWriteSeries[], metadata: readonly RemoteWriteMetadata[] = []): Buffer {
  const w = new ProtoWriter();
  for (const ts of series) {
    w.tag(10); // 1 timeseries
    const body = w.begin(3);
    for (const [name, value] of ts.labels) {
      w.tag(10);
      const label = w.begin(1);
      w.tag(10);
      w.string(name);
      w.tag(18);
      w.string(value);
      w.finish(label, 1);
    }
    for (const s of ts.samples) writeSample(w, 18, s);
    for (const e of ts.exemplars ?? []) {
      w.tag(26);
      const ex = w.begin(1);
      for (const [name, value] of e.labels) {
        w.tag(10);
        const label = w.begin(1);
        w.tag(10);
        w.string(name);
        w.tag(18);
        w.string(value);
        w.finish(label, 1);
      }
      w.tag(17);
      writeDouble(w, e.value);
      w.tag(24);
      w.int64Number(e.timestampMs);
      w.finish(ex, 1);
    }
    for (const h of ts.histograms ?? []) writeHistogram(w, 34, h);
    w.finish(body, 3);
  }
  for (const m of metadata) {
    w.tag(26); // 3 metadata
    const body = w.begin(1);
    w.tag(8);
    w.uint32(TYPE_NUMBERS[m.type] ?? 0);
    w.tag(18);
    w.string(m.metric);
    w.tag(34);
    w.string(m.help);
    w.tag(42);
    w.string(m.unit);
    w.finish(body, 1);
  }
  return w.toBytes();
}

// Histogram: 1 count_int (uint64), 3 sum (double), 4 schema (sint32), 15 timestamp (int64)
function writeHistogram(w: ProtoWriter, tag: number, h: RemoteWriteHistogram): void {
  w.tag(tag);
  const body = w.begin(1);
  w.tag(8);
  w.int64Number(h.count);
  w.tag(25);
  writeDouble(w, h.sum);
  w.tag(32);
  w.uint32((h.schema << 1) ^ (h.schema >> 31));
  w.tag(120);
  w.int64Number(h.timestampMs);
  w.finish(body, 1);
}

/** Interns strings into the 2.0 symbol table, which starts with "" as the spec requires. */
class SymbolTable {
  readonly symbols: string[] = [''];
  private readonly index = new Map<string, number>([['', 0]]);

  ref(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.symbols.length;
      this.symbols.push(s);
      this.index.set(s, i);
    }
    return i;
  }
}

/** Encodes a remote_write 2.0 Request; symbols are written first, as senders do. */
export function encodeWriteRequestV2(series: readonly RemoteWriteSeries[]): Buffer {
  const table = new SymbolTable();
  const w = new ProtoWriter();
  for (const ts of series) {
    w.tag(42); // 5 timeseries
    const body = w.begin(3);
    if (ts.labels.length > 0) {
      w.tag(10); // 1 labels_refs, packed
      const refs = w.begin(1);
      for (const [name, value] of ts.labels) {
        w.uint32(table.ref(name));
        w.uint32(table.ref(value));
      }
      w.finish(refs, 1);
    }
    for (const s of ts.samples) writeSample(w, 18, s);
    for (const h of ts.histograms ?? []) writeHistogram(w, 26, h);
    for (const e of ts.exemplars ?? []) {
      w.tag(34);
      const ex = w.begin(1);
      if (e.labels.length > 0) {
        w.tag(10);
        const refs = w.begin(1);
        for (const [name, value] of e.labels) {
          w.uint32(table.ref(name));
          w.uint32(table.ref(value));
        }
        w.finish(refs, 1);
      }
      w.tag(17);
      writeDouble(w, e.value);
      w.tag(24);
      w.int64Number(e.timestampMs);
      w.finish(ex, 1);
    }
    if (ts.metadata !== undefined) {
      w.tag(42);
      const md = w.begin(1);
      w.tag(8);
      w.uint32(TYPE_NUMBERS[ts.metadata.type] ?? 0);
      w.tag(24);
      w.uint32(table.ref(ts.metadata.help));
      w.tag(32);
      w.uint32(table.ref(ts.metadata.unit));
      w.finish(md, 1);
    }
    if (ts.createdTimestampMs !== undefined) {
      w.tag(48);
      w.int64Number(ts.createdTimestampMs);
    }
    w.finish(body, 3);
  }
  const timeseriesBytes = w.toBytes();
  const out = new ProtoWriter(timeseriesBytes.length + 64);
  for (const s of table.symbols) {
    out.tag(34); // 4 symbols
    out.string(s);
  }
  out.ensure(timeseriesBytes.length);
  out.buf.set(timeseriesBytes, out.pos);
  out.pos += timeseriesBytes.length;
  return out.toBytes();
}

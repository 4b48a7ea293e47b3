// The binary block index, version 2 (docs/format/metric-block.md "index"):
// a symbol table of every label name and value, series entries referring to
// symbols, a fixed-width table of series entry offsets (random access), and
// postings (label name → value → ascending series ids). The reader decodes
// the symbols and the postings table on open and each series on first use.
//
//   section   fields
//   header    "MQIX" u8 version=2, 3 zero bytes
//   symbols   varint count, per symbol: varint byte length, UTF-8 bytes
//   series    per series: varint nLabels, (varint nameSym, varint valueSym)…,
//             varint first chunk offset, varint nChunks, per chunk: varint
//             length, zvarint minT − previous maxT (first: block minT), varint
//             maxT − minT, varint samples; zvarint lastT − last maxT; f64 lastV
//   offsets   u32 per series: its entry's file offset
//   postings  varint nNames, per name: varint nameSym, varint nValues, per
//             value: varint valueSym, varint nIds, varint id deltas
//   metadata  varint byte length, JSON array of metric metadata
//   footer    u32 series, u32 symbols/offsets/postings/metadata offsets,
//             f64 minT, f64 maxT, u32 crc32 of every byte before it

import { DecodeError } from '../model/errors.js';
import type { MetricMetadata } from '../model/sample-batch.js';
import { crc32 } from '../wal/crc32.js';
import { ByteCursor, writeVarint, zigzag } from './chunks/varint.js';
import type { LabelMatcher } from './promql/ast.js';
import { selectSeries, type Labels, type PostingsSource } from './series-index.js';

/** [offset in the chunks file, byte length, minT, maxT, sample count] */
export type ChunkRef = [offset: number, length: number, minT: number, maxT: number, count: number];

export interface IndexSeries {
  labels: Labels;
  chunks: ChunkRef[];
  lastT: number;
  lastV: number;
}

/** What a block's reader needs from its index, whichever version is on disk. */
export interface BlockIndex extends PostingsSource {
  readonly minT: number;
  readonly maxT: number;
  readonly metadata: readonly MetricMetadata[];
  chunkRefs(id: number): ChunkRef[];
  lastSample(id: number): { t: number; v: number };
  select(matchers: readonly LabelMatcher[]): number[];
  labelNames(): string[];
  labelValues(name: string): string[];
}

const MAGIC = [0x4d, 0x51, 0x49, 0x58]; // "MQIX"
export const BLOCK_INDEX_VERSION = 2;
const HEADER_BYTES = 8;
const FOOTER_BYTES = 5 * 4 + 2 * 8 + 4;

function indexError(detail: string): DecodeError {
  return new DecodeError(`block index: ${detail}`);
}

/** A growable byte buffer with varint writes. */
class ByteSink {
  buf = new Uint8Array(1 << 16);
  pos = 0;

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  varint(u: number): void {
    this.room(8);
    this.pos = writeVarint(this.buf, this.pos, u);
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  u32(u: number): void {
    this.room(4);
    new DataView(this.buf.buffer).setUint32(this.pos, u, true);
    this.pos += 4;
  }

  f64(v: number): void {
    this.room(8);
    new DataView(this.buf.buffer).setFloat64(this.pos, v, true);
    this.pos += 8;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeBlockIndex(series: readonly IndexSeries[], minT: number, maxT: number, metadata: readonly MetricMetadata[]): Uint8Array {
  const symbolSet = new Set<string>();
  for (const s of series) for (const l of s.labels) symbolSet.add(l.name).add(l.value);
  const symbols = [...symbolSet].sort();
  const symbolId = new Map(symbols.map((s, i) => [s, i]));
  const out = new ByteSink();
  out.bytes(Uint8Array.from([...MAGIC, BLOCK_INDEX_VERSION, 0, 0, 0]));

  const symbolsOff = out.pos;
  out.varint(symbols.length);
  for (const s of symbols) {
    const b = encoder.encode(s);
    out.varint(b.length);
    out.bytes(b);
  }

  const entryOffsets: number[] = [];
  const postings = new Map<number, Map<number, number[]>>();
  series.forEach((s, id) => {
    entryOffsets.push(out.pos);
    out.varint(s.labels.length);
    for (const l of s.labels) {
      const name = symbolId.get(l.name)!;
      const value = symbolId.get(l.value)!;
      out.varint(name);
      out.varint(value);
      let values = postings.get(name);
      if (!values) postings.set(name, (values = new Map()));
      const ids = values.get(value);
      if (ids) ids.push(id);
      else values.set(value, [id]);
    }
    out.varint(s.chunks[0]?.[0] ?? 0);
    out.varint(s.chunks.length);
    let prev = minT;
    for (const [, length, cMinT, cMaxT, count] of s.chunks) {
      out.varint(length);
      out.varint(zigzag(cMinT - prev));
      out.varint(cMaxT - cMinT);
      out.varint(count);
      prev = cMaxT;
    }
    out.varint(zigzag(s.lastT - prev));
    out.f64(s.lastV);
  });

  const offsetsOff = out.pos;
  for (const o of entryOffsets) out.u32(o);

  const postingsOff = out.pos;
  out.varint(postings.size);
  for (const name of [...postings.keys()].sort((a, b) => a - b)) {
    const values = postings.get(name)!;
    out.varint(name);
    out.varint(values.size);
    for (const value of [...values.keys()].sort((a, b) => a - b)) {
      const ids = values.get(value)!;
      out.varint(value);
      out.varint(ids.length);
      let last = 0;
      for (const id of ids) {
        out.varint(id - last);
        last = id;
      }
    }
  }

  const metadataOff = out.pos;
  const meta = encoder.encode(JSON.stringify(metadata));
  out.varint(meta.length);
  out.bytes(meta);

  for (const u of [series.length, symbolsOff, offsetsOff, postingsOff, metadataOff]) out.u32(u);
  out.f64(minT);
  out.f64(maxT);
  out.u32(crc32(out.buf.subarray(0, out.pos), 0));
  return out.buf.slice(0, out.pos);
}

/** Reads a version 2 index: symbols and postings offsets now, series when asked. */
export class BinaryBlockIndex implements BlockIndex {
  readonly size: number;
  readonly minT: number;
  readonly maxT: number;
  readonly metadata: readonly MetricMetadata[];
  private readonly symbols: string[];
  private readonly entryOffsets: Uint32Array;
  /** name → value → byte offset of its postings list */
  private readonly postings = new Map<string, Map<string, number>>();
  private readonly labelCache: (Labels | undefined)[];

  constructor(private readonly bytes: Uint8Array) {
    if (bytes.length < HEADER_BYTES + FOOTER_BYTES || MAGIC.some((b, i) => bytes[i] !== b)) throw indexError('not a marquetry block index (bad magic)');
    if (bytes[4] !== BLOCK_INDEX_VERSION) throw indexError(`unsupported version ${bytes[4]}`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const footer = bytes.length - FOOTER_BYTES;
    const crc = view.getUint32(bytes.length - 4, true);
    if (crc32(bytes.subarray(0, bytes.length - 4), 0) !== crc) throw indexError('checksum mismatch');
    const u32 = (i: number): number => view.getUint32(footer + i * 4, true);
    this.size = u32(0);
    const [symbolsOff, offsetsOff, postingsOff, metadataOff] = [u32(1), u32(2), u32(3), u32(4)];
    this.minT = view.getFloat64(footer + 20, true);
    this.maxT = view.getFloat64(footer + 28, true);

    const c = new ByteCursor(bytes, symbolsOff, footer);
    this.symbols = new Array<string>(c.varint());
    for (let i = 0; i < this.symbols.length; i++) {
      const n = c.varint();
      if (c.pos + n > footer) throw indexError(`symbol ${i} runs past the end`);
      this.symbols[i] = decoder.decode(bytes.subarray(c.pos, c.pos + n));
      c.pos += n;
    }
    this.entryOffsets = new Uint32Array(this.size);
    for (let i = 0; i < this.size; i++) this.entryOffsets[i] = view.getUint32(offsetsOff + i * 4, true);
    this.labelCache = new Array<Labels | undefined>(this.size);

    c.pos = postingsOff;
    for (let names = c.varint(); names > 0; names--) {
      const values = new Map<string, number>();
      this.postings.set(this.symbol(c.varint()), values);
      for (let n = c.varint(); n > 0; n--) {
        values.set(this.symbol(c.varint()), c.pos);
        for (let ids = c.varint(); ids > 0; ids--) c.varint();
      }
    }
    c.pos = metadataOff;
    const metaLength = c.varint();
    this.metadata = JSON.parse(decoder.decode(bytes.subarray(c.pos, c.pos + metaLength))) as MetricMetadata[];
  }

  private symbol(i: number): string {
    const s = this.symbols[i];
    if (s === undefined) throw indexError(`symbol ${i} out of range`);
    return s;
  }

  private entry(id: number): ByteCursor {
    if (!(id >= 0 && id < this.size)) throw new RangeError(`block index: series ${id} out of range`);
    return new ByteCursor(this.bytes, this.entryOffsets[id]!, this.bytes.length - FOOTER_BYTES);
  }

  labels(id: number): Labels {
    const cached = this.labelCache[id];
    if (cached) return cached;
    const c = this.entry(id);
    const labels: Labels[number][] = [];
    for (let n = c.varint(); n > 0; n--) labels.push({ name: this.symbol(c.varint()), value: this.symbol(c.varint()) });
    this.labelCache[id] = labels;
    return labels;
  }

  chunkRefs(id: number): ChunkRef[] {
    const c = this.entry(id);
    for (let n = c.varint(); n > 0; n--) {
      c.varint();
      c.varint();
    }
    return this.readChunks(c).refs;
  }

  lastSample(id: number): { t: number; v: number } {
    const c = this.entry(id);
    for (let n = c.varint(); n > 0; n--) {
      c.varint();
      c.varint();
    }
    const { prevMaxT } = this.readChunks(c);
    const t = prevMaxT + c.zvarint();
    if (c.pos + 8 > c.end) throw indexError(`series ${id} entry truncated`);
    return { t, v: new DataView(this.bytes.buffer, this.bytes.byteOffset).getFloat64(c.pos, true) };
  }

  private readChunks(c: ByteCursor): { refs: ChunkRef[]; prevMaxT: number } {
    let offset = c.varint();
    const refs: ChunkRef[] = [];
    let prev = this.minT;
    for (let n = c.varint(); n > 0; n--) {
      const length = c.varint();
      const minT = prev + c.zvarint();
      const maxT = minT + c.varint();
      refs.push([offset, length, minT, maxT, c.varint()]);
      offset += length;
      prev = maxT;
    }
    return { refs, prevMaxT: prev };
  }

  postingsOf(name: string, value: string): Uint32Array {
    const at = this.postings.get(name)?.get(value);
    return at === undefined ? new Uint32Array(0) : this.readPostings(at);
  }

  *valuePostings(name: string): Iterable<[string, Uint32Array]> {
    for (const [value, at] of this.postings.get(name) ?? []) yield [value, this.readPostings(at)];
  }

  private readPostings(at: number): Uint32Array {
    const c = new ByteCursor(this.bytes, at, this.bytes.length - FOOTER_BYTES);
    const ids = new Uint32Array(c.varint());
    let id = 0;
    for (let i = 0; i < ids.length; i++) ids[i] = id += c.varint();
    return ids;
  }

  select(matchers: readonly LabelMatcher[]): number[] {
    return selectSeries(this, matchers);
  }

  labelNames(): string[] {
    return [...this.postings.keys()].sort();
  }

  labelValues(name: string): string[] {
    return [...(this.postings.get(name)?.keys() ?? [])].sort();
  }
}

// Reads back the footer of a file this writer wrote (FileMetaData, Thrift
// compact protocol) into the structs metadata.ts writes: what a merge needs
// to concatenate column chunks without decoding them (concatenate.ts).
// Unknown fields are skipped; only flat schemas are understood.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { CompressionCodec } from './compression.js';
import { chunkStartOffset, type ColumnMetaData, type Encoding, type LeafSchema, type PhysicalType, type Repetition, type RowGroup, type Statistics } from './metadata.js';

/** Compact protocol type ids */
const T = { TRUE: 1, FALSE: 2, BYTE: 3, I16: 4, I32: 5, I64: 6, DOUBLE: 7, BINARY: 8, LIST: 9, SET: 10, MAP: 11, STRUCT: 12 } as const;

export type Value = boolean | number | bigint | Uint8Array | Value[] | Struct;
export type Struct = Map<number, Value>;

export class ThriftCompactReader {
  constructor(
    private readonly bytes: Uint8Array,
    private pos = 0,
  ) {}

  /** where the next read starts (after a struct: its end) */
  get offset(): number {
    return this.pos;
  }

  struct(): Struct {
    const out: Struct = new Map();
    let lastId = 0;
    for (;;) {
      const header = this.byte();
      if (header === 0) return out;
      const type = header & 0x0f;
      const delta = header >>> 4;
      const id = delta === 0 ? this.zigzag32() : lastId + delta;
      lastId = id;
      out.set(id, this.value(type));
    }
  }

  private value(type: number): Value {
    switch (type) {
      case T.TRUE:
        return true;
      case T.FALSE:
        return false;
      case T.BYTE:
        return this.byte();
      case T.I16:
      case T.I32:
        return this.zigzag32();
      case T.I64:
        return this.zigzag64();
      case T.DOUBLE:
        this.pos += 8;
        return 0;
      case T.BINARY: {
        const length = this.varint();
        const out = this.bytes.subarray(this.pos, this.pos + length);
        this.pos += length;
        return out;
      }
      case T.LIST:
      case T.SET: {
        const header = this.byte();
        const size = header >>> 4 === 15 ? this.varint() : header >>> 4;
        const elementType = header & 0x0f;
        const out: Value[] = [];
        for (let i = 0; i < size; i++) out.push(elementType === T.TRUE || elementType === T.FALSE ? this.byte() === 1 : this.value(elementType));
        return out;
      }
      case T.MAP: {
        const size = this.varint();
        if (size > 0) {
          const types = this.byte();
          for (let i = 0; i < size; i++) {
            this.value(types >>> 4);
            this.value(types & 0x0f);
          }
        }
        return [];
      }
      case T.STRUCT:
        return this.struct();
      default:
        throw new Error(`parquet footer: unknown Thrift type ${type}`);
    }
  }

  private byte(): number {
    if (this.pos >= this.bytes.length) throw new Error('parquet footer: ends early');
    return this.bytes[this.pos++]!;
  }

  private varint(): number {
    let out = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      out += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return out;
      shift += 7;
    }
  }

  private zigzag32(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }

  private zigzag64(): number | bigint {
    let out = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.byte();
      out |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7n;
    }
    const v = (out >> 1n) ^ -(out & 1n);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }
}

/** What a leaf's values mean beyond its physical type (ids of parquet.thrift), for readers that convert values. */
export interface LeafAnnotation {
  /** ConvertedType (UTF8 = 0, INT_32 = 17, …) */
  convertedType?: number;
  /** the LogicalType union's field id (STRING = 1, INTEGER = 10, …) */
  logicalType?: number;
  /** INTEGER's bit width and signedness */
  integer?: { bitWidth: number; signed: boolean };
}

export interface ParquetFooter {
  leaves: LeafSchema[];
  /** per leaf, as `leaves` */
  annotations: LeafAnnotation[];
  numRows: number;
  rowGroups: RowGroup[];
  createdBy: string | undefined;
}

const text = new TextDecoder();

function num(v: Value | undefined, what: string): number {
  if (typeof v === 'number') return v;
  throw new Error(`parquet footer: ${what} missing or out of range`);
}

/** The footer of the Parquet file at `path`. */
export function readParquetFooter(path: string): ParquetFooter {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const tail = new Uint8Array(8);
    readFully(fd, tail, size - 8);
    if (text.decode(tail.subarray(4)) !== 'PAR1') throw new Error(`parquet footer: ${path} does not end with PAR1`);
    const length = new DataView(tail.buffer).getUint32(0, true);
    const footer = new Uint8Array(length);
    readFully(fd, footer, size - 8 - length);
    return parseFileMetaData(new ThriftCompactReader(footer).struct());
  } finally {
    closeSync(fd);
  }
}

export function readFully(fd: number, into: Uint8Array, position: number): void {
  for (let at = 0; at < into.length; ) {
    const n = readSync(fd, into, at, into.length - at, position + at);
    if (n === 0) throw new Error('parquet: file ends early');
    at += n;
  }
}

function parseFileMetaData(meta: Struct): ParquetFooter {
  const schema = meta.get(2) as Struct[];
  const root = schema[0]!;
  if (num(root.get(5), 'root num_children') !== schema.length - 1) throw new Error('parquet footer: nested schema');
  const leaves: LeafSchema[] = schema.slice(1).map((e) => {
    if (e.has(5)) throw new Error('parquet footer: nested schema');
    const leaf: LeafSchema = {
      name: text.decode(e.get(4) as Uint8Array),
      type: num(e.get(1), 'type') as PhysicalType,
      repetition: num(e.get(3), 'repetition') as Repetition,
      utf8: e.get(6) === 0 || (e.get(10) instanceof Map && (e.get(10) as Struct).has(1)),
    };
    if (e.has(2)) leaf.typeLength = num(e.get(2), 'type_length');
    return leaf;
  });
  const annotations = schema.slice(1).map((e): LeafAnnotation => {
    const out: LeafAnnotation = {};
    if (e.has(6)) out.convertedType = num(e.get(6), 'converted_type');
    const logical = e.get(10);
    if (logical instanceof Map) {
      for (const [id, value] of logical) {
        out.logicalType = id;
        if (id === 10 && value instanceof Map) out.integer = { bitWidth: num(value.get(1), 'bit_width'), signed: value.get(2) === true };
      }
    }
    return out;
  });
  const rowGroups: RowGroup[] = ((meta.get(4) ?? []) as Struct[]).map((g, ordinal) => {
    const columns = (g.get(1) as Struct[]).map((chunk) => parseColumnMetaData(chunk.get(3) as Struct));
    return {
      columns,
      numRows: num(g.get(3), 'num_rows'),
      fileOffset: g.has(5) ? num(g.get(5), 'file_offset') : (columns[0] ? chunkStartOffset(columns[0]) : 0),
      totalBytes: columns.reduce((n, c) => n + c.totalBytes, 0),
      totalUncompressedBytes: num(g.get(2), 'total_byte_size'),
      ordinal,
    };
  });
  const createdBy = meta.get(6);
  return { leaves, annotations, numRows: num(meta.get(3), 'num_rows'), rowGroups, createdBy: createdBy instanceof Uint8Array ? text.decode(createdBy) : undefined };
}

function parseColumnMetaData(m: Struct): ColumnMetaData {
  const path = (m.get(3) as Uint8Array[]).map((p) => text.decode(p));
  if (path.length !== 1) throw new Error('parquet footer: nested column');
  const stats = m.get(12) as Struct | undefined;
  const statistics: Statistics = { nullCount: stats?.has(3) ? num(stats.get(3), 'null_count') : 0 };
  if (stats?.get(5) instanceof Uint8Array) statistics.maxValue = stats.get(5) as Uint8Array;
  if (stats?.get(6) instanceof Uint8Array) statistics.minValue = stats.get(6) as Uint8Array;
  if (stats?.has(9)) statistics.nanCount = num(stats.get(9), 'nan_count');
  const out: ColumnMetaData = {
    type: num(m.get(1), 'type') as PhysicalType,
    encodings: (m.get(2) as number[]).map((e) => e as Encoding),
    path: path[0]!,
    codec: num(m.get(4), 'codec') as CompressionCodec,
    numValues: num(m.get(5), 'num_values'),
    totalUncompressedBytes: num(m.get(6), 'total_uncompressed_size'),
    totalBytes: num(m.get(7), 'total_compressed_size'),
    dataPageOffset: num(m.get(9), 'data_page_offset'),
    statistics,
  };
  if (m.has(11)) out.dictionaryPageOffset = num(m.get(11), 'dictionary_page_offset');
  return out;
}

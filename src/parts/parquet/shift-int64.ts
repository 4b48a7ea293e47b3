// An INT64 column chunk this writer wrote with a constant added to every
// value, the rest of it as it was: a merge concatenating log parts moves an
// input's rows down by the rows before it, and `__unit_row` names file rows
// (src/parts/log-unit-columns.ts). Only the bytes holding values change:
//   dictionary page     PLAIN entries: each + offset
//   data page, PLAIN    levels kept, each value + offset
//   data page, DELTA    levels and deltas kept, the first value + offset
//   data page, dict.    indices: copied as they are (stored bytes too)
// so the encodings the flush chose are kept, and a page whose values change
// is decompressed and compressed again, nothing decoded row by row.
// Statistics' min and max move by the offset; the null count stays.

import { CompressionCodec, codecOf, compressPage, decompressPage, type PageCodec } from './compression.js';
import { readU32, readVarint, unzigzag } from './page-bytes.js';
import { ThriftCompactReader, type Struct } from './footer.js';
import { Encoding, type ColumnMetaData } from './metadata.js';
import { encodeDataPageHeader, encodeDictionaryPageHeader } from './page.js';

const PAGE_TYPE_DATA = 0;
const PAGE_TYPE_DICTIONARY = 2;
const PLAIN_DICTIONARY = 2;

export interface ShiftedChunk {
  parts: Uint8Array[];
  /** dataPageOffset and dictionaryPageOffset relative to the chunk's first byte */
  meta: ColumnMetaData;
}

/**
 * The chunk whose stored bytes (from its first page on) are `bytes`, with
 * `offset` added to every value. Pages are written with `codec` (the
 * merge's), or copied as they are where neither values nor codec change.
 */
export function shiftInt64Chunk(bytes: Uint8Array, chunk: ColumnMetaData, offset: bigint, codec: PageCodec | undefined): ShiftedChunk {
  const add = halvesOf(offset);
  const sameCodec = codecOf(codec) === (chunk.codec ?? CompressionCodec.UNCOMPRESSED);
  const out = new PageSink(codec);
  let dataPageOffset = -1;
  let dictionary = false;
  for (let at = 0; at < bytes.length; ) {
    const reader = new ThriftCompactReader(bytes, at);
    const header = reader.struct();
    const bodyAt = reader.offset;
    const size = int(header.get(2), 'uncompressed_page_size');
    const body = bytes.subarray(bodyAt, bodyAt + int(header.get(3), 'compressed_page_size'));
    const type = header.get(1);
    if (type === PAGE_TYPE_DICTIONARY) {
      if (dataPageOffset >= 0) throw new Error(`parquet shift: column "${chunk.path}" has a dictionary page after a data page`);
      dictionary = true;
      const entries = int((header.get(7) as Struct).get(1), 'dictionary num_values');
      const plain = decompress(chunk.codec, body, size);
      addToPlain(plain, 0, entries, add);
      out.page(plain, (stored) => encodeDictionaryPageHeader(plain.length, entries, stored));
    } else if (type === PAGE_TYPE_DATA) {
      const h = header.get(5) as Struct;
      const rows = int(h.get(1), 'num_values');
      const encoding = int(h.get(2), 'encoding');
      if (dataPageOffset < 0) dataPageOffset = out.stored;
      if (encoding === Encoding.RLE_DICTIONARY || encoding === PLAIN_DICTIONARY) {
        // indices into the shifted dictionary: the same
        if (sameCodec) out.copy(bytes.subarray(at, bodyAt + body.length), bodyAt - at + size);
        else out.page(decompress(chunk.codec, body, size), (stored) => encodeDataPageHeader(size, rows, Encoding.RLE_DICTIONARY, stored));
      } else {
        const page = shiftedDataPage(decompress(chunk.codec, body, size), encoding, add, chunk.path);
        out.page(page, (stored) => encodeDataPageHeader(page.length, rows, encoding as Encoding, stored));
      }
    } else {
      throw new Error(`parquet shift: column "${chunk.path}" has a page of type ${String(type)}`);
    }
    at = bodyAt + body.length;
  }
  if (dataPageOffset < 0) throw new Error(`parquet shift: column "${chunk.path}" has no data page`);
  const meta: ColumnMetaData = {
    ...chunk,
    codec: codecOf(codec),
    totalBytes: out.stored,
    totalUncompressedBytes: out.uncompressed,
    dataPageOffset,
    statistics: shiftedStatistics(chunk.statistics, offset),
  };
  if (dictionary) meta.dictionaryPageOffset = 0;
  else delete meta.dictionaryPageOffset;
  return { parts: out.parts, meta };
}

/** The pages of the chunk being written, and its bytes as stored and with bodies uncompressed. */
class PageSink {
  readonly parts: Uint8Array[] = [];
  stored = 0;
  uncompressed = 0;

  constructor(private readonly codec: PageCodec | undefined) {}

  /** A page of `body` (uncompressed) under the header `header(storedBodyBytes)` gives. */
  page(body: Uint8Array, header: (storedBytes: number) => Uint8Array): void {
    const stored = this.codec === undefined ? body : compressPage(body, this.codec);
    const head = header(stored.length);
    this.parts.push(head, stored);
    this.stored += head.length + stored.length;
    this.uncompressed += head.length + body.length;
  }

  /** A page copied as stored (header and body), `uncompressedBytes` with its body uncompressed. */
  copy(page: Uint8Array, uncompressedBytes: number): void {
    this.parts.push(page);
    this.stored += page.length;
    this.uncompressed += uncompressedBytes;
  }
}

/** A data page body (u32 levels length, levels, values) with `add` added to each value. */
function shiftedDataPage(page: Uint8Array, encoding: number, add: Halves, column: string): Uint8Array {
  const valuesAt = 4 + readU32(page, 0);
  if (encoding === Encoding.PLAIN) {
    addToPlain(page, valuesAt, (page.length - valuesAt) / 8, add);
    return page;
  }
  if (encoding === Encoding.DELTA_BINARY_PACKED) return withShiftedFirstValue(page, valuesAt, add);
  throw new Error(`parquet shift: column "${column}" has an int64 page of encoding ${encoding}`);
}

/**
 * A DELTA_BINARY_PACKED stream's values all move by `add` when its first
 * value does: the header's last field, a zigzag varint whose length may
 * change. A stream of no values is left as it is.
 */
function withShiftedFirstValue(page: Uint8Array, valuesAt: number, add: Halves): Uint8Array {
  const cursor = { pos: valuesAt };
  readVarint(page, cursor); // block size
  readVarint(page, cursor); // miniblocks per block
  if (readVarint(page, cursor) === 0n) return page;
  const firstAt = cursor.pos;
  const first = unzigzag(readVarint(page, cursor));
  const encoded = varintBytes(zigzag(BigInt.asIntN(64, first + (BigInt(add.hi) << 32n) + BigInt(add.lo))));
  const out = new Uint8Array(page.length - (cursor.pos - firstAt) + encoded.length);
  out.set(page.subarray(0, firstAt), 0);
  out.set(encoded, firstAt);
  out.set(page.subarray(cursor.pos), firstAt + encoded.length);
  return out;
}

function decompress(codec: CompressionCodec | undefined, body: Uint8Array, size: number): Uint8Array {
  const out = decompressPage(codec, body, size);
  if (out === undefined) throw new Error(`parquet shift: compression codec ${String(codec)}`);
  return out;
}

/** A signed 64-bit value as its low 32 bits (unsigned) and high 32 bits (signed). */
interface Halves {
  lo: number;
  hi: number;
}

function halvesOf(value: bigint): Halves {
  return { lo: Number(BigInt.asUintN(32, value)), hi: Number(BigInt.asIntN(32, value >> 32n)) };
}

/** `count` little-endian int64s from bytes[at…], each + `add`, wrapping in 64 bits. */
function addToPlain(bytes: Uint8Array, at: number, count: number, add: Halves): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0, p = at; i < count; i++, p += 8) {
    const lo = view.getUint32(p, true) + add.lo;
    view.setUint32(p, lo >>> 0, true);
    view.setInt32(p + 4, (view.getInt32(p + 4, true) + add.hi + (lo > 0xffffffff ? 1 : 0)) | 0, true);
  }
}

function shiftedStatistics(statistics: ColumnMetaData['statistics'], offset: bigint): ColumnMetaData['statistics'] {
  const out = { ...statistics };
  const add = halvesOf(offset);
  for (const key of ['minValue', 'maxValue'] as const) {
    const bound = statistics[key];
    if (bound === undefined) continue;
    if (bound.length !== 8) throw new Error(`parquet shift: an int64 bound of ${bound.length} bytes`);
    const moved = bound.slice();
    addToPlain(moved, 0, 1, add);
    out[key] = moved;
  }
  return out;
}

function varintBytes(value: bigint): Uint8Array {
  const out: number[] = [];
  let v = BigInt.asUintN(64, value);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}

const zigzag = (v: bigint): bigint => BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));

function int(v: unknown, what: string): number {
  if (typeof v !== 'number') throw new Error(`parquet shift: page header without ${what}`);
  return v;
}

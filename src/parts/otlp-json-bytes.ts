// The `events` and `links` columns of staging files: each span's events (or
// links) as one OTLP JSON array, written straight as UTF-8 into one buffer
// per seal — the PLAIN byte arrays of a 'string-entries' column — with no JS
// string per span. Building a string per span by concatenation, which the
// writer then flattened and encoded again, was the ingest thread's largest
// allocation (350 B a loadgen span, docs/storage.md).
//
// The text is canonical: keys in this order, strings as JSON.stringify writes
// them, int64 as decimal strings, no spaces. The flush's compactEventsJson
// (events-compact.ts) reads exactly this form, and trace lookups return it.
//
//   events  [{"timeUnixNano":"…","name":…,"attributes":[…],"droppedAttributesCount":n},…]
//   links   [{"traceId":"hex","spanId":"hex","traceState":…,"attributes":[…],"droppedAttributesCount":n,"flags":n},…]
//   attributes  [{"key":…,"value":{"stringValue":…}},…]  (AnyValue as OTLP JSON; arrays and kvlists as decoded)

import { ValueType, type AttributeColumns, type EventColumns, type LinkColumns } from '../model/span-batch.js';
import type { ParquetColumn } from './parquet/writer.js';
import type { ColumnArrays } from './column-array-pool.js';
import { hexOf } from '../model/hex.js';
import { boolValueJson, doubleValueJson } from '../receive/any-value-json.js';
import { int64Halves } from '../model/int64-halves.js';

/** Characters JSON.stringify escapes (and surrogates, whose pairing it checks): such strings take its way. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A 'string-entries' column of JSON text, one entry per row that has a value
 * (rows without stay null). A row is written between begin() and end().
 */
export class JsonEntriesColumn {
  private bytes: Uint8Array;
  private text: Buffer;
  private at = 0;
  private entries = 0;
  private entryAt = 0;
  private readonly entryStarts: Uint32Array;
  private readonly indices: Uint32Array;
  private readonly nulls: Uint8Array;

  constructor(
    readonly name: string,
    rows: number,
    private readonly arrays: ColumnArrays,
    expectedBytes = rows * 16,
  ) {
    this.bytes = arrays.bytes(Math.max(1024, expectedBytes));
    this.text = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    this.entryStarts = arrays.uint32(rows + 1);
    this.indices = arrays.uint32(rows);
    this.nulls = arrays.uint8(rows, 1);
  }

  /** Starts row `row`'s value (each row at most once). */
  begin(row: number): void {
    this.room(4);
    this.entryAt = this.at;
    this.at += 4; // the PLAIN length, set by end()
    this.indices[row] = this.entries;
    this.nulls[row] = 0;
  }

  end(): void {
    const length = this.at - this.entryAt - 4;
    const b = this.bytes;
    b[this.entryAt] = length & 0xff;
    b[this.entryAt + 1] = (length >>> 8) & 0xff;
    b[this.entryAt + 2] = (length >>> 16) & 0xff;
    b[this.entryAt + 3] = length >>> 24;
    this.entryStarts[this.entries++] = this.entryAt;
  }

  /** Text of only ASCII characters that JSON keeps as they are (syntax, digits, hex, keys). */
  ascii(s: string): void {
    this.room(s.length);
    const b = this.bytes;
    let at = this.at;
    for (let i = 0; i < s.length; i++) b[at++] = s.charCodeAt(i);
    this.at = at;
  }

  /** `s` as a JSON string, byte for byte what JSON.stringify(s) encodes to. */
  string(s: string): void {
    // ASCII that needs no escape (keys, names, most values) byte by byte: cheaper than a test and a native write
    this.room(s.length + 2);
    const b = this.bytes;
    let at = this.at;
    b[at++] = 0x22;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x80) return this.unusualString(s);
      b[at++] = c;
    }
    b[at++] = 0x22;
    this.at = at;
  }

  /** string() of text with escapes or beyond ASCII (written over whatever string() began). */
  private unusualString(s: string): void {
    if (NEEDS_ESCAPE.test(s)) {
      this.utf8(JSON.stringify(s));
      return;
    }
    this.room(s.length * 3 + 2);
    this.bytes[this.at++] = 0x22;
    this.at += this.text.write(s, this.at, 'utf8');
    this.bytes[this.at++] = 0x22;
  }

  /** A non-negative safe integer in decimal. */
  uint(v: number): void {
    let digits = 1;
    for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
    this.room(digits);
    const b = this.bytes;
    let at = this.at + digits;
    this.at = at;
    do {
      const q = Math.floor(v / 10);
      b[--at] = 0x30 + (v - q * 10);
      v = q;
    } while (v > 0);
  }

  /** The int64 of 32-bit halves `lo`, `hi` (two's complement) in decimal, as BigInt's toString() writes it: no bigint made. */
  int64(lo: number, hi: number): void {
    lo >>>= 0;
    hi >>>= 0;
    if (hi >= 0x80000000) {
      // negate: two's complement of the 64 bits
      lo = (~lo + 1) >>> 0;
      hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
      this.ascii('-');
    }
    if (hi < 0x200000) {
      this.uint(hi * 0x100000000 + lo); // below 2^53: exact
      return;
    }
    // divide by 10^9 sixteen bits at a time (long division): every step stays below 2^53
    let cur = hi >>> 16;
    let q = Math.floor(cur / 1e9);
    let r = cur - q * 1e9;
    cur = r * 65536 + (hi & 0xffff);
    let digit = Math.floor(cur / 1e9);
    r = cur - digit * 1e9;
    q = q * 65536 + digit;
    cur = r * 65536 + (lo >>> 16);
    digit = Math.floor(cur / 1e9);
    r = cur - digit * 1e9;
    q = q * 65536 + digit;
    cur = r * 65536 + (lo & 0xffff);
    digit = Math.floor(cur / 1e9);
    r = cur - digit * 1e9;
    q = q * 65536 + digit;
    this.uint(q);
    this.room(9);
    const b = this.bytes;
    for (let k = this.at + 8; k >= this.at; k--) {
      const d = Math.floor(r / 10);
      b[k] = 0x30 + (r - d * 10);
      r = d;
    }
    this.at += 9;
  }

  /** Text that is JSON already (an array or kvlist AnyValue as decoded). */
  utf8(s: string): void {
    this.room(s.length * 3);
    this.at += this.text.write(s, this.at, 'utf8');
  }

  toParquet(): ParquetColumn {
    this.entryStarts[this.entries] = this.at;
    return {
      name: this.name,
      kind: 'string-entries',
      entries: this.bytes.subarray(0, this.at),
      entryStarts: this.entryStarts.subarray(0, this.entries + 1),
      indices: this.indices,
      nulls: this.nulls,
      // a row's JSON is its own entry: nothing worth merging (span events are all but unique)
      ownEntries: true,
    };
  }

  private room(more: number): void {
    if (this.at + more <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.at + more) size *= 2;
    const next = this.arrays.bytes(size);
    next.set(this.bytes.subarray(0, this.at));
    this.arrays.release(this.bytes);
    this.bytes = next;
    this.text = Buffer.from(next.buffer, next.byteOffset, next.byteLength);
  }
}

/** OTLP JSON AnyValue of attribute row `i` (the text any-value-json.ts writes at decode). */
function writeAnyValue(out: JsonEntriesColumn, a: AttributeColumns, i: number, intHalves: Int32Array<ArrayBufferLike>): void {
  switch (a.type[i]) {
    case ValueType.String:
    case ValueType.Bytes:
      out.ascii(a.type[i] === ValueType.String ? '{"stringValue":' : '{"bytesValue":');
      out.string(a.str[i]!);
      out.ascii('}');
      return;
    case ValueType.Bool:
      out.ascii(boolValueJson(a.num[i] !== 0));
      return;
    case ValueType.Int:
      out.ascii('{"intValue":"');
      out.int64(intHalves[2 * i]!, intHalves[2 * i + 1]!);
      out.ascii('"}');
      return;
    case ValueType.Double:
      out.ascii(doubleValueJson(a.num[i]!));
      return;
    case ValueType.Array:
    case ValueType.KvList:
      out.utf8(a.str[i]!); // already canonical OTLP JSON
      return;
    default:
      out.ascii('{}');
  }
}

/** `[{"key":…,"value":…},…]` of attribute rows [from, to). */
function writeAttributes(out: JsonEntriesColumn, a: AttributeColumns, from: number, to: number, intHalves: Int32Array<ArrayBufferLike>): void {
  out.ascii('[');
  for (let i = from; i < to; i++) {
    out.ascii(i > from ? ',{"key":' : '{"key":');
    out.string(a.key[i]!);
    out.ascii(',"value":');
    writeAnyValue(out, a, i, intHalves);
    out.ascii('}');
  }
  out.ascii(']');
}

/**
 * Per owner, the [start, end) range of its rows in `a` (rows of an owner are
 * contiguous and owners ascend). Returns start offsets of length owners+1.
 */
export function ownerOffsets(owner: Uint32Array, rows: number, owners: number): Uint32Array {
  const offsets = new Uint32Array(owners + 1);
  for (let i = 0; i < rows; i++) offsets[owner[i]! + 1]!++;
  for (let o = 0; o < owners; o++) offsets[o + 1]! += offsets[o]!;
  return offsets;
}

/** Items (events, links) of `owner` grouped by owner, each group in item order: [offsets by owner, item numbers]. */
function byOwner(owner: Uint32Array, items: number, owners: number): [Uint32Array, Uint32Array] {
  const offsets = ownerOffsets(owner, items, owners);
  const next = offsets.slice(0, owners);
  const order = new Uint32Array(items);
  for (let e = 0; e < items; e++) order[next[owner[e]!]!++] = e;
  return [offsets, order];
}

/**
 * Items of the `spans` spans of a batch (events or links: `owner` their span,
 * `attributes` theirs) into rows row0… of `out`, each span's as one JSON
 * array; `writeItem` writes one item's object given its attribute rows.
 */
function writeItemsPerSpan(
  out: JsonEntriesColumn,
  owner: Uint32Array,
  items: number,
  attributes: AttributeColumns,
  spans: number,
  row0: number,
  writeItem: (item: number, attributesFrom: number, attributesTo: number) => void,
): void {
  if (items === 0) return;
  const [offsets, order] = byOwner(owner, items, spans);
  const attrOffsets = ownerOffsets(attributes.owner, attributes.length, items);
  for (let span = 0; span < spans; span++) {
    const from = offsets[span]!;
    const to = offsets[span + 1]!;
    if (from === to) continue;
    out.begin(row0 + span);
    for (let k = from; k < to; k++) {
      const item = order[k]!;
      out.ascii(k > from ? ',' : '[');
      writeItem(item, attrOffsets[item]!, attrOffsets[item + 1]!);
    }
    out.ascii(']');
    out.end();
  }
}

/** The events of the `spans` spans of a batch into rows row0… of `out`. */
export function writeEventsJson(out: JsonEntriesColumn, ev: EventColumns, spans: number, row0: number): void {
  if (ev.length === 0) return;
  const times = int64Halves(ev.timeUnixNano);
  const intHalves = int64Halves(ev.attributes.int);
  writeItemsPerSpan(out, ev.owner, ev.length, ev.attributes, spans, row0, (e, from, to) => {
    out.ascii('{"timeUnixNano":"');
    out.int64(times[2 * e]!, times[2 * e + 1]!);
    out.ascii('","name":');
    out.string(ev.name[e]!);
    out.ascii(',"attributes":');
    writeAttributes(out, ev.attributes, from, to, intHalves);
    out.ascii(',"droppedAttributesCount":');
    out.uint(ev.droppedAttributesCount[e]!);
    out.ascii('}');
  });
}

/** The links of the `spans` spans of a batch into rows row0… of `out` (hex ids). */
export function writeLinksJson(out: JsonEntriesColumn, ln: LinkColumns, spans: number, row0: number): void {
  if (ln.length === 0) return;
  const intHalves = int64Halves(ln.attributes.int);
  writeItemsPerSpan(out, ln.owner, ln.length, ln.attributes, spans, row0, (l, from, to) => {
    out.ascii(`{"traceId":"${hexOf(ln.traceId, l * 16, 16)}","spanId":"${hexOf(ln.spanId, l * 8, 8)}","traceState":`);
    out.string(ln.traceState[l]!);
    out.ascii(',"attributes":');
    writeAttributes(out, ln.attributes, from, to, intHalves);
    out.ascii(`,"droppedAttributesCount":${ln.droppedAttributesCount[l]},"flags":${ln.flags[l]}}`);
  });
}

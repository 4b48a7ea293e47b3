// OTLP JSON text of attributes, events and links, written by string
// concatenation straight from the columnar batch (no intermediate objects).
// Stored in the `events` / `links` columns and returned by trace lookups.

import { ValueType, type AttributeColumns, type SpanBatch } from '../model/span-batch.js';
import { hexOf } from '../model/hex.js';

/** OTLP JSON AnyValue of attribute row `i`. */
export function anyValueJson(a: AttributeColumns, i: number): string {
  switch (a.type[i]) {
    case ValueType.String:
      return `{"stringValue":${JSON.stringify(a.str[i])}}`;
    case ValueType.Bool:
      return a.num[i] ? '{"boolValue":true}' : '{"boolValue":false}';
    case ValueType.Int:
      return `{"intValue":"${a.int[i]}"}`;
    case ValueType.Double:
      return `{"doubleValue":${doubleJson(a.num[i]!)}}`;
    case ValueType.Bytes:
      return `{"bytesValue":${JSON.stringify(a.str[i])}}`;
    case ValueType.Array:
    case ValueType.KvList:
      return a.str[i]!; // already canonical OTLP JSON
    default:
      return '{}';
  }
}

export function doubleJson(v: number): string {
  if (Number.isFinite(v)) return Object.is(v, -0) ? '-0' : String(v);
  return Number.isNaN(v) ? '"NaN"' : v > 0 ? '"Infinity"' : '"-Infinity"';
}

/** `[{"key":…,"value":…},…]` of rows [from, to). */
export function attributesJson(a: AttributeColumns, from: number, to: number): string {
  let s = '[';
  for (let i = from; i < to; i++) {
    if (i > from) s += ',';
    s += `{"key":${JSON.stringify(a.key[i])},"value":${anyValueJson(a, i)}}`;
  }
  return s + ']';
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

/** Events of every span as OTLP JSON arrays (undefined where a span has none). */
export function eventsJsonPerSpan(batch: SpanBatch): (string | undefined)[] {
  const out: (string | undefined)[] = new Array(batch.length).fill(undefined);
  const ev = batch.events;
  if (ev.length === 0) return out;
  const attrOffsets = ownerOffsets(ev.attributes.owner, ev.attributes.length, ev.length);
  for (let e = 0; e < ev.length; e++) {
    const span = ev.owner[e]!;
    let s = `{"timeUnixNano":"${ev.timeUnixNano[e]}","name":${JSON.stringify(ev.name[e])}`;
    s += `,"attributes":${attributesJson(ev.attributes, attrOffsets[e]!, attrOffsets[e + 1]!)}`;
    s += `,"droppedAttributesCount":${ev.droppedAttributesCount[e]}}`;
    const prev = out[span];
    out[span] = prev === undefined ? s : `${prev},${s}`;
  }
  for (let i = 0; i < out.length; i++) if (out[i] !== undefined) out[i] = `[${out[i]}]`;
  return out;
}

/** Links of every span as OTLP JSON arrays (hex ids; undefined where none). */
export function linksJsonPerSpan(batch: SpanBatch): (string | undefined)[] {
  const out: (string | undefined)[] = new Array(batch.length).fill(undefined);
  const ln = batch.links;
  if (ln.length === 0) return out;
  const attrOffsets = ownerOffsets(ln.attributes.owner, ln.attributes.length, ln.length);
  for (let l = 0; l < ln.length; l++) {
    const span = ln.owner[l]!;
    let s = `{"traceId":"${hexOf(ln.traceId, l * 16, 16)}","spanId":"${hexOf(ln.spanId, l * 8, 8)}"`;
    s += `,"traceState":${JSON.stringify(ln.traceState[l])}`;
    s += `,"attributes":${attributesJson(ln.attributes, attrOffsets[l]!, attrOffsets[l + 1]!)}`;
    s += `,"droppedAttributesCount":${ln.droppedAttributesCount[l]},"flags":${ln.flags[l]}}`;
    const prev = out[span];
    out[span] = prev === undefined ? s : `${prev},${s}`;
  }
  for (let i = 0; i < out.length; i++) if (out[i] !== undefined) out[i] = `[${out[i]}]`;
  return out;
}

// The correlation key of log records: what the lines of one unit of work
// share — the trace id of OTLP records, a request id field of JSON lines —
// so a flush can write those lines next to each other (log-token-chunks.ts,
// partOrder). A request logs a few lines that also share its host, user and
// http fields; interleaved with other requests' lines those fields cost a
// value per line, adjacent they become runs the encodings store almost free
// (docs/storage.md, "Log parts").
//
// Which field is the key is measured per stream in each staged file, on the
// stream's first SAMPLE_ROWS records: the string body field whose values
// repeat a few times each, mostly close by (within NEAR_ROWS of the previous
// occurrence), with the most distinct values (chooseKeyField) — unless the
// ingest named it (`?correlation_field=`). Records name their key by a 32-bit hash of its value (0: none);
// a collision only puts two units of work side by side.

import type { LogBatch } from '../model/log-batch.js';
import { ValueType } from '../model/span-batch.js';
import type { FieldColumn } from '../model/field-columns.js';

/** Records of a stream the key field is chosen on. */
const SAMPLE_ROWS = 4096;
/** A value seen again within this many records of its last occurrence repeats close by. */
const NEAR_ROWS = 1024;
/** A key is present in at least this share of the sampled records… */
const LEAST_PRESENT = 0.5;
/** …and has at most this many distinct values per record (a unit of work logs 2 lines or more on average)… */
const MOST_DISTINCT = 1 / 2;
/** …and at least this many (units of 20 lines or fewer: a coarser field such as a host makes long runs by itself). */
const LEAST_DISTINCT = 1 / 20;

/** 32-bit FNV-1a of a string's UTF-16 code units; never 0 (0 is "no key"). */
function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0 || 1;
}

function hashBytes(bytes: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0 || 1;
}

/** Rows of `b` with a nonzero trace id. */
function tracedRows(b: LogBatch): number {
  const ids = b.traceId;
  let n = 0;
  if (ids.byteOffset % 4 === 0) {
    // four words a row: a quarter of the reads
    const words = new Uint32Array(ids.buffer, ids.byteOffset, b.length * 4);
    for (let w = 0; w < words.length; w += 4) if ((words[w]! | words[w + 1]! | words[w + 2]! | words[w + 3]!) !== 0) n++;
    return n;
  }
  for (let i = 0; i < b.length; i++) {
    const at = i * 16;
    for (let k = 0; k < 16; k++) {
      if (ids[at + k] !== 0) {
        n++;
        break;
      }
    }
  }
  return n;
}

/** How one candidate field's values repeat on the sample. */
interface Repeats {
  present: number;
  near: number;
  far: number;
  lastRow: Map<string, number>;
}

/**
 * The string body field that is the stream's correlation key, measured on
 * its first SAMPLE_ROWS records: of the fields present in most records, with
 * between 1/20 and 1/2 distinct values per record, and repeating mostly
 * close by, the one of most distinct values — the finest unit of work (a
 * request id, not the user or session that has several requests).
 * Undefined: none qualifies.
 */
export function chooseKeyField(batches: readonly LogBatch[]): string | undefined {
  const fields = new Map<string, Repeats>();
  let rows = 0;
  for (const b of batches) {
    if (rows >= SAMPLE_ROWS) break;
    const limit = Math.min(b.length, SAMPLE_ROWS - rows);
    for (const f of b.bodyFields) {
      if (f.type !== ValueType.String || f.timeText) continue;
      let r = fields.get(f.key);
      if (r === undefined) fields.set(f.key, (r = { present: 0, near: 0, far: 0, lastRow: new Map() }));
      for (let v = 0; v < f.length && f.rows[v]! < limit; v++) {
        const row = rows + f.rows[v]!;
        const value = f.str[v]!;
        const last = r.lastRow.get(value);
        r.present++;
        if (last !== undefined) {
          if (row - last <= NEAR_ROWS) r.near++;
          else r.far++;
        }
        r.lastRow.set(value, row);
      }
    }
    rows += limit;
  }
  let best: string | undefined;
  let bestDistinct = 0;
  for (const [key, r] of fields) {
    if (r.present < LEAST_PRESENT * rows || r.near < r.far) continue;
    const distinct = r.lastRow.size;
    if (distinct > MOST_DISTINCT * r.present || distinct < LEAST_DISTINCT * r.present) continue;
    if (distinct > bestDistinct) {
      best = key;
      bestDistinct = distinct;
    }
  }
  return best;
}

function fieldKeys(field: FieldColumn, out: Uint32Array, row0: number): void {
  for (let v = 0; v < field.length; v++) out[row0 + field.rows[v]!] = hashText(field.str[v]!);
}

function traceKeys(b: LogBatch, out: Uint32Array, row0: number): void {
  for (let i = 0; i < b.length; i++) {
    const h = hashBytes(b.traceId, i * 16, i * 16 + 16);
    // the all-zero id is no trace
    if (h !== ZERO_TRACE_HASH) out[row0 + i] = h;
  }
}

const ZERO_TRACE_HASH = hashBytes(new Uint8Array(16), 0, 16);

/** The key is the trace id (no body field is named so: field paths are not symbols). */
const TRACE_ID = Symbol('trace id');

/** Whether at least half of the batches' records name a trace. */
function tracedMostly(batches: readonly LogBatch[]): boolean {
  let rows = 0;
  let traced = 0;
  for (const b of batches) {
    rows += b.length;
    traced += tracedRows(b);
  }
  return traced * 2 >= rows;
}

/**
 * Each record's correlation key hash (0: none), records numbered across
 * `batches` in order. Per stream (a batch's records share theirs): the
 * field its ingest named (`?correlation_field=`, the last batch's naming
 * one), else the trace id where at least half of the stream's records have
 * one, else the field chooseKeyField picks, else none.
 */
export function correlationKeysOf(batches: readonly LogBatch[]): Uint32Array {
  let total = 0;
  const byStream = new Map<string, LogBatch[]>();
  for (const b of batches) {
    total += b.length;
    if (b.length === 0) continue;
    const stream = b.stream[0]!;
    const list = byStream.get(stream);
    if (list) list.push(b);
    else byStream.set(stream, [b]);
  }
  const out = new Uint32Array(total);
  const firstRow = new Map<LogBatch, number>();
  let row0 = 0;
  for (const b of batches) {
    firstRow.set(b, row0);
    row0 += b.length;
  }
  for (const list of byStream.values()) {
    let named: string | undefined;
    for (const b of list) named = b.correlationField ?? named;
    const key = named ?? (tracedMostly(list) ? TRACE_ID : chooseKeyField(list));
    if (key === TRACE_ID) {
      for (const b of list) traceKeys(b, out, firstRow.get(b)!);
      continue;
    }
    if (key === undefined) continue;
    for (const b of list) {
      for (const f of b.bodyFields) if (f.key === key && f.type === ValueType.String && !f.timeText) fieldKeys(f, out, firstRow.get(b)!);
    }
  }
  return out;
}

// A span's events in trace parts: `events_compact`, the `events` column's
// OTLP JSON with each event's envelope as an array and its time relative to
// the span's start (docs/format/events-compact.md):
//
//   events          [{"timeUnixNano":"1795292124954051704","name":"message","attributes":[…],"droppedAttributesCount":0},…]
//   events_compact  [[5510,"message",[…]],…]
//
// (a 4th element only when droppedAttributesCount ≠ 0; an offset beyond
// ±2^53 as a string of digits, so JavaScript reads it exactly).
//
// The attributes stay OTLP JSON, byte for byte. Why: the events JSON is
// ~45 % of a trace part's bytes before compression; an event's absolute time
// as 19 decimal digits and its repeated keys cost zstd a match per field,
// and the offset from the span's start is 5–7 digits (docs/storage.md).
// The flush's regrouping worker rewrites the column (sorted-run.ts); staging
// files, and parts DuckDB sorted, keep `events`; readers take either.

/** The column of events in compact form. */
export const EVENTS_COMPACT_COLUMN = 'events_compact';
/** The column of events as OTLP JSON (staging files, older parts). */
export const EVENTS_JSON_COLUMN = 'events';
/** The span's start, which offsets count from. */
export const EVENTS_START_COLUMN = 'start_time_unix_nano';

/** One event of OTLP JSON as the API returns it. */
export interface OtlpJsonEvent {
  timeUnixNano: string;
  name: string;
  attributes: unknown[];
  droppedAttributesCount: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const ZERO = 0x30;
const NINE = 0x39;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const E15 = 1e15;
const E15_BIG = 10n ** 15n;

const encoder = new TextEncoder();
const TIME_KEY = encoder.encode('{"timeUnixNano":"');
const NAME_KEY = encoder.encode('","name":');
const ATTRIBUTES_KEY = encoder.encode(',"attributes":');
const DROPPED_KEY = encoder.encode(',"droppedAttributesCount":');

/**
 * Rewrites the canonical events JSON of one span (`json[from, to)`, as
 * src/parts/otlp-json-bytes.ts writes it) into `out` at `at`; returns the end.
 * `out` needs room for to − from bytes (the compact form is shorter: an
 * offset has at most a sign and two quotes more than the time, and the
 * keys it drops are longer).
 * Throws on anything else: the flush then keeps the rows as they are.
 */
export function compactEventsJson(json: Uint8Array, from: number, to: number, startNs: bigint, out: Uint8Array, at: number): number {
  let p = from;
  // the start as startHigh × 10^15 + startLow, |startLow| < 10^15
  const startHigh = Number(startNs / E15_BIG);
  const startLow = Number(startNs - BigInt(startHigh) * E15_BIG);
  const fail = (what: string): never => notCanonical(json, from, to, p, what);
  if (json[p++] !== OPEN_ARRAY) fail('no array');
  out[at++] = OPEN_ARRAY;
  if (json[p] === CLOSE_ARRAY) {
    out[at++] = CLOSE_ARRAY;
    return p + 1 === to ? at : fail('trailing bytes');
  }
  for (;;) {
    if (!startsWithAt(json, p, to, TIME_KEY)) fail('not canonical events JSON');
    p += TIME_KEY.length;
    const digitsFrom = p;
    while (p < to && json[p]! >= ZERO && json[p]! <= NINE) p++;
    if (p === digitsFrom || p - digitsFrom > 20) fail('no time');
    // ≤ 20 digits: two exact halves, each below 2^53 (no BigInt, no string on the common path)
    const split = Math.max(digitsFrom, p - 15);
    let high = 0;
    for (let k = digitsFrom; k < split; k++) high = high * 10 + (json[k]! - ZERO);
    let low = 0;
    for (let k = split; k < p; k++) low = low * 10 + (json[k]! - ZERO);
    out[at++] = OPEN_ARRAY;
    // |high − startHigh| ≤ 9: its product with 1e15 is exact, and so is a sum that is a safe integer
    const near = Math.abs(high - startHigh) <= 9 ? (high - startHigh) * E15 + (low - startLow) : NaN;
    if (Number.isSafeInteger(near)) {
      at = writeAscii(out, at, String(near));
    } else {
      const offset = BigInt(high) * E15_BIG + BigInt(low) - startNs;
      // beyond 2^53 (an unset time, 0) a JSON number would lose digits in JavaScript: a string then
      const quoted = offset > MAX_SAFE || offset < -MAX_SAFE;
      if (quoted) out[at++] = QUOTE;
      at = writeAscii(out, at, String(offset));
      if (quoted) out[at++] = QUOTE;
    }
    if (!startsWithAt(json, p, to, NAME_KEY)) fail('not canonical events JSON');
    p += NAME_KEY.length;
    out[at++] = COMMA;
    // the name: a JSON string, copied as it is
    if (json[p] !== QUOTE) fail('no name');
    const nameFrom = p;
    p = stringEnd(json, p, to);
    if (p < 0) fail('name not closed');
    out.set(json.subarray(nameFrom, p), at);
    at += p - nameFrom;
    if (!startsWithAt(json, p, to, ATTRIBUTES_KEY)) fail('not canonical events JSON');
    p += ATTRIBUTES_KEY.length;
    out[at++] = COMMA;
    // the attributes: a JSON array, copied as it is (brackets inside strings do not count)
    if (json[p] !== OPEN_ARRAY) fail('no attributes');
    const attributesFrom = p;
    let depth = 0;
    do {
      const c = json[p]!;
      if (c === QUOTE) {
        const end = stringEnd(json, p, to);
        if (end < 0) fail('string not closed');
        p = end - 1;
      } else if (c === OPEN_ARRAY || c === 0x7b) {
        depth++;
      } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
        depth--;
      }
      p++;
    } while (depth > 0 && p < to);
    if (depth !== 0) fail('attributes not closed');
    out.set(json.subarray(attributesFrom, p), at);
    at += p - attributesFrom;
    if (!startsWithAt(json, p, to, DROPPED_KEY)) fail('not canonical events JSON');
    p += DROPPED_KEY.length;
    const droppedFrom = p;
    while (p < to && json[p]! >= ZERO && json[p]! <= NINE) p++;
    if (p === droppedFrom) fail('no dropped count');
    if (p - droppedFrom !== 1 || json[droppedFrom] !== ZERO) {
      out[at++] = COMMA;
      out.set(json.subarray(droppedFrom, p), at);
      at += p - droppedFrom;
    }
    if (json[p++] !== CLOSE_OBJECT) fail('event not closed');
    out[at++] = CLOSE_ARRAY;
    const next = json[p++];
    if (next === CLOSE_ARRAY) break;
    if (next !== COMMA) fail('no comma between events');
    out[at++] = COMMA;
  }
  if (p !== to) fail('trailing bytes');
  out[at++] = CLOSE_ARRAY;
  return at;
}

function notCanonical(json: Uint8Array, from: number, to: number, p: number, what: string): never {
  throw new Error(`events_compact: ${what} at byte ${p - from} of ${new TextDecoder().decode(json.subarray(from, Math.min(to, from + 200)))}`);
}

/** json[p…] starts with `bytes`, before `to`. */
function startsWithAt(json: Uint8Array, p: number, to: number, bytes: Uint8Array): boolean {
  if (p + bytes.length > to) return false;
  for (let k = 0; k < bytes.length; k++) if (json[p + k] !== bytes[k]) return false;
  return true;
}

/** The index after the JSON string that opens at json[p] (a quote), or -1 when it does not close before `to`. */
function stringEnd(json: Uint8Array, p: number, to: number): number {
  let q = p + 1;
  for (;;) {
    if (q >= to) return -1;
    const c = json[q]!;
    if (c === QUOTE) return q + 1;
    q += c === BACKSLASH ? 2 : 1;
  }
}

function writeAscii(out: Uint8Array, at: number, s: string): number {
  for (let k = 0; k < s.length; k++) out[at++] = s.charCodeAt(k);
  return at;
}

/** The OTLP JSON events of a span from its `events_compact` text. */
export function expandEvents(compact: string, startNs: bigint): OtlpJsonEvent[] {
  const events = JSON.parse(compact) as [number | string, string, unknown[], number?][];
  return events.map((e) => ({
    timeUnixNano: String(startNs + BigInt(e[0])),
    name: e[1],
    attributes: e[2],
    droppedAttributesCount: e[3] ?? 0,
  }));
}

/**
 * DuckDB: `events_compact` of the row (its `start_time_unix_nano` at hand)
 * as a LIST of STRUCT(timeUnixNano VARCHAR, name VARCHAR, attributes JSON,
 * droppedAttributesCount BIGINT) — what json_transform makes of `events`.
 */
export function expandEventsSql(column: string, startColumn: string): string {
  return (
    `list_transform(CAST(${column} AS JSON[]), e -> {` +
    `'timeUnixNano': CAST(CAST(${startColumn} AS HUGEINT) + CAST(json_extract_string(e, '$[0]') AS HUGEINT) AS VARCHAR), ` +
    `'name': json_extract_string(e, '$[1]'), ` +
    `'attributes': json_extract(e, '$[2]'), ` +
    `'droppedAttributesCount': coalesce(CAST(json_extract_string(e, '$[3]') AS BIGINT), 0)})`
  );
}

/** Strings as the flush's worker holds them: entries of `u32 length, UTF-8 bytes`, one index per row. */
export interface StringEntries {
  entries: Uint8Array;
  entryStarts: Uint32Array;
  indices: Uint32Array;
  nulls: Uint8Array;
}

/** Every row's events in compact form, one entry per row with events (`startNs`: the rows' starts). */
export function compactEventsColumn(events: StringEntries, startNs: BigInt64Array): StringEntries {
  const { entries, entryStarts, indices, nulls } = events;
  const rows = indices.length;
  let bytes = 0;
  let present = 0;
  for (let k = 0; k < rows; k++) {
    if (nulls[k] !== 0) continue;
    bytes += entryStarts[indices[k]! + 1]! - entryStarts[indices[k]!]!;
    present++;
  }
  const out = new Uint8Array(bytes);
  const outStarts = new Uint32Array(present + 1);
  const outIndices = new Uint32Array(rows);
  let at = 0;
  let e = 0;
  for (let k = 0; k < rows; k++) {
    if (nulls[k] !== 0) continue;
    const from = entryStarts[indices[k]!]!;
    // after the entry's u32 length: its JSON
    const end = compactEventsJson(entries, from + 4, entryStarts[indices[k]! + 1]!, startNs[k]!, out, at + 4);
    new DataView(out.buffer, out.byteOffset + at, 4).setUint32(0, end - at - 4, true);
    outStarts[e] = at;
    outIndices[k] = e++;
    at = end;
  }
  outStarts[e] = at;
  return { entries: out.subarray(0, at), entryStarts: outStarts, indices: outIndices, nulls };
}
